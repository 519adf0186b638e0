// Voice front end, streaming one hop (320 samples = 20 ms at 16 kHz) at a time.
//   int16 → x/32768 → pre-emphasis (0.97, state across hops) → ring of the last 512 samples
//   → frame = last 480 samples × periodic Hann → 512-point real FFT (as a 256-point complex FFT, f64) → power (f32)
//   → 40 mel filters (20..4000 Hz) → ln(e + 1e-6) → DCT-II (orthonormal) → 13 cepstra.
// tools/voice/features.py is the training-side twin (same float32 tables from tables.ts); the golden-feature
// test holds them together. Every buffer is static (memory.data); nothing is allocated per hop.
import { HOP, WIN, NFFT, NBINS, NMEL, NCEP, PREEMPH, LOG_EPS, WINDOW, MEL_START, MEL_COUNT, MEL_W, DCT } from "./tables";

export const FEAT_FRAMES: i32 = 50;          // the feature ring: the last 1 s of frames
const RING: i32 = 512;                       // pre-emphasised sample ring (power of two ≥ WIN)

const ring: usize = memory.data(RING * 4, 16);       // f32
const fre: usize = memory.data(NFFT * 8, 16);        // f64 FFT real
const fim: usize = memory.data(NFFT * 8, 16);        // f64 FFT imag
const cosT: usize = memory.data(NFFT / 2 * 8, 16);   // f64 twiddles
const sinT: usize = memory.data(NFFT / 2 * 8, 16);
const bitrev: usize = memory.data(NFFT, 16);         // u16 [NFFT/2]
const pw: usize = memory.data(NBINS * 4, 16);        // f32 power spectrum
const melE: usize = memory.data(NMEL * 4, 16);       // f32 mel energies of the current frame
const logMel: usize = memory.data(NMEL * 4, 16);     // f32 log-mel of the current frame
const cepRing: usize = memory.data(FEAT_FRAMES * NCEP * 4, 16);   // f32 [FEAT_FRAMES][NCEP], ring
const energyRing: usize = memory.data(FEAT_FRAMES * 4, 16);       // f32 frame log-energy (c0), ring

let ringPos: i32 = 0;         // next write index in `ring`
let prevX: f32 = 0;           // last input sample (for pre-emphasis)
let frameCount: i32 = 0;      // frames produced since reset
let tablesReady: bool = false;
// bins 0..MEL_BINS-1 are the ones the mel filters read (the real-FFT split stops there)
const MEL_BINS: i32 = unchecked(MEL_START[NMEL - 1]) + unchecked(MEL_COUNT[NMEL - 1]);

function initTables(): void {
  for (let i = 0; i < NFFT / 2; i++) {
    const a = -2.0 * Math.PI * <f64>i / <f64>NFFT;
    store<f64>(cosT + (<usize>i << 3), Math.cos(a));
    store<f64>(sinT + (<usize>i << 3), Math.sin(a));
  }
  let bits = 0;
  while ((1 << bits) < HALF) bits++;
  for (let i = 0; i < HALF; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    store<u16>(bitrev + (<usize>i << 1), <u16>r);
  }
  tablesReady = true;
}

/** Clears the streaming state (history, rings). Call before a new stream. */
export function frontendReset(): void {
  if (!tablesReady) initTables();
  memory.fill(ring, 0, RING * 4);
  memory.fill(cepRing, 0, FEAT_FRAMES * NCEP * 4);
  memory.fill(energyRing, 0, FEAT_FRAMES * 4);
  ringPos = 0;
  prevX = 0;
  frameCount = 0;
  // history starts as WIN - HOP zeros: the ring is already zero
}

const HALF: i32 = NFFT / 2;                  // the real FFT runs as a HALF-point complex FFT

/**
 * In-place radix-2 complex FFT on fre/fim (length HALF), input already in bit-reversed order. Twiddles from the
 * NFFT table. The first two stages run as one pass with their trivial twiddles (1 and -i); later stages take each
 * twiddle once and apply it to every butterfly that uses it. Same butterflies as the textbook loop, about half the
 * wasm instructions (fuel) on the MCU build.
 */
