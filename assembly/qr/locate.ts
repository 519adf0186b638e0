// Perspective from the finder patterns alone. The line through the TL and TR finder centres is the grid row
// 3.5 and the one through TL and BL the column 3.5, whatever the perspective; walking along them from each
// centre to the middle of the finder's dark ring gives points of known module coordinates (u = 0.5 and 6.5
// around TL, dim-6.5 and dim-0.5 around TR; the same for v around TL and BL). Near and far finders differ
// in size under perspective, so a homography fitted to the centres and these points carries the
// foreshortening that three centres and a parallelogram corner cannot. The same sizes give the dimension
// (geometric mean, see measureFinders); the caller keeps the candidate whose timing patterns (row and
// column 6) the fitted grid reads best. No allocation: a few scalars per triple.
import { binPtr } from "./frame";
import { HM, clearPoints, addPoint, fitHomography, timingAgreement } from "./grid";
import { traceCorners, cornerX, cornerY, traced } from "./corners";

let W: i32 = 0, H: i32 = 0;
// finder centres and unit vectors of the two symbol axes (TL→TR, TL→BL)
let tX: f64 = 0, tY: f64 = 0, rX: f64 = 0, rY: f64 = 0, bX: f64 = 0, bY: f64 = 0;
let aX: f64 = 0, aY: f64 = 0, cX: f64 = 0, cY: f64 = 0;
// distances in px from each centre to the middle of its finder's dark ring (3 modules): TL +u, -u, +v, -v;
// TR -u, +u; BL -v, +v
let tlR: f64 = 0, tlL: f64 = 0, tlD: f64 = 0, tlU: f64 = 0, trL: f64 = 0, trR: f64 = 0, blU: f64 = 0, blD: f64 = 0;
/** Pixels walked by the last measureFinders() (its cost, for the caller's work meter). */
export let walked: f64 = 0;

/**
 * Distance from a finder centre along the unit vector (ux, uy) to the middle of the finder's dark ring
 * (3 modules out): dark core, light ring, dark ring, then light. The middle of the ring, not its outer
 * edge: binarization moves both edges of the ring the same way, so the middle stays put (at 1.5 px
 * modules a quarter-pixel bias is a sixth of a module). -1 when that sequence is not seen within maxT px.
 */
function edgeDist(cx: f64, cy: f64, ux: f64, uy: f64, maxT: f64): f64 {
  let state = 0, t: f64 = 0, inner: f64 = 0;
  while (t < maxT) {
    const x = <i32>Math.floor(cx + ux * t), y = <i32>Math.floor(cy + uy * t);
    if (x < 0 || y < 0 || x >= W || y >= H) break;
    const b = <i32>load<u8>(binPtr + <usize>(y * W + x));
    if (state == 0 && b == 0) state = 1;
    else if (state == 1 && b == 1) { state = 2; inner = t; }
    else if (state == 2 && b == 0) { walked += t; return (inner + t) * 0.5 - 0.25; }   // edges lie between samples
    t += 0.5;
  }
  walked += t;
  return -1;
}

/** Near and far halves of one finder agree within perspective's reach (a ratio under 1.8). */
function sidesOk(p: f64, q: f64): bool { return p > 0 && q > 0 && p < q * 1.8 && q < p * 1.8; }

/**
 * Measures the three finders (centres TL, TR, BL) along the symbol axes and sets estDim. Returns false
 * when a ring is missing or the two sides of a finder disagree (not a finder, or one damaged there).
 */
