// Perspective grid: a homography from module coordinates (u, v) to image pixels (x, y), fitted to point
// correspondences (4 exact, or more by least squares), and sampling of the module grid from the binary
// image. Coefficients: x = (a u + b v + c) / (g u + h v + 1), y = (d u + e v + f) / (g u + h v + 1).
import { binPtr, grayPtr } from "./frame";

export const HM = new StaticArray<f64>(8);     // current transform
const M = new StaticArray<f64>(8 * 9);          // normal equations / augmented matrix
export const MAXDIM: i32 = 177;
export const grid = new StaticArray<u8>(MAXDIM * MAXDIM);

// correspondence list
export const MAXPTS: i32 = 64;
export const pu = new StaticArray<f64>(MAXPTS);
export const pv = new StaticArray<f64>(MAXPTS);
export const pxs = new StaticArray<f64>(MAXPTS);
export const pys = new StaticArray<f64>(MAXPTS);
export let nPts: i32 = 0;
export function clearPoints(): void { nPts = 0; }
export function addPoint(u: f64, v: f64, x: f64, y: f64): void {
  if (nPts >= MAXPTS) return;
  unchecked(pu[nPts] = u); unchecked(pv[nPts] = v); unchecked(pxs[nPts] = x); unchecked(pys[nPts] = y);
  nPts++;
}

/** Least-squares (exact for 4 points) fit of HM to the point list. Returns false when degenerate. */
export function fitHomography(): bool {
  if (nPts < 4) return false;
  for (let i = 0; i < 72; i++) unchecked(M[i] = 0);
  // normalise for conditioning: shift/scale u,v and x,y
  let mu: f64 = 0, mv: f64 = 0, mx: f64 = 0, my: f64 = 0;
  for (let i = 0; i < nPts; i++) { mu += unchecked(pu[i]); mv += unchecked(pv[i]); mx += unchecked(pxs[i]); my += unchecked(pys[i]); }
  const n = <f64>nPts; mu /= n; mv /= n; mx /= n; my /= n;
  let su: f64 = 0, sx: f64 = 0;
  for (let i = 0; i < nPts; i++) {
    su += Math.abs(unchecked(pu[i]) - mu) + Math.abs(unchecked(pv[i]) - mv);
    sx += Math.abs(unchecked(pxs[i]) - mx) + Math.abs(unchecked(pys[i]) - my);
  }
  su = su / (2 * n); sx = sx / (2 * n);
  if (su < 1e-9 || sx < 1e-9) return false;
  for (let i = 0; i < nPts; i++) {
    const u = (unchecked(pu[i]) - mu) / su, v = (unchecked(pv[i]) - mv) / su;
    const x = (unchecked(pxs[i]) - mx) / sx, y = (unchecked(pys[i]) - my) / sx;
    // rows: [u v 1 0 0 0 -ux -vx | x], [0 0 0 u v 1 -uy -vy | y]
    accumulate(u, v, 1, 0, 0, 0, -u * x, -v * x, x);
    accumulate(0, 0, 0, u, v, 1, -u * y, -v * y, y);
  }
  if (!solve8()) return false;
  // de-normalise: H = Tx^-1 * Hn * Tu
  const a = M[8], b = M[17], c = M[26], d = M[35], e = M[44], f = M[53], g = M[62], h = M[71];
  // Hn maps (u',v') -> (x',y'); u' = (u-mu)/su. Compose.
  const g2 = g / su, h2 = h / su, k2 = 1 - g * mu / su - h * mv / su;
  const a2 = a / su, b2 = b / su, c2 = c - a * mu / su - b * mv / su;
  const d2 = d / su, e2 = e / su, f2 = f - d * mu / su - e * mv / su;
  // x = sx * x' + mx with x' = (a2 u + b2 v + c2)/(g2 u + h2 v + k2)
  if (Math.abs(k2) < 1e-12) return false;
  unchecked(HM[0] = (sx * a2 + mx * g2) / k2);
  unchecked(HM[1] = (sx * b2 + mx * h2) / k2);
  unchecked(HM[2] = (sx * c2 + mx * k2) / k2);
  unchecked(HM[3] = (sx * d2 + my * g2) / k2);
  unchecked(HM[4] = (sx * e2 + my * h2) / k2);
  unchecked(HM[5] = (sx * f2 + my * k2) / k2);
  unchecked(HM[6] = g2 / k2);
  unchecked(HM[7] = h2 / k2);
  return true;
}

