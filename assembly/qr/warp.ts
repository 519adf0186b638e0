// Local correction of the grid for dense codes (version 7+), whose paper may bend: one homography (grid.ts
// HM, through the finders and the bottom-right alignment pattern) cannot follow a curved sheet across 100+
// modules, but the alignment patterns sit every 20-28 modules over the whole symbol. They are the nodes:
// each is looked for where HM puts it, moved by what its located neighbours say HM is off by there (the
// parallelogram rule over any quadrant of located nodes, else their mean), in windows of 2 then 4 modules;
// up to three sweeps, so a node missed at first is searched again once neighbours on another side are
// known (a sag is followed from wherever it was measured). A found centre is refined to sub-pixel (a
// quarter of a module matters at 2 px modules). Every module is then sampled at HM's position plus the
// displacement interpolated between the nodes by a Catmull-Rom spline along both axes (a sag is curved:
// straight interpolation misses the middle of each cell); nodes not found take their prediction, the
// three at the finders (where HM is exact) none. No allocation: 7x7 nodes at most.
import { binPtr, grayPtr } from "./frame";
import { HM, grid, project, outX, outY } from "./grid";
import { findAlignment, alX, alY, setAxes } from "./alignment";
import { ALIGN_POS } from "./tables";

const K_MAX: i32 = 7;
const ndx = new StaticArray<f64>(K_MAX * K_MAX);    // displacement of node (row i, column j) from HM, px
const ndy = new StaticArray<f64>(K_MAX * K_MAX);
const nok = new StaticArray<u8>(K_MAX * K_MAX);     // 1: measured (pattern found, or a finder corner)
const pos = new StaticArray<f64>(K_MAX);            // module coordinate of each node row/column (centre)
let K: i32 = 0;
/** Area (px²) of the search windows (and centre refinements) of the last locateNodes(), for the caller's work meter. */
export let searched: f64 = 0;
/** Alignment patterns the last locateNodes() found. */
export let nodesFound: i32 = 0;

const tried = new StaticArray<u8>(K_MAX * K_MAX);  // support of the prediction the node was last searched with
let predX: f64 = 0, predY: f64 = 0, predSupport: i32 = 0;

// @ts-ignore
@inline function measured(i: i32, j: i32): bool { return i >= 0 && j >= 0 && i < K && j < K && unchecked(nok[i * K + j]) != 0; }

/**
 * Predicted displacement of node (i, j) from its measured neighbours: the parallelogram rule on every
 * quadrant whose three nodes are measured (a smooth bend keeps it), else the mean of the measured direct
 * neighbours. predSupport: how many measured nodes it rests on (more is better). False when none.
 */
function predict(i: i32, j: i32): bool {
  let sx: f64 = 0, sy: f64 = 0, c = 0;
  for (let q = 0; q < 4; q++) {
    const di = q < 2 ? -1 : 1, dj = (q & 1) == 0 ? -1 : 1;
    if (measured(i + di, j) && measured(i, j + dj) && measured(i + di, j + dj)) {
      const a = (i + di) * K + j, b = i * K + j + dj, d = (i + di) * K + j + dj;
      sx += unchecked(ndx[a]) + unchecked(ndx[b]) - unchecked(ndx[d]);
      sy += unchecked(ndy[a]) + unchecked(ndy[b]) - unchecked(ndy[d]);
      c++;
    }
  }
  if (c > 0) { predX = sx / <f64>c; predY = sy / <f64>c; predSupport = 4 + c; return true; }
  for (let q = 0; q < 4; q++) {
    const di = q == 0 ? -1 : (q == 1 ? 1 : 0), dj = q == 2 ? -1 : (q == 3 ? 1 : 0);
    if (measured(i + di, j + dj)) { const a = (i + di) * K + j + dj; sx += unchecked(ndx[a]); sy += unchecked(ndy[a]); c++; }
  }
  if (c == 0) { predX = 0; predY = 0; predSupport = 0; return false; }
  predX = sx / <f64>c; predY = sy / <f64>c; predSupport = c;
  return true;
}

let cenX: f64 = 0, cenY: f64 = 0;
/**
 * Sub-pixel centre of an alignment pattern found at (x, y) (whole or half pixels: a quarter of a module
 * at 2 px modules): the centroid of darkness over the core and its light ring (1.5 modules around), each
 * pixel weighted by how much darker it is than the ring's lightest level minus a third of the contrast.
 */
