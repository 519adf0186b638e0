// Adaptive binarization: 8x8 blocks give local statistics; each block is thresholded at the mean of the
// block averages in its 5x5 block neighbourhood (≈40 px window), which follows shadows, glare gradients
// and low contrast. Flat blocks (little dynamic range) borrow their level from already-seen neighbours, so
// the inside of a large dark module stays dark and flat paper stays light.
import { grayPtr, binPtr, blkPtr, blkStatPtr } from "./frame";

const MIN_RANGE: i32 = 20;

/** Blocks with more than MIN_RANGE of contrast in the last binarize() (0: a flat frame, nothing to find). */
export let texturedBlocks: i32 = 0;

/** Binarize the negative image (light-on-dark codes): flat areas then count as dark background. */
let negative: bool = false;
export function setNegative(v: bool): void { negative = v; }
/** The current pass thresholds the negative image. */
export function isNegative(): bool { return negative; }

/** Thresholds the frame for the current flat mode and polarity (block statistics, then levels and pixels). */
export function binarize(w: i32, h: i32): void {
  blockStats(w, h);
  thresholdBlocks(w, h);
}

/** Blocks whose contrast is at most MIN_RANGE in the last blockStats() (their level depends on the pass). */
export let flatBlocks: i32 = 0;

/**
 * Pass 1: per-block pixel sum and min/max, shared by every later pass of the frame (the negative pass
 * derives its statistics from these: sum' = 64*255 - sum, min' = 255 - max). Sets texturedBlocks.
 */
export function blockStats(w: i32, h: i32): void {
  texturedBlocks = 0; flatBlocks = 0;
  if (w < 40 || h < 40) return;
  const bw = (w + 7) >> 3, bh = (h + 7) >> 3;
  const g = grayPtr, st = blkStatPtr;
  // sum over all 64 pixels (SWAR: four 16-bit lanes per 8-byte row)
  for (let by = 0; by < bh; by++) {
    let y0 = by << 3; if (y0 > h - 8) y0 = h - 8;
    for (let bx = 0; bx < bw; bx++) {
      let x0 = bx << 3; if (x0 > w - 8) x0 = w - 8;
      let p = g + <usize>(y0 * w + x0);
      let acc: u64 = 0;
      let mxE: u64 = 0, mxO: u64 = 0, mnE: u64 = LANES, mnO: u64 = LANES;
      for (let yy = 0; yy < 8; yy++) {
        const v = load<u64>(p);
        const e = v & LANES, o = (v >> 8) & LANES;
        acc += e + o;
        // per-lane max/min: ((a | 0x100) - b) has bit 8 set exactly when a >= b
        if ((yy & 1) == 0) { // min/max over the even rows is enough to tell flat from textured blocks
          let m = ((((e | HIGH) - mxE) >> 8) & LANE1) * 0xff; mxE = (e & m) | (mxE & ~m);
          m = ((((o | HIGH) - mxO) >> 8) & LANE1) * 0xff; mxO = (o & m) | (mxO & ~m);
          m = ((((e | HIGH) - mnE) >> 8) & LANE1) * 0xff; mnE = (mnE & m) | (e & ~m);
          m = ((((o | HIGH) - mnO) >> 8) & LANE1) * 0xff; mnO = (mnO & m) | (o & ~m);
        }
        p += w;
      }
      let mn: i32 = 255, mx: i32 = 0;
      for (let k: u64 = 0; k < 64; k += 16) {
        mx = max(mx, <i32>((mxE >> k) & 0xff)); mx = max(mx, <i32>((mxO >> k) & 0xff));
        mn = min(mn, <i32>((mnE >> k) & 0xff)); mn = min(mn, <i32>((mnO >> k) & 0xff));
      }
      const sum = <i32>((acc & 0xffff) + ((acc >> 16) & 0xffff) + ((acc >> 32) & 0xffff) + (acc >> 48));
      if (mx - mn > MIN_RANGE) texturedBlocks++; else flatBlocks++;
      const sp = st + (<usize>(by * bw + bx) << 3);
      store<i32>(sp, sum);
      store<i32>(sp, mn | (mx << 8), 4);
    }
  }
}