function accumulate(r0: f64, r1: f64, r2: f64, r3: f64, r4: f64, r5: f64, r6: f64, r7: f64, rhs: f64): void {
  // M += r^T r, rhs column += r * rhs
  const r = rowTmp;
  unchecked(r[0] = r0); unchecked(r[1] = r1); unchecked(r[2] = r2); unchecked(r[3] = r3);
  unchecked(r[4] = r4); unchecked(r[5] = r5); unchecked(r[6] = r6); unchecked(r[7] = r7);
  for (let i = 0; i < 8; i++) {
    const ri = unchecked(r[i]);
    if (ri == 0) continue;
    for (let j = 0; j < 8; j++) unchecked(M[i * 9 + j] += ri * unchecked(r[j]));
    unchecked(M[i * 9 + 8] += ri * rhs);
  }
}
const rowTmp = new StaticArray<f64>(8);

function solve8(): bool {
  for (let col = 0; col < 8; col++) {
    let piv = col; let best = Math.abs(unchecked(M[col * 9 + col]));
    for (let r = col + 1; r < 8; r++) { const v = Math.abs(unchecked(M[r * 9 + col])); if (v > best) { best = v; piv = r; } }
    if (best < 1e-12) return false;
    if (piv != col) for (let j = 0; j < 9; j++) { const t = unchecked(M[col * 9 + j]); unchecked(M[col * 9 + j] = M[piv * 9 + j]); unchecked(M[piv * 9 + j] = t); }
    const d = unchecked(M[col * 9 + col]);
    for (let j = col; j < 9; j++) unchecked(M[col * 9 + j] /= d);
    for (let r = 0; r < 8; r++) {
      if (r == col) continue;
      const f = unchecked(M[r * 9 + col]);
      if (f == 0) continue;
      for (let j = col; j < 9; j++) unchecked(M[r * 9 + j] -= f * unchecked(M[col * 9 + j]));
    }
  }
  // solution in column 8: store in M[i*9+8]
  return true;
}

const HM_SAVED = new StaticArray<f64>(8);
/** Keeps a copy of HM (restoreHM() brings it back). */
export function saveHM(): void { for (let i = 0; i < 8; i++) unchecked(HM_SAVED[i] = HM[i]); }
export function restoreHM(): void { for (let i = 0; i < 8; i++) unchecked(HM[i] = HM_SAVED[i]); }

export let outX: f64 = 0, outY: f64 = 0;
// @ts-ignore
@inline export function project(u: f64, v: f64): void {
  const den = unchecked(HM[6]) * u + unchecked(HM[7]) * v + 1.0;
  outX = (unchecked(HM[0]) * u + unchecked(HM[1]) * v + unchecked(HM[2])) / den;
  outY = (unchecked(HM[3]) * u + unchecked(HM[4]) * v + unchecked(HM[5])) / den;
}

/**
 * Samples the dim x dim module grid (module centres) from the binary image into `grid`.
 * Returns the number of samples that fell outside the frame (those read as light).
 */
export function sampleGrid(dim: i32, w: i32, h: i32): i32 {
  let outside = 0;
  const a = HM[0], b = HM[1], c = HM[2], d = HM[3], e = HM[4], f = HM[5], g = HM[6], hh = HM[7];
  for (let r = 0; r < dim; r++) {
    const v = <f64>r + 0.5;
    for (let col = 0; col < dim; col++) {
      const u = <f64>col + 0.5;
      const den = g * u + hh * v + 1.0;
      const x = <i32>Math.floor((a * u + b * v + c) / den);
      const y = <i32>Math.floor((d * u + e * v + f) / den);
      let bit: u8 = 0;
      if (x >= 0 && y >= 0 && x < w && y < h) bit = load<u8>(binPtr + <usize>(y * w + x));
      else outside++;
      unchecked(grid[r * dim + col] = bit);
    }
  }
  return outside;
}