function refineCentre(x: f64, y: f64, ms: f64, w: i32, h: i32): void {
  cenX = x; cenY = y;
  const rr = ms * 1.5;
  const x0 = <i32>Math.floor(x - rr), x1 = <i32>Math.ceil(x + rr), y0 = <i32>Math.floor(y - rr), y1 = <i32>Math.ceil(y + rr);
  if (x0 < 0 || y0 < 0 || x1 >= w || y1 >= h) return;
  searched += <f64>(2 * (x1 - x0 + 1) * (y1 - y0 + 1));   // two passes over the window
  let lo = 255, hi = 0;
  for (let yy = y0; yy <= y1; yy++) for (let xx = x0; xx <= x1; xx++) {
    const g = <i32>load<u8>(grayPtr + <usize>(yy * w + xx));
    if (g < lo) lo = g;
    if (g > hi) hi = g;
  }
  if (hi - lo < 24) return;
  const t = <f64>hi - <f64>(hi - lo) / 3;
  let sw: f64 = 0, sx: f64 = 0, sy: f64 = 0;
  for (let yy = y0; yy <= y1; yy++) for (let xx = x0; xx <= x1; xx++) {
    const px = <f64>xx + 0.5, py = <f64>yy + 0.5;
    const dx = px - x, dy = py - y;
    if (dx * dx + dy * dy > rr * rr) continue;
    const g = <f64>load<u8>(grayPtr + <usize>(yy * w + xx));
    const wt = t - g;
    if (wt <= 0) continue;
    sw += wt; sx += wt * px; sy += wt * py;
  }
  if (sw <= 0) return;
  const nx = sx / sw, ny = sy / sw;
  // a centroid pulled out of the core by a neighbouring dark module is no refinement
  if ((nx - x) * (nx - x) + (ny - y) * (ny - y) <= ms * ms * 0.25) { cenX = nx; cenY = ny; }
}
/** Searches node (i, j) around HM's position moved by the prediction (predX, predY). */
function searchNode(i: i32, j: i32, w: i32, h: i32): bool {
  const n = i * K + j;
  const u = unchecked(pos[j]), vv = unchecked(pos[i]);
  // local module steps of HM at the node
  project(u, vv);
  const x0 = outX, y0 = outY;
  project(u + 1, vv);
  const ux = outX - x0, uy = outY - y0;
  project(u, vv + 1);
  const vx = outX - x0, vy = outY - y0;
  const ms = Math.sqrt(Math.sqrt((ux * ux + uy * uy) * (vx * vx + vy * vy)));
  setAxes(ux, uy, vx, vy);
  unchecked(ndx[n] = predX); unchecked(ndy[n] = predY);
  for (let f: f64 = 2; f <= 4; f *= 2) {
    const r = ms * f;
    searched += (2 * r + 1) * (2 * r + 1);
    if (findAlignment(x0 + predX, y0 + predY, ms, r, w, h)) {
      refineCentre(alX, alY, ms, w, h);
      unchecked(ndx[n] = cenX - x0); unchecked(ndy[n] = cenY - y0); unchecked(nok[n] = 1);
      nodesFound++;
      return true;
    }
  }
  return false;
}

/**
 * Locates the alignment patterns of version v (v >= 7) around the current HM, searching windows of at most
 * maxArea px² in all. Returns the number found; at least two are needed for the local correction to say
 * more than HM does.
 */
export function locateNodes(v: i32, w: i32, h: i32, maxArea: f64): i32 {
  K = 0;
  while (K < K_MAX && unchecked(ALIGN_POS[(v - 1) * 7 + K]) != 0) K++;
  searched = 0; nodesFound = 0;
  if (K < 2) return 0;
  for (let i = 0; i < K; i++) unchecked(pos[i] = <f64>unchecked(ALIGN_POS[(v - 1) * 7 + i]) + 0.5);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    const n = i * K + j;
    unchecked(ndx[n] = 0); unchecked(ndy[n] = 0); unchecked(nok[n] = 0); unchecked(tried[n] = 0);
    // the three finder corners: HM was fitted there
    if ((i == 0 && j == 0) || (i == 0 && j == K - 1) || (i == K - 1 && j == 0)) unchecked(nok[n] = 1);
  }
  // sweeps: row by row from the TL finder; a node not found gets another search once a neighbour on another
  // side has been located (a bend is followed from wherever it has been measured)
  for (let sweep = 0; sweep < 3; sweep++) {
    let gained = 0;
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
      const n = i * K + j;
      if (unchecked(nok[n]) != 0) continue;
      if (!predict(i, j)) { if (sweep > 0) continue; }
      else if (sweep > 0 && predSupport <= <i32>unchecked(tried[n])) continue;   // nothing new to go by
      unchecked(tried[n] = <u8>predSupport);
      if (searched < maxArea && searchNode(i, j, w, h)) gained++;
    }
    if (gained == 0) break;
  }
  // nodes not found: the prediction from all the measured ones around them
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    const n = i * K + j;
    if (unchecked(nok[n]) == 0 && predict(i, j)) { unchecked(ndx[n] = predX); unchecked(ndy[n] = predY); }
  }
  return nodesFound;
}

/**
 * Samples the dim x dim grid like grid.ts sampleGrid, each module at HM's position plus the displacement
 * interpolated between the nodes of the last locateNodes() (held constant beyond the outer nodes).
 */
