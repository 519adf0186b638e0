// Finder pattern detection on the binary image: row scans for dark/light/dark/light/dark runs in
// 1:1:3:1:1, confirmed by a vertical and a second horizontal cross-check through the centre and a loose
// diagonal check; nearby hits merge into one candidate (weighted mean, hit count).
import { binPtr } from "./frame";

export const MAXC: i32 = 128;
// The board's hard cap on finder candidates per pass (boards/*.json camera.qrMaxCandidates): a frame with
// more is texture, not codes. Without a board build: 40 for MCU-class (QVGA) cameras, else MAXC.
// @ts-ignore: compile-time constants from the board build
const CAND_DEFAULT: i32 = (isDefined(BOARD_CAMERA_W) ? BOARD_CAMERA_W : 1920) * (isDefined(BOARD_CAMERA_H) ? BOARD_CAMERA_H : 1440) <= 100000 ? 40 : MAXC;
// @ts-ignore
const CAND_BOARD: i32 = isDefined(BOARD_QR_MAX_CAND) ? BOARD_QR_MAX_CAND : CAND_DEFAULT;
export const CAND_LIMIT: i32 = CAND_BOARD < 3 ? 3 : (CAND_BOARD > MAXC ? MAXC : CAND_BOARD);

// Work of the last findFinders() in estimated wasmtime fuel (runs and cross-checks counted; see decoder.ts).
export const FUEL_PER_RUN: i32 = 170;
export const FUEL_PER_HIT: i32 = 8000;
export const FUEL_PER_ROW: i32 = 40;
export let finderFuel: i64 = 0;
export const fx = new StaticArray<f64>(MAXC);
export const fy = new StaticArray<f64>(MAXC);
export const fms = new StaticArray<f64>(MAXC);   // module size estimate
export const fcnt = new StaticArray<i32>(MAXC);
export const fring = new StaticArray<bool>(MAXC);  // passed the rotation-invariant ring check at least once
export let nCand: i32 = 0;

let W: i32 = 0, H: i32 = 0;

// @ts-ignore
@inline function px(x: i32, y: i32): i32 { return <i32>load<u8>(binPtr + <usize>(y * W + x)); }

function ratioOk(a: f64, b: f64, c: f64, d: f64, e: f64): bool {
  const total = a + b + c + d + e;
  if (total < 7) return false;
  const m = total / 7.0;
  const tol = m * 0.5 + 0.5;
  const outer = (a + b + d + e) * 0.25;
  if (c < outer * 1.9 || c > outer * 5.0) return false;
  return Math.abs(a - m) < tol && Math.abs(b - m) < tol && Math.abs(d - m) < tol && Math.abs(e - m) < tol &&
    Math.abs(c - 3 * m) < 3 * tol;
}

/** Integer form of ratioOk (same tolerances), for the per-run test in the row scan. */
// @ts-ignore
@inline function ratioOkI(a: i32, b: i32, c: i32, d: i32, e: i32): bool {
  const t = a + b + c + d + e;
  if (t < 7) return false;
  const o = a + b + d + e;
  if (40 * c < 19 * o || 4 * c > 5 * o) return false;
  const lim = t + 7;
  return abs(14 * a - 2 * t) < lim && abs(14 * b - 2 * t) < lim && abs(14 * d - 2 * t) < lim && abs(14 * e - 2 * t) < lim &&
    abs(14 * c - 6 * t) < 3 * t + 21;
}

let ccCenter: f64 = 0;
let ccTotal: i32 = 0;

/**
 * Run check through (x, y) along one axis (vertical when `vertical`): the 1:1:3:1:1 pattern centred on the
 * dark pixel at (x, y). Sets ccCenter (the coordinate along that axis) and ccTotal.
 */
function cross(x: i32, y: i32, vertical: bool, maxCount: i32, origTotal: i32): bool {
  const n = vertical ? H : W;                  // pixels along the axis
  const at = vertical ? y : x;                  // start position along it
  const base = binPtr + <usize>(vertical ? x : y * W);
  const step: usize = vertical ? <usize>W : 1;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  let i = at;
  while (i >= 0 && load<u8>(base + <usize>i * step) == 1) { s2++; i--; }
  if (i < 0) return false;
  while (i >= 0 && load<u8>(base + <usize>i * step) == 0 && s1 <= maxCount) { s1++; i--; }
  if (i < 0 || s1 > maxCount) return false;
  while (i >= 0 && load<u8>(base + <usize>i * step) == 1 && s0 <= maxCount) { s0++; i--; }
  if (s0 > maxCount) return false;
  i = at + 1;
  while (i < n && load<u8>(base + <usize>i * step) == 1) { s2++; i++; }
  if (i >= n) return false;
  while (i < n && load<u8>(base + <usize>i * step) == 0 && s3 <= maxCount) { s3++; i++; }
  if (i >= n || s3 > maxCount) return false;
  while (i < n && load<u8>(base + <usize>i * step) == 1 && s4 <= maxCount) { s4++; i++; }
  if (s4 > maxCount) return false;
  const total = s0 + s1 + s2 + s3 + s4;
  // under strong perspective a finder near the camera is foreshortened along one axis: up to 3x wider than tall
  if (total * 3 < origTotal || total > origTotal * 3 + 2) return false;
  if (!ratioOk(<f64>s0, <f64>s1, <f64>s2, <f64>s3, <f64>s4)) return false;
  ccCenter = <f64>(i - s4 - s3) - <f64>s2 / 2.0;
  ccTotal = total;
  return true;
}