/** Levels of the current pass from the block statistics, then every pixel against its 5x5-block mean. */
export function thresholdBlocks(w: i32, h: i32): void {
  if (w < 40 || h < 40) { globalThreshold(w, h); return; }
  const neg: u64 = negative ? 0xffffffffffffffff : 0;
  const bw = (w + 7) >> 3, bh = (h + 7) >> 3;
  const g = grayPtr, blk = blkPtr, st = blkStatPtr;
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const sp = st + (<usize>(by * bw + bx) << 3);
      let sum = load<i32>(sp);
      const mm = load<i32>(sp, 4);
      let mn = mm & 0xff, mx = mm >> 8;
      if (negative) { sum = 64 * 255 - sum; const t = mn; mn = 255 - mx; mx = 255 - t; }
      let avg = sum >> 6;
      if (mx - mn <= MIN_RANGE) {
        // flat block: assume light (level below everything in it) unless neighbours say it is darker
        avg = FLAT_LEVEL(mn);
        if (by > 0 && bx > 0) {
          const up = load<i32>(blk + (<usize>((by - 1) * bw + bx) << 2));
          const left = load<i32>(blk + (<usize>(by * bw + bx - 1) << 2));
          const ul = load<i32>(blk + (<usize>((by - 1) * bw + bx - 1) << 2));
          const nb = (up + 2 * left + ul) >> 2;
          if (mn < nb) avg = nb;
        }
      }
      store<i32>(blk + (<usize>(by * bw + bx) << 2), avg);
    }
  }
  // threshold each block with the 5x5 neighbourhood mean (SWAR compare, 8 pixels per step)
  const b = binPtr;
  for (let by = 0; by < bh; by++) {
    let y0 = by << 3; if (y0 > h - 8) y0 = h - 8;
    const cy = by < 2 ? 2 : (by > bh - 3 ? bh - 3 : by);
    for (let bx = 0; bx < bw; bx++) {
      let x0 = bx << 3; if (x0 > w - 8) x0 = w - 8;
      const cx = bx < 2 ? 2 : (bx > bw - 3 ? bw - 3 : bx);
      let s: i32 = 0;
      for (let dy = -2; dy <= 2; dy++) {
        const rowp = blk + (<usize>((cy + dy) * bw + cx - 2) << 2);
        s += load<i32>(rowp) + load<i32>(rowp, 4) + load<i32>(rowp, 8) + load<i32>(rowp, 12) + load<i32>(rowp, 16);
      }
      let t = s / 25;
      if (t > 255) t = 255;
      // lane + (255 - t) sets bit 8 exactly when the pixel is > t (light)
      const K = <u64>(255 - t) * LANE1;
      let off = <usize>(y0 * w + x0);
      for (let yy = 0; yy < 8; yy++) {
        const v = load<u64>(g + off) ^ neg;
        const e = (v & LANES) + K, o = ((v >> 8) & LANES) + K;
        const darkE = (~e >> 8) & LANE1, darkO = (~o >> 8) & LANE1;
        store<u64>(b + off, darkE | (darkO << 8));
        off += w;
      }
    }
  }
}

const LANES: u64 = 0x00ff00ff00ff00ff;
const LANE1: u64 = 0x0001000100010001;
const HIGH: u64 = 0x0100010001000100;

/** For tiny frames: one threshold from the histogram (valley between the two peaks, Otsu). */
function globalThreshold(w: i32, h: i32): void {
  const n = w * h;
  const hist = blkPtr; // borrow: 256 i32
  for (let i = 0; i < 256; i++) store<i32>(hist + (<usize>i << 2), 0);
  for (let i = 0; i < n; i++) {
    const v = <usize>load<u8>(grayPtr + i);
    store<i32>(hist + (v << 2), load<i32>(hist + (v << 2)) + 1);
  }
  let total: f64 = 0;
  for (let i = 0; i < 256; i++) total += <f64>i * <f64>load<i32>(hist + (<usize>i << 2));
  let wB: f64 = 0, sumB: f64 = 0, best: f64 = -1, t: i32 = 127;
  for (let i = 0; i < 256; i++) {
    const c = <f64>load<i32>(hist + (<usize>i << 2));
    wB += c; if (wB == 0) continue;
    const wF = <f64>n - wB; if (wF == 0) break;
    sumB += <f64>i * c;
    const mB = sumB / wB, mF = (total - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) { best = between; t = i; }
  }
  for (let i = 0; i < n; i++) store<u8>(binPtr + i, <i32>load<u8>(grayPtr + i) <= t ? 1 : 0);
  if (negative) invertBinary(w, h);
}

/** Swaps dark and light (for light-on-dark codes). */
export function invertBinary(w: i32, h: i32): void {
  const n = w * h;
  const b = binPtr;
  let i = 0;
  for (; i + 4 <= n; i += 4) store<u32>(b + i, load<u32>(b + i) ^ 0x01010101);
  for (; i < n; i++) store<u8>(b + i, load<u8>(b + i) ^ 1);
}

// Level of a flat block: just under its darkest pixel, so flat paper stays light and a low-contrast code
// next to it keeps a threshold between its own dark and light levels.
let flatMode: i32 = 0;
export function setFlatMode(m: i32): void { flatMode = m; }
// @ts-ignore
@inline function FLAT_LEVEL(mn: i32): i32 { return flatMode == 0 ? max(mn - 12, 0) : mn >> 1; }