export function sampleGridWarped(dim: i32, w: i32, h: i32): void {
  // HM in locals, as in grid.ts sampleGrid (project() reloads HM per call: about 1 M more fuel on a 640x480 frame)
  const a = HM[0], b = HM[1], c = HM[2], d = HM[3], e = HM[4], f = HM[5], g = HM[6], hh = HM[7];
  for (let col = 0; col < dim; col++) splineWeights(<f64>col + 0.5, col);
  for (let r = 0; r < dim; r++) {
    const v = <f64>r + 0.5;
    // this row's displacement at every node column: the spline through the node rows
    splineWeights(v, MAXW);
    const rb = unchecked(wIdx[MAXW]);
    for (let j = 0; j < K; j++) {
      let sx: f64 = 0, sy: f64 = 0;
      for (let q = 0; q < 4; q++) {
        const wt = unchecked(wts[MAXW * 4 + q]);
        if (wt == 0) continue;
        const n = (rb + q) * K + j;
        sx += wt * unchecked(ndx[n]); sy += wt * unchecked(ndy[n]);
      }
      unchecked(rowDx[j] = sx); unchecked(rowDy[j] = sy);
    }
    for (let col = 0; col < dim; col++) {
      const u = <f64>col + 0.5;
      const cb = unchecked(wIdx[col]);
      let dx: f64 = 0, dy: f64 = 0;
      for (let q = 0; q < 4; q++) {
        const wt = unchecked(wts[col * 4 + q]);
        dx += wt * unchecked(rowDx[cb + q]); dy += wt * unchecked(rowDy[cb + q]);
      }
      const den = g * u + hh * v + 1.0;
      const x = <i32>Math.floor((a * u + b * v + c) / den + dx);
      const y = <i32>Math.floor((d * u + e * v + f) / den + dy);
      let bit: u8 = 0;
      if (x >= 0 && y >= 0 && x < w && y < h) bit = load<u8>(binPtr + <usize>(y * w + x));
      unchecked(grid[r * dim + col] = bit);
    }
  }
}

// interpolation weights over four consecutive nodes (first index wIdx[k], weights wts[4k..4k+3]), for
// each module column k < MAXW and, at MAXW, the current row
const MAXW: i32 = 177;
const wIdx = new StaticArray<i32>(MAXW + 1);
const wts = new StaticArray<f64>((MAXW + 1) * 4);
const rowDx = new StaticArray<f64>(K_MAX + 2);
const rowDy = new StaticArray<f64>(K_MAX + 2);
const ext = new StaticArray<f64>(4);

/**
 * Catmull-Rom weights at module coordinate x over the node positions (a bend is curved: between nodes 20-28
 * modules apart a straight interpolation misses the middle of a sagging sheet). Outside the outer nodes the
 * displacement is held; beyond the first and last node the missing neighbour is the straight extension of
 * the two nearest (its weight folded onto them), and with two nodes only the interpolation is straight.
 */
function splineWeights(x: f64, k: i32): void {
  let ci = 0;
  while (ci < K - 2 && x > unchecked(pos[ci + 1])) ci++;
  let t = (x - unchecked(pos[ci])) / (unchecked(pos[ci + 1]) - unchecked(pos[ci]));
  if (t < 0) t = 0; else if (t > 1) t = 1;
  const t2 = t * t, t3 = t2 * t;
  // weights of nodes ci-1, ci, ci+1, ci+2
  unchecked(ext[0] = 0.5 * (-t3 + 2 * t2 - t));
  unchecked(ext[1] = 0.5 * (3 * t3 - 5 * t2 + 2));
  unchecked(ext[2] = 0.5 * (-3 * t3 + 4 * t2 + t));
  unchecked(ext[3] = 0.5 * (t3 - t2));
  if (K == 2) { unchecked(ext[0] = 0); unchecked(ext[3] = 0); unchecked(ext[1] = 1 - t); unchecked(ext[2] = t); }
  // node ci-1 missing: P(-1) = 2 P(0) - P(1); node ci+2 missing: P(K) = 2 P(K-1) - P(K-2)
  if (ci == 0) { const w0 = unchecked(ext[0]); unchecked(ext[1] += 2 * w0); unchecked(ext[2] -= w0); unchecked(ext[0] = 0); }
  if (ci + 2 >= K) { const w3 = unchecked(ext[3]); unchecked(ext[2] += 2 * w3); unchecked(ext[1] -= w3); unchecked(ext[3] = 0); }
  // stored from node ci-1 (clamped to 0: its weight is then zero)
  const base = ci - 1 < 0 ? 0 : ci - 1;
  unchecked(wIdx[k] = base);
  for (let q = 0; q < 4; q++) unchecked(wts[k * 4 + q] = 0);
  for (let q = 0; q < 4; q++) {
    const idx = ci - 1 + q;
    if (idx < 0 || idx >= K) continue;
    unchecked(wts[k * 4 + idx - base] += unchecked(ext[q]));
  }
}

/** Trace: the node displacements (px) of the last locateNodes(), row by row; '*' marks a measured node. */
export function dbgNodes(): string {
  let s = "";
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const n = i * K + j;
      s += (unchecked(nok[n]) != 0 ? "*" : " ") + (Math.round(unchecked(ndx[n]) * 10) / 10).toString() + "," + (Math.round(unchecked(ndy[n]) * 10) / 10).toString() + " ";
    }
    s += "\n";
  }
  return s;
}