function fft(): void {
  for (let s = 0; s < HALF; s += 4) {
    const r = fre + (<usize>s << 3), q = fim + (<usize>s << 3);
    const a0r = load<f64>(r), a0i = load<f64>(q), a1r = load<f64>(r, 8), a1i = load<f64>(q, 8);
    const a2r = load<f64>(r, 16), a2i = load<f64>(q, 16), a3r = load<f64>(r, 24), a3i = load<f64>(q, 24);
    const b0r = a0r + a1r, b0i = a0i + a1i, b1r = a0r - a1r, b1i = a0i - a1i;
    const b2r = a2r + a3r, b2i = a2i + a3i, b3r = a2r - a3r, b3i = a2i - a3i;
    // size-4 stage: twiddle 1 for (b0, b2), -i for (b1, b3): b3·(-i) = (b3i, -b3r)
    store<f64>(r, b0r + b2r); store<f64>(q, b0i + b2i);
    store<f64>(r, b0r - b2r, 16); store<f64>(q, b0i - b2i, 16);
    store<f64>(r, b1r + b3i, 8); store<f64>(q, b1i - b3r, 8);
    store<f64>(r, b1r - b3i, 24); store<f64>(q, b1i + b3r, 24);
  }
  const endR = fre + (<usize>HALF << 3);
  for (let size = 8; size <= HALF; size <<= 1) {
    const half = size >> 1;
    const hoff = <usize>half << 3, span = <usize>size << 3;
    const step = <usize>(NFFT / size) << 3;
    let tw: usize = 0;
    for (let k = 0; k < half; k++) {
      const wr = load<f64>(cosT + tw), wi = load<f64>(sinT + tw);
      let a = fre + (<usize>k << 3), ai = fim + (<usize>k << 3);
      while (a < endR) {
        const br = load<f64>(a + hoff), bi = load<f64>(ai + hoff);
        const tr = br * wr - bi * wi, ti = br * wi + bi * wr;
        const ar = load<f64>(a), aim = load<f64>(ai);
        store<f64>(a + hoff, ar - tr); store<f64>(ai + hoff, aim - ti);
        store<f64>(a, ar + tr); store<f64>(ai, aim + ti);
        a += span; ai += span;
      }
      tw += step;
    }
  }
}

/**
 * Consumes one hop of HOP int16 samples at `pcm` and produces one feature frame
 * (log-mel in logMelPtr(), cepstra appended to the cepstrum ring). Returns the frame index.
 */