/** Loose diagonal check: dark core, then light, then dark ring along both diagonal directions. */
function crossDiag(x: i32, y: i32, maxCount: i32): bool {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  let i = 0;
  while (y - i >= 0 && x - i >= 0 && px(x - i, y - i) == 1) { s2++; i++; }
  if (y - i < 0 || x - i < 0) return false;
  while (y - i >= 0 && x - i >= 0 && px(x - i, y - i) == 0 && s1 <= maxCount) { s1++; i++; }
  if (y - i < 0 || x - i < 0 || s1 > maxCount) return false;
  while (y - i >= 0 && x - i >= 0 && px(x - i, y - i) == 1 && s0 <= maxCount) { s0++; i++; }
  if (s0 > maxCount) return false;
  i = 1;
  while (y + i < H && x + i < W && px(x + i, y + i) == 1) { s2++; i++; }
  if (y + i >= H || x + i >= W) return false;
  while (y + i < H && x + i < W && px(x + i, y + i) == 0 && s3 <= maxCount) { s3++; i++; }
  if (y + i >= H || x + i >= W || s3 > maxCount) return false;
  while (y + i < H && x + i < W && px(x + i, y + i) == 1 && s4 <= maxCount) { s4++; i++; }
  if (s4 > maxCount) return false;
  const total = <f64>(s0 + s1 + s2 + s3 + s4);
  if (total < 7) return false;
  diagTotal = total * 1.4142135623730951;
  const m = total / 7.0;
  const tol = m * 0.9 + 0.7;
  return Math.abs(<f64>s0 - m) < tol && Math.abs(<f64>s1 - m) < tol && Math.abs(<f64>s3 - m) < tol &&
    Math.abs(<f64>s4 - m) < tol && Math.abs(<f64>s2 - 3 * m) < 3 * tol;
}

let diagTotal: f64 = 0;

// unit circle, 16 directions
const CS = new StaticArray<f64>(16);
const SN = new StaticArray<f64>(16);
function initCircle(): void { for (let i = 0; i < 16; i++) { CS[i] = Math.cos(<f64>i * Math.PI / 8); SN[i] = Math.sin(<f64>i * Math.PI / 8); } }
initCircle();

/**
 * Rotation-invariant structure check: with m the smallest of the horizontal/vertical/diagonal module
 * estimates, a circle of radius 2.3 m lies in the light ring at any rotation, a circle of 0.8 m in the core.
 */
function ringCheck(cx: f64, cy: f64, m: f64): bool {
  let light = 0, dark = 0;
  const r1 = 2.3 * m, r0 = 0.8 * m;
  for (let i = 0; i < 16; i++) {
    const x = <i32>Math.floor(cx + r1 * CS[i]), y = <i32>Math.floor(cy + r1 * SN[i]);
    if (x >= 0 && y >= 0 && x < W && y < H && px(x, y) == 0) light++;
    if ((i & 1) == 0) {
      const x0 = <i32>Math.floor(cx + r0 * CS[i]), y0 = <i32>Math.floor(cy + r0 * SN[i]);
      if (x0 >= 0 && y0 >= 0 && x0 < W && y0 < H && px(x0, y0) == 1) dark++;
    }
  }
  return light >= 11 && dark >= 5;
}

function nearExisting(cx: f64, cy: f64, ms: f64): i32 {
  for (let k = 0; k < nCand; k++) {
    const m = unchecked(fms[k]);
    const lim = m * 1.5 + 1;
    if (Math.abs(cx - unchecked(fx[k])) <= lim && Math.abs(cy - unchecked(fy[k])) <= lim) {
      const dm = Math.abs(ms - m);
      if (dm <= 1.0 || dm <= m * 0.5) return k;
    }
  }
  return -1;
}

