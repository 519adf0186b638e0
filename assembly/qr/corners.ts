// The four outer corners of a finder pattern, for symbols under strong shear: walking from the centre
// along the symbol axes (locate.ts) misses a finder squashed into a thin parallelogram, but its outer dark
// ring is still one closed curve around the centre. A ray from the centre crosses core, light ring, dark
// ring and then the separator; the last dark pixel before the separator is on the ring's outer boundary,
// which is followed pixel by pixel (Moore neighbour tracing, 8-connected) once round. The corners are the
// boundary's extremes along the diagonals of the frame the two symbol axes span. No allocation; the
// tracing stops after a step cap, so a ring merged with its surroundings costs a bounded amount.
import { binPtr } from "./frame";

let W: i32 = 0, H: i32 = 0;
/** Corners of the last traceCorners(), in the axes' order: (0,0), (1,0), (1,1), (0,1) (u right, v down). */
export const cornerX = new StaticArray<f64>(4);
export const cornerY = new StaticArray<f64>(4);
/** Boundary steps (and ray pixels) of the last traceCorners(), for the caller's work meter. */
export let traced: i32 = 0;

// @ts-ignore
@inline function dark(x: i32, y: i32): bool { return x >= 0 && y >= 0 && x < W && y < H && load<u8>(binPtr + <usize>(y * W + x)) != 0; }

// Moore neighbourhood, clockwise in image coordinates (y down) starting east
const NX: StaticArray<i32> = [1, 1, 0, -1, -1, -1, 0, 1];
const NY: StaticArray<i32> = [0, 1, 1, 1, 0, -1, -1, -1];

/**
 * Corners (0,0), (1,0), (1,1), (0,1) of the finder centred at (cx, cy) in the frame of the axes (ux, uy),
 * (vx, vy) (unit, TL→TR and TL→BL): along the ray (rx, ry) (unit, out of the symbol) every dark-to-light
 * exit within maxR px starts a trace of that boundary (three at most: the centre may sit beside a thin
 * core, in the light ring), and the widest closed boundary round the centre, the ring's, gives the corners.
 * maxSteps bounds each trace. False when none is found.
 */
export function traceCorners(w: i32, h: i32, cx: f64, cy: f64, rx: f64, ry: f64, ux: f64, uy: f64, vx: f64, vy: f64, maxR: f64, maxSteps: i32): bool {
  W = w; H = h; traced = 0;
  const det = ux * vy - uy * vx;
  if (Math.abs(det) < 0.05) return false;
  let best: f64 = 0, exits = 0, t: f64 = 0, was = false;
  while (t < maxR && exits < 3) {
    const x = <i32>Math.floor(cx + rx * t), y = <i32>Math.floor(cy + ry * t);
    const d = dark(x, y);
    if (was && !d) {
      exits++;
      const px = <i32>Math.floor(cx + rx * (t - 0.5)), py = <i32>Math.floor(cy + ry * (t - 0.5));
      const span = traceOne(px, py, x - px, y - py, cx, cy, ux, uy, vx, vy, det, maxSteps);
      if (span > best) {
        best = span;
        for (let k = 0; k < 4; k++) { unchecked(cornerX[k] = tx[k]); unchecked(cornerY[k] = ty[k]); }
      }
    }
    was = d;
    t += 0.5; traced++;
  }
  return best > 0;
}
const tx = new StaticArray<f64>(4);
const ty = new StaticArray<f64>(4);

/**
 * Follows the boundary of the dark region at (x, y), entered from its light neighbour at offset (ox, oy),
 * once round; sets tx/ty to its extremes along the frame's diagonals and returns their span (the sum of
 * the two diagonals' extents), or 0 when the boundary does not close within maxSteps or does not go round
 * the centre.
 */
function traceOne(x0: i32, y0: i32, ox: i32, oy: i32, cx: f64, cy: f64, ux: f64, uy: f64, vx: f64, vy: f64, det: f64, maxSteps: i32): f64 {
  if (ox < -1 || ox > 1 || oy < -1 || oy > 1 || (ox == 0 && oy == 0)) return 0;
  // extremes of -(a+b), a-b, a+b, b-a (a, b: affine coordinates relative to the centre)
  let e0: f64 = -1e9, e1: f64 = -1e9, e2: f64 = -1e9, e3: f64 = -1e9;
  let dir = 0;
  for (let k = 0; k < 8; k++) if (unchecked(NX[k]) == ox && unchecked(NY[k]) == oy) dir = k;
  let x = x0, y = y0, steps = 0, closed = false;
  while (steps < maxSteps) {
    const px = <f64>x + 0.5 - cx, py = <f64>y + 0.5 - cy;
    const a = (px * vy - py * vx) / det, b = (ux * py - uy * px) / det;
    if (-(a + b) > e0) { e0 = -(a + b); unchecked(tx[0] = <f64>x + 0.5); unchecked(ty[0] = <f64>y + 0.5); }
    if (a - b > e1) { e1 = a - b; unchecked(tx[1] = <f64>x + 0.5); unchecked(ty[1] = <f64>y + 0.5); }
    if (a + b > e2) { e2 = a + b; unchecked(tx[2] = <f64>x + 0.5); unchecked(ty[2] = <f64>y + 0.5); }
    if (b - a > e3) { e3 = b - a; unchecked(tx[3] = <f64>x + 0.5); unchecked(ty[3] = <f64>y + 0.5); }
    // next boundary pixel: clockwise round (x, y) from the light neighbour we came from
    let found = false;
    for (let k = 1; k <= 8; k++) {
      const d = (dir + k) & 7;
      const nx = x + unchecked(NX[d]), ny = y + unchecked(NY[d]);
      if (dark(nx, ny)) {
        // the light neighbour checked just before becomes the one we came from, seen from (nx, ny)
        const pd = (dir + k - 1) & 7;
        const lx = x + unchecked(NX[pd]) - nx, ly = y + unchecked(NY[pd]) - ny;
        for (let q = 0; q < 8; q++) if (unchecked(NX[q]) == lx && unchecked(NY[q]) == ly) dir = q;
        x = nx; y = ny; found = true;
        break;
      }
    }
    steps++;
    if (!found) break;                       // an isolated pixel
    if (x == x0 && y == y0) { closed = true; break; }
  }
  traced += steps;
  // round the centre: it lies inside on both diagonals
  if (!closed || steps < 16 || e0 <= 0 || e1 <= 0 || e2 <= 0 || e3 <= 0) return 0;
  return e0 + e1 + e2 + e3;
}