export function frontendHop(pcm: usize): i32 {
  if (!tablesReady) initTables();
  const inv: f32 = 1.0 / 32768.0;
  for (let i = 0; i < HOP; i++) {
    const x = <f32>load<i16>(pcm + (<usize>i << 1)) * inv;
    const y: f32 = x - PREEMPH * prevX;
    prevX = x;
    store<f32>(ring + (<usize>ringPos << 2), y);
    ringPos = (ringPos + 1) & (RING - 1);
  }
  // frame = the last WIN samples, oldest first, × window, zero-padded to NFFT, packed as z[n] = x[2n] + i·x[2n+1]
  // and written straight to its bit-reversed slot (the FFT's input order)
  const start = (ringPos - WIN) & (RING - 1);
  for (let n = 0; n < WIN / 2; n++) {
    const i0 = 2 * n;
    const v0: f32 = load<f32>(ring + (<usize>((start + i0) & (RING - 1)) << 2)) * unchecked(WINDOW[i0]);
    const v1: f32 = load<f32>(ring + (<usize>((start + i0 + 1) & (RING - 1)) << 2)) * unchecked(WINDOW[i0 + 1]);
    const j = <usize>load<u16>(bitrev + (<usize>n << 1)) << 3;
    store<f64>(fre + j, <f64>v0);
    store<f64>(fim + j, <f64>v1);
  }
  for (let n = WIN / 2; n < HALF; n++) {
    const j = <usize>load<u16>(bitrev + (<usize>n << 1)) << 3;
    store<f64>(fre + j, 0.0);
    store<f64>(fim + j, 0.0);
  }
  fft();
  // split: X[k] = E + W^k·O with E = (Z[k] + conj Z[H-k]) / 2, O = -i (Z[k] - conj Z[H-k]) / 2; power as f32
  // into pw, bins 0..MEL_BINS-1 and HALF (the mel filters read none above MEL_BINS)
  {
    const zr0 = load<f64>(fre), zi0 = load<f64>(fim);
    store<f32>(pw, <f32>((zr0 + zi0) * (zr0 + zi0)));
    store<f32>(pw + (<usize>HALF << 2), <f32>((zr0 - zi0) * (zr0 - zi0)));
  }
  for (let k = 1; k < MEL_BINS; k++) {
    const ar = load<f64>(fre + (<usize>k << 3)), ai = load<f64>(fim + (<usize>k << 3));
    const br = load<f64>(fre + (<usize>(HALF - k) << 3)), bi = -load<f64>(fim + (<usize>(HALF - k) << 3));
    const er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
    const dr = ar - br, di = ai - bi;            // O = -i·d/2 = (di/2, -dr/2)
    const or_ = 0.5 * di, oi = -0.5 * dr;
    const wr = load<f64>(cosT + (<usize>k << 3)), wi = load<f64>(sinT + (<usize>k << 3));
    const xr = er + (or_ * wr - oi * wi), xi = ei + (or_ * wi + oi * wr);
    store<f32>(pw + (<usize>k << 2), <f32>(xr * xr + xi * xi));
  }
  let wi = 0;
  for (let m = 0; m < NMEL; m++) {
    const s = unchecked(MEL_START[m]), c = unchecked(MEL_COUNT[m]);
    let e: f32 = 0;
    for (let j = 0; j < c; j++) e += load<f32>(pw + (<usize>(s + j) << 2)) * unchecked(MEL_W[wi + j]);
    wi += c;
    store<f32>(melE + (<usize>m << 2), e);
    store<f32>(logMel + (<usize>m << 2), Mathf.log(e + LOG_EPS));
  }
  const slot = frameCount % FEAT_FRAMES;
  const dst = cepRing + (<usize>(slot * NCEP) << 2);
  let dp = changetype<usize>(DCT);                  // row-major [NCEP][NMEL], walked once
  for (let i = 0; i < NCEP; i++) {
    let acc: f32 = 0;
    for (let lm = logMel, end = logMel + (<usize>NMEL << 2); lm < end; lm += 4) { acc += load<f32>(dp) * load<f32>(lm); dp += 4; }
    store<f32>(dst + (<usize>i << 2), acc);
  }
  store<f32>(energyRing + (<usize>slot << 2), load<f32>(dst));
  return frameCount++;
}

// A saved copy of the streaming state, so that a one-off utterance (speaker verification) can use the front end
// without disturbing the keyword-spotting stream: save → process the utterance → restore.
const saveRing: usize = memory.data(RING * 4, 16);
const saveCep: usize = memory.data(FEAT_FRAMES * NCEP * 4, 16);
const saveEnergy: usize = memory.data(FEAT_FRAMES * 4, 16);
let savePos: i32 = 0;
let savePrev: f32 = 0;
let saveCount: i32 = 0;

export function frontendSave(): void {
  memory.copy(saveRing, ring, RING * 4); memory.copy(saveCep, cepRing, FEAT_FRAMES * NCEP * 4);
  memory.copy(saveEnergy, energyRing, FEAT_FRAMES * 4);
  savePos = ringPos; savePrev = prevX; saveCount = frameCount;
}
export function frontendRestore(): void {
  memory.copy(ring, saveRing, RING * 4); memory.copy(cepRing, saveCep, FEAT_FRAMES * NCEP * 4);
  memory.copy(energyRing, saveEnergy, FEAT_FRAMES * 4);
  ringPos = savePos; prevX = savePrev; frameCount = saveCount;
}

export function frameCountSinceReset(): i32 { return frameCount; }
export function logMelPtr(): usize { return logMel; }
export function melEnergyPtr(): usize { return melE; }

/** Cepstrum of frame `back` frames ago (0 = newest): pointer to NCEP f32. Valid for back < FEAT_FRAMES. */
export function cepFrame(back: i32): usize {
  let slot = (frameCount - 1 - back) % FEAT_FRAMES;
  if (slot < 0) slot += FEAT_FRAMES;
  return cepRing + (<usize>(slot * NCEP) << 2);
}
