// Alignment pattern search: near a predicted centre, look for a one-module dark core between light runs
// (1:1:1 horizontally), confirm it vertically, and keep the confirmed centre closest to the prediction.
import { binPtr } from "./frame";

export let alX: f64 = 0;
export let alY: f64 = 0;

let W: i32 = 0, H: i32 = 0;
// @ts-ignore
@inline function px(x: i32, y: i32): i32 { return <i32>load<u8>(binPtr + <usize>(y * W + x)); }

function near(v: f64, ms: f64): bool { return Math.abs(v - ms) < ms * 0.7 + 0.75; }

let vCenter: f64 = 0;
function checkV(x: i32, y: i32, ms: f64): bool {
  const maxc = <i32>(ms * 2.5) + 2;
  let s1 = 0, s0 = 0, s2 = 0;
  let i = y;
  while (i >= 0 && px(x, i) == 1 && s1 <= maxc) { s1++; i--; }
  if (i < 0 || s1 > maxc) return false;
  while (i >= 0 && px(x, i) == 0 && s0 <= maxc) { s0++; i--; }
  if (i < 0 || s0 > maxc) return false;
  i = y + 1;
  while (i < H && px(x, i) == 1 && s1 <= maxc) { s1++; i++; }
  if (i >= H || s1 > maxc) return false;
  while (i < H && px(x, i) == 0 && s2 <= maxc) { s2++; i++; }
  if (i >= H || s2 > maxc) return false;
  if (!near(<f64>s1, ms) || !near(<f64>s0, ms) || !near(<f64>s2, ms)) return false;
  vCenter = <f64>(i - s2) - <f64>s1 / 2.0;
  return true;
}

function checkH(x: i32, y: i32, ms: f64): bool {
  const maxc = <i32>(ms * 2.5) + 2;
  let s1 = 0, s0 = 0, s2 = 0;
  let i = x;
  while (i >= 0 && px(i, y) == 1 && s1 <= maxc) { s1++; i--; }
  if (i < 0 || s1 > maxc) return false;
  while (i >= 0 && px(i, y) == 0 && s0 <= maxc) { s0++; i--; }
  if (i < 0 || s0 > maxc) return false;
  i = x + 1;
  while (i < W && px(i, y) == 1 && s1 <= maxc) { s1++; i++; }
  if (i >= W || s1 > maxc) return false;
  while (i < W && px(i, y) == 0 && s2 <= maxc) { s2++; i++; }
  if (i >= W || s2 > maxc) return false;
  if (!near(<f64>s1, ms) || !near(<f64>s0, ms) || !near(<f64>s2, ms)) return false;
  vCenter = <f64>(i - s2) - <f64>s1 / 2.0;
  return true;
}

// module step vectors of the symbol (set by the caller) used to verify the 5x5 structure
let aUx: f64 = 1, aUy: f64 = 0, aVx: f64 = 0, aVy: f64 = 1;
export function setAxes(ux: f64, uy: f64, vx: f64, vy: f64): void { aUx = ux; aUy = uy; aVx = vx; aVy = vy; }

function sampleB(x: f64, y: f64): i32 {
  const ix = <i32>Math.floor(x), iy = <i32>Math.floor(y);
  if (ix < 0 || iy < 0 || ix >= W || iy >= H) return 0;
  return px(ix, iy);
}
/** Counts matches of the 5x5 alignment structure (dark core, light ring, dark ring) at (cx, cy): 0..17. */
function structure(cx: f64, cy: f64): i32 {
  let m = sampleB(cx, cy) == 1 ? 1 : 0;
  for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) {
    if (i == 0 && j == 0) continue;
    const fi = <f64>i, fj = <f64>j;
    if (sampleB(cx + fi * aUx + fj * aVx, cy + fi * aUy + fj * aVy) == 0) m++;
    if (sampleB(cx + 2 * (fi * aUx + fj * aVx), cy + 2 * (fi * aUy + fj * aVy)) == 1) m++;
  }
  return m;
}

/** Searches a (2r+1)² window around (ex, ey). Returns true and sets alX/alY on success. */
export function findAlignment(ex: f64, ey: f64, ms: f64, r: f64, w: i32, h: i32): bool {
  W = w; H = h;
  let x0 = <i32>(ex - r), x1 = <i32>(ex + r), y0 = <i32>(ey - r), y1 = <i32>(ey + r);
  if (x0 < 0) x0 = 0; if (y0 < 0) y0 = 0; if (x1 > w - 1) x1 = w - 1; if (y1 > h - 1) y1 = h - 1;
  if (x1 - x0 < 3 || y1 - y0 < 3) return false;
  let bestD: f64 = 1e30; let found = false;
  for (let y = y0; y <= y1; y++) {
    const row = binPtr + <usize>(y * w);
    // runs inside the window: track previous light run, dark run
    let cur = <i32>load<u8>(row + x0), len = 0, r0 = 0, r1 = 0, nr = 0;
    for (let x = x0; x <= x1 + 1; x++) {
      const p = x <= x1 ? <i32>load<u8>(row + x) : -1;
      if (p == cur) { len++; continue; }
      // run of colour cur ended at x-1; runs: r0 (light), r1 (dark), len (light)
      if (cur == 0 && nr >= 2 && near(<f64>r0, ms) && near(<f64>r1, ms) && near(<f64>len, ms)) {
        const cx = <f64>(x - len) - <f64>r1 / 2.0;
        const ix = <i32>cx;
        if (checkV(ix, y, ms)) {
          const cy = vCenter;
          if (checkH(ix, <i32>cy, ms)) {
            const cx2 = vCenter;
            const st = structure(cx2, cy);
            if (st >= 14) {
              const dx = cx2 - ex, dy = cy - ey;
              const d = (dx * dx + dy * dy) / (ms * ms) + <f64>(17 - st) * 2.0;
              if (d < bestD) { bestD = d; alX = cx2; alY = cy; found = true; }
            }
          }
        }
      }
      r0 = r1; r1 = len; nr++;
      cur = p; len = 1;
    }
    if (found && bestD < 1.0) break;
  }
  return found;
}