export function measureFinders(w: i32, h: i32, tlx: f64, tly: f64, trx: f64, try_: f64, blx: f64, bly: f64): bool {
  W = w; H = h; walked = 0; useCorners = false;
  tlR = 0; tlL = 0; tlD = 0; tlU = 0; trL = 0; trR = 0; blU = 0; blD = 0;
  tX = tlx; tY = tly; rX = trx; rY = try_; bX = blx; bY = bly;
  const la = Math.sqrt((rX - tX) * (rX - tX) + (rY - tY) * (rY - tY));
  const lc = Math.sqrt((bX - tX) * (bX - tX) + (bY - tY) * (bY - tY));
  if (la < 1 || lc < 1) return false;
  aX = (rX - tX) / la; aY = (rY - tY) / la; cX = (bX - tX) / lc; cY = (bY - tY) / lc;
  // a finder's half-width is 3.5 modules and the centres are at least 14 apart: half the distance is plenty
  const ma = la * 0.5, mc = lc * 0.5;
  tlR = edgeDist(tX, tY, aX, aY, ma); tlL = edgeDist(tX, tY, -aX, -aY, ma);
  if (!sidesOk(tlR, tlL)) return false;
  tlD = edgeDist(tX, tY, cX, cY, mc); tlU = edgeDist(tX, tY, -cX, -cY, mc);
  if (!sidesOk(tlD, tlU)) return false;
  trL = edgeDist(rX, rY, -aX, -aY, ma); trR = edgeDist(rX, rY, aX, aY, ma);
  if (!sidesOk(trL, trR)) return false;
  blU = edgeDist(bX, bY, -cX, -cY, mc); blD = edgeDist(bX, bY, cX, cY, mc);
  if (!sidesOk(blU, blD)) return false;
  // modules between the centres: along a line, a projective map's scale at the two ends s0, s1 and the
  // length L between them give L / sqrt(s0 s1) modules (the geometric, not the arithmetic, mean)
  const nu = la / Math.sqrt((tlR + tlL) * (trL + trR) / 36), nv = lc / Math.sqrt((tlD + tlU) * (blU + blD) / 36);
  estDim = (nu + nv) / 2 + 7;
  return true;
}
/** The dimension the last measureFinders() estimates from the finder sizes and distances (not rounded). */
export let estDim: f64 = 0;

// ---- corner mode (strongly sheared triples): the grid is fitted to the three finders' outer corners
let useCorners: bool = false;
/** Module coordinates swap (the mirrored reading) for the corners measured by measureCorners(). */
let cornersT: bool = false;
// outer corners: TL, TR, BL, each (0,0), (7,0), (7,7), (0,7) of the finder in the unmirrored axes
const cpx = new StaticArray<f64>(12);
const cpy = new StaticArray<f64>(12);

/**
 * The finders' outer corners (corners.ts) instead of their ring distances along the axes, for a triple
 * under strong shear (the finders thin parallelograms the axis walks miss); sets estDim from the finder
 * sizes along each axis as measureFinders does. False when a finder's ring is not traced round.
 */
export function measureCorners(w: i32, h: i32, tlx: f64, tly: f64, trx: f64, try_: f64, blx: f64, bly: f64): bool {
  W = w; H = h; walked = 0; useCorners = true; cornersT = false;
  tX = tlx; tY = tly; rX = trx; rY = try_; bX = blx; bY = bly;
  const la = Math.sqrt((rX - tX) * (rX - tX) + (rY - tY) * (rY - tY));
  const lc = Math.sqrt((bX - tX) * (bX - tX) + (bY - tY) * (bY - tY));
  if (la < 1 || lc < 1) return false;
  aX = (rX - tX) / la; aY = (rY - tY) / la; cX = (bX - tX) / lc; cY = (bY - tY) / lc;
  const maxR = Math.min(la, lc) * 0.5, maxSteps = <i32>(2 * (la + lc)) + 64;
  for (let f = 0; f < 3; f++) {
    const x = f == 0 ? tX : (f == 1 ? rX : bX), y = f == 0 ? tY : (f == 1 ? rY : bY);
    // the ray goes out of the symbol: away from the other two finders
    let dx = f == 0 ? -aX - cX : (f == 1 ? aX - cX : cX - aX), dy = f == 0 ? -aY - cY : (f == 1 ? aY - cY : cY - aY);
    const dl = Math.sqrt(dx * dx + dy * dy);
    if (dl < 1e-6) return false;
    dx /= dl; dy /= dl;
    const ok = traceCorners(W, H, x, y, dx, dy, aX, aY, cX, cY, maxR, maxSteps);
    walked += <f64>traced;
    if (!ok) return false;
    for (let k = 0; k < 4; k++) { unchecked(cpx[f * 4 + k] = cornerX[k]); unchecked(cpy[f * 4 + k] = cornerY[k]); }
  }
  // module sizes of each finder along u (its top and bottom edges) and v (left and right edges)
  const tu = (cdist(0, 1) + cdist(3, 2)) / 14, ru = (cdist(4, 5) + cdist(7, 6)) / 14;
  const tv = (cdist(0, 3) + cdist(1, 2)) / 14, bv = (cdist(8, 11) + cdist(9, 10)) / 14;
  if (tu <= 0 || ru <= 0 || tv <= 0 || bv <= 0) return false;
  estDim = (la / Math.sqrt(tu * ru) + lc / Math.sqrt(tv * bv)) / 2 + 7;
  return true;
}
function cdist(i: i32, j: i32): f64 {
  const dx = cpx[i] - cpx[j], dy = cpy[i] - cpy[j];
  return Math.sqrt(dx * dx + dy * dy);
}
function addCorners(d: f64): void {
  for (let f = 0; f < 3; f++) {
    const u0 = f == 1 ? d - 7 : 0, v0 = f == 2 ? d - 7 : 0;
    for (let k = 0; k < 4; k++) {
      const u = u0 + (k == 1 || k == 2 ? 7.0 : 0.0), v = v0 + (k >= 2 ? 7.0 : 0.0);
      if (cornersT) addPoint(v, u, cpx[f * 4 + k], cpy[f * 4 + k]);
      else addPoint(u, v, cpx[f * 4 + k], cpy[f * 4 + k]);
    }
  }
}