let hits: i32 = 0;
function handleHit(c0: i32, c1: i32, c2: i32, c3: i32, c4: i32, xEnd: i32, y: i32): void {
  hits++;
  const total = c0 + c1 + c2 + c3 + c4;
  const cxf = <f64>(xEnd - c4 - c3) - <f64>c2 / 2.0;
  const ms0 = <f64>total / 7.0;
  // a hit on an already confirmed candidate only adds to its count
  const near = nearExisting(cxf, <f64>y, ms0);
  if (near >= 0 && unchecked(fcnt[near]) >= 2) {
    // confirmed candidate: refine its x with this row's run centre (running mean), count the hit
    const n = <f64>unchecked(fcnt[near]);
    unchecked(fx[near] = (fx[near] * n + cxf) / (n + 1));
    unchecked(fcnt[near] += 1);
    return;
  }
  let cx = <i32>cxf;
  const maxCount = c2 * 2 + 2;
  if (!cross(cx, y, true, maxCount, total)) return;
  const cyf = ccCenter; const vTotal = ccTotal;
  const cy = <i32>cyf;
  if (!cross(cx, cy, false, maxCount, total)) return;
  const cxf2 = ccCenter; const hTotal = ccTotal;
  cx = <i32>cxf2;
  if (!crossDiag(cx, cy, maxCount)) return;
  const ms = <f64>(vTotal + hTotal) / 14.0;
  let mMin = <f64>Math.min(vTotal, hTotal);
  if (diagTotal < mMin) mMin = diagTotal;
  const ring = ringCheck(cxf2, cyf, mMin / 7.0);
  const k = nearExisting(cxf2, cyf, ms);
  if (k >= 0) {
    const n = <f64>unchecked(fcnt[k]);
    unchecked(fx[k] = (fx[k] * n + cxf2) / (n + 1));
    unchecked(fy[k] = (fy[k] * n + cyf) / (n + 1));
    unchecked(fms[k] = (fms[k] * n + ms) / (n + 1));
    unchecked(fcnt[k] += 1);
    if (ring) unchecked(fring[k] = true);
  } else if (nCand < MAXC) {
    unchecked(fx[nCand] = cxf2); unchecked(fy[nCand] = cyf); unchecked(fms[nCand] = ms); unchecked(fcnt[nCand] = 1);
    unchecked(fring[nCand] = ring);
    nCand++;
  }
}

/**
 * Scans the binary image; fills the candidate arrays. Returns the number of candidates. Stops early at the
 * candidate cap or when the estimated work (finderFuel) reaches maxFuel.
 */
export function findFinders(w: i32, h: i32, rowStep: i32, maxFuel: i64 = i64.MAX_VALUE): i32 {
  W = w; H = h; nCand = 0;
  let runs: i64 = 0, rows: i64 = 0; hits = 0; finderFuel = 0;
  const perRow = <i64>(FUEL_PER_ROW + (w >> 3));
  for (let y = 0; y < h; y += rowStep) {
    if (nCand >= CAND_LIMIT) break;   // a frame full of finder look-alikes (texture, noise): stop here
    finderFuel = runs * FUEL_PER_RUN + <i64>hits * FUEL_PER_HIT + rows * perRow;
    if (finderFuel >= maxFuel) break;
    rows++;
    const row = binPtr + <usize>(y * w);
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, nruns = 0;
    let cur = <i32>load<u8>(row);
    let len = 0;
    let x = 0;
    while (x < w) {
      if ((x & 7) == 0 && x + 8 <= w) {
        // skip 8 pixels at once inside a uniform run
        const v = load<u64>(row + x);
        if (v == (cur == 1 ? 0x0101010101010101 : 0)) { len += 8; x += 8; continue; }
      }
      const p = <i32>load<u8>(row + x);
      if (p == cur) { len++; x++; continue; }
      c0 = c1; c1 = c2; c2 = c3; c3 = c4; c4 = len; nruns++;
      // integer pre-check (centre run longest) before the floating-point ratio test
      if (cur == 1 && nruns >= 5 && c2 > c1 && c2 > c3 && c2 >= c0 && c2 >= c4 && ratioOkI(c0, c1, c2, c3, c4)) handleHit(c0, c1, c2, c3, c4, x, y);
      cur = p; len = 1; x++;
    }
    c0 = c1; c1 = c2; c2 = c3; c3 = c4; c4 = len; nruns++;
    if (cur == 1 && nruns >= 5 && ratioOkI(c0, c1, c2, c3, c4)) handleHit(c0, c1, c2, c3, c4, w, y);
    runs += nruns;
  }
  finderFuel = runs * FUEL_PER_RUN + <i64>hits * FUEL_PER_HIT + rows * perRow;
  return nCand;
}