/** Timing-pattern agreement of the current HM: modules on row 6 and column 6 (8..dim-9) that read as they should. */
export function timingAgreement(dim: i32, w: i32, h: i32): i32 {
  let s = 0;
  for (let i = 8; i < dim - 8; i++) {
    const want = (i & 1) == 0 ? 1 : 0;
    if (sampleAt(<f64>i + 0.5, 6.5, w, h) == want) s++;
    if (sampleAt(6.5, <f64>i + 0.5, w, h) == want) s++;
  }
  return s;
}

/** Projects one module centre and returns the binary sample there (0 outside). */
export function sampleAt(u: f64, v: f64, w: i32, h: i32): i32 {
  project(u, v);
  const x = <i32>Math.floor(outX), y = <i32>Math.floor(outY);
  if (x < 0 || y < 0 || x >= w || y >= h) return 0;
  return <i32>load<u8>(binPtr + <usize>(y * w + x));
}

// ---- modules read from the gray image (a second reading when the binary one fails)
const modVal = new StaticArray<u8>(MAXDIM * MAXDIM);   // module gray level (mean of 4 samples)
const colSum = new StaticArray<i32>(MAXDIM);           // per column: the levels of the 7 rows around the current one

/**
 * Samples the dim x dim grid from the gray image: each module the mean of four pixels a quarter of a
 * module from its centre along the diagonals (the centre of a blurred module keeps its level best, its
 * rim takes the neighbours'), then dark where that is under the mean of the 7x7 modules around it (a
 * threshold per module from its neighbourhood, not per pixel block: blur that flattens a lone light module
 * between dark ones still leaves it lighter than its surroundings). `negative`: light-on-dark code.
 */
export function sampleGridGray(dim: i32, w: i32, h: i32, negative: bool): void {
  // HM in locals, as in sampleGrid: four projections per module (project() reloads HM each time)
  const a = HM[0], b = HM[1], c = HM[2], d = HM[3], e = HM[4], f = HM[5], g = HM[6], hh = HM[7];
  for (let r = 0; r < dim; r++) {
    for (let col = 0; col < dim; col++) {
      let s = 0;
      for (let q = 0; q < 4; q++) {
        const u = <f64>col + ((q & 1) == 0 ? 0.25 : 0.75), v = <f64>r + (q < 2 ? 0.25 : 0.75);
        const den = g * u + hh * v + 1.0;
        let x = <i32>Math.floor((a * u + b * v + c) / den), y = <i32>Math.floor((d * u + e * v + f) / den);
        if (x < 0) x = 0; else if (x >= w) x = w - 1;
        if (y < 0) y = 0; else if (y >= h) y = h - 1;
        s += <i32>load<u8>(grayPtr + <usize>(y * w + x));
      }
      s = (s + 2) >> 2;
      unchecked(modVal[r * dim + col] = <u8>(negative ? 255 - s : s));
    }
  }
  // the 7x7 mean per module (clipped at the symbol's edges): column sums over the rows r-3..r+3, slid down
  for (let col = 0; col < dim; col++) {
    let s = 0;
    for (let r = 0; r < min(3, dim); r++) s += <i32>unchecked(modVal[r * dim + col]);
    unchecked(colSum[col] = s);
  }
  for (let r = 0; r < dim; r++) {
    if (r + 3 < dim) for (let col = 0; col < dim; col++) unchecked(colSum[col] += <i32>unchecked(modVal[(r + 3) * dim + col]));
    if (r - 4 >= 0) for (let col = 0; col < dim; col++) unchecked(colSum[col] -= <i32>unchecked(modVal[(r - 4) * dim + col]));
    const rows = min(dim, r + 4) - max(0, r - 3);
    let win = 0;
    for (let col = 0; col < min(3, dim); col++) win += unchecked(colSum[col]);
    for (let col = 0; col < dim; col++) {
      if (col + 3 < dim) win += unchecked(colSum[col + 3]);
      if (col - 4 >= 0) win -= unchecked(colSum[col - 4]);
      const n = rows * (min(dim, col + 4) - max(0, col - 3));
      unchecked(grid[r * dim + col] = <i32>unchecked(modVal[r * dim + col]) * n < win ? 1 : 0);
    }
  }
}