/** The same measurement for the mirrored reading of the triple: TR and BL, and the two axes, swap roles. */
export function mirrorFinders(): void {
  cornersT = !cornersT;
  let t = rX; rX = bX; bX = t; t = rY; rY = bY; bY = t;
  t = aX; aX = cX; cX = t; t = aY; aY = cY; cY = t;
  t = tlR; tlR = tlD; tlD = t; t = tlL; tlL = tlU; tlU = t;
  t = trL; trL = blU; blU = t; t = trR; trR = blD; blD = t;
}

/** Fits the grid homography (grid.ts HM) for dimension dim to the centres and edge points. */
export function fitFinders(dim: i32): bool {
  const d = <f64>dim;
  clearPoints();
  if (useCorners) { addCorners(d); return fitHomography(); }
  addPoint(3.5, 3.5, tX, tY);
  addPoint(6.5, 3.5, tX + aX * tlR, tY + aY * tlR); addPoint(0.5, 3.5, tX - aX * tlL, tY - aY * tlL);
  addPoint(3.5, 6.5, tX + cX * tlD, tY + cY * tlD); addPoint(3.5, 0.5, tX - cX * tlU, tY - cY * tlU);
  addPoint(d - 3.5, 3.5, rX, rY);
  addPoint(d - 6.5, 3.5, rX - aX * trL, rY - aY * trL); addPoint(d - 0.5, 3.5, rX + aX * trR, rY + aY * trR);
  addPoint(3.5, d - 3.5, bX, bY);
  addPoint(3.5, d - 6.5, bX - cX * blU, bY - cY * blU); addPoint(3.5, d - 0.5, bX + cX * blD, bY + cY * blD);
  return fitHomography();
}

/** Fraction of the timing-pattern modules (row 6 and column 6 between the finders) the current HM reads right. */
export function timingFraction(dim: i32, w: i32, h: i32): f64 {
  return <f64>timingAgreement(dim, w, h) / <f64>(2 * (dim - 16));
}

/** Module size in px (geometric mean of both axes) of the current HM at the last localModule() point. */
export let localMs: f64 = 0;
/** Image position of the last localModule() point and the image steps of one module along u and v there. */
export let localX: f64 = 0, localY: f64 = 0, localUx: f64 = 0, localUy: f64 = 0, localVx: f64 = 0, localVy: f64 = 0;
/** Sets localX/Y, the module steps localU / localV and localMs of the current HM at module (u, v). */
export function localModule(u: f64, v: f64): void {
  // three projections: the point and one module along each axis
  const x0 = projX(u, v), y0 = projY(u, v);
  localUx = projX(u + 1, v) - x0; localUy = projY(u + 1, v) - y0;
  localVx = projX(u, v + 1) - x0; localVy = projY(u, v + 1) - y0;
  localX = x0; localY = y0;
  localMs = Math.sqrt(Math.sqrt((localUx * localUx + localUy * localUy) * (localVx * localVx + localVy * localVy)));
}
function projX(u: f64, v: f64): f64 { return (HM[0] * u + HM[1] * v + HM[2]) / (HM[6] * u + HM[7] * v + 1); }
function projY(u: f64, v: f64): f64 { return (HM[3] * u + HM[4] * v + HM[5]) / (HM[6] * u + HM[7] * v + 1); }
/** Trace: the last measurement's ring distances. */
export function dbgEdges(): string {
  if (useCorners) {
    let t = "corners";
    for (let i = 0; i < 12; i++) t += " " + (<i32>cpx[i]).toString() + "," + (<i32>cpy[i]).toString();
    return t;
  }
  return "TL " + tlL.toString() + "/" + tlR.toString() + " " + tlU.toString() + "/" + tlD.toString() + " TR " + trL.toString() + "/" + trR.toString() + " BL " + blU.toString() + "/" + blD.toString(); }
