// Top level: binarize → finder candidates → triples (right angle, equal legs, module sizes agree) →
// perspective attempt (locate.ts: the finders' own sizes give a homography and the dimension, confirmed by
// the timing patterns) → then, or when that fails, module size along the finder axes → dimension estimate →
// alignment pattern(s) → homography → sample → format/version (BCH) → unmask → de-interleave →
// Reed–Solomon → segments → JSON record.
// Every code in the frame is returned; a normal pass is followed by an inverted (light-on-dark) pass
// when nothing was found. All buffers are static or allocated once in frame.ts.
import { grayPtr, binPtr, halfPtr, useReduced } from "./frame";
import { binarize, blockStats, thresholdBlocks, setFlatMode, setNegative, isNegative, texturedBlocks, flatBlocks } from "./binarize";
import { findFinders, fx, fy, fms, fcnt, fring, nCand, MAXC, CAND_LIMIT, finderFuel, FUEL_PER_RUN } from "./finder";
import { findAlignment, alX, alY, setAxes } from "./alignment";
import { dbgEdges, estDim, measureFinders, measureCorners, mirrorFinders, fitFinders, timingFraction, localModule, localMs, localX, localY, localUx, localUy, localVx, localVy, walked } from "./locate";
import { locateNodes, sampleGridWarped, searched, dbgNodes } from "./warp";
import { HM, grid, clearPoints, addPoint, fitHomography, saveHM, restoreHM, sampleGridGray, sampleGrid, timingAgreement, project, outX, outY } from "./grid";
import { decodeFormat2, decodeVersion2, ecIndexFromBits, fmtDistance } from "./format";
import { rsDecode } from "./rs";
import { EC_BLOCKS, EC_TOTAL, ALIGN_POS } from "./tables";
import { parseSegments, payBuf, payLen, firstEci, saIndex, saTotal, saParity, fnc1 } from "./modes";
import { textBuf, textLen } from "./charset";
import { M1_MAX_VERSION, m1Codewords, m1Blocks, m1EcLen, m1DataLen, readModel1 } from "./model1";
import { maskBit } from "./mask";
import { resReset, resLen, wLit, wInt, wNum, wStrUtf8, wHex, wByte, resOverflow, resMark, resRewind } from "./jsonw";

export const MAX_CODES: i32 = 16;
export let codeCount: i32 = 0;
export let optTryInverted: bool = true;
export let optTryMirrored: bool = true;
export let optRowStep: i32 = 0;   // 0 = automatic
export let optTrace: bool = false;
export let optTiming: bool = false;
export let optAltBinarize: bool = true;
export let optTimingGate: bool = false;
export let optPairs: bool = true;  // set from the board class below
export let optPyramid: bool = true;
export function setOptions(flags: i32): void {
  optTryInverted = (flags & 1) == 0;
  optTryMirrored = (flags & 2) == 0;
  optRowStep = (flags >> 8) & 0xf;
  optTrace = (flags & 4) != 0;
  optTiming = (flags & 8) != 0;
  optAltBinarize = (flags & 16) == 0;
  optPairs = (flags & 32) == 0 && (!MCU_CLASS || (flags & 0x1000) != 0);
  optTimingGate = (flags & 0x2000) != 0;
  optPyramid = (flags & 0x4000) == 0;
  const gb = (flags >> 16) & 0xffff;
  optGridBudget = gb == 0 ? DEFAULT_BUDGET : gb;
  if ((flags & 64) != 0) optCyclePasses = true;
  if ((flags & 128) != 0) optCyclePasses = false;
}

// ---------------------------------------------------------------- symbol structure
const funcMask = new StaticArray<u8>(177 * 177);
let maskVersion: i32 = 0;
const cw = new StaticArray<u8>(3706);
const blocks = new StaticArray<u8>(3706);
const dataCw = new StaticArray<u8>(3706);

export function symbolRawCodewords(v: i32): i32 {
  let raw = (16 * v + 128) * v + 64;
  if (v >= 2) { const na = v / 7 + 2; raw -= (25 * na - 10) * na - 55; if (v >= 7) raw -= 36; }
  return raw >> 3;
}

function fillRect(c0: i32, r0: i32, wc: i32, hr: i32, dim: i32): void {
  for (let r = r0; r < r0 + hr; r++) for (let c = c0; c < c0 + wc; c++)
    if (r >= 0 && c >= 0 && r < dim && c < dim) unchecked(funcMask[r * dim + c] = 1);
}

function buildFunctionMask(v: i32): void {
  if (maskVersion == v) return;
  const dim = 17 + 4 * v;
  for (let i = 0; i < dim * dim; i++) unchecked(funcMask[i] = 0);
  fillRect(0, 0, 9, 9, dim); fillRect(dim - 8, 0, 8, 9, dim); fillRect(0, dim - 8, 9, 8, dim);
  fillRect(0, 6, dim, 1, dim); fillRect(6, 0, 1, dim, dim);
  let k = 0;
  while (k < 7 && unchecked(ALIGN_POS[(v - 1) * 7 + k]) != 0) k++;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    if ((i == 0 && j == 0) || (i == 0 && j == k - 1) || (i == k - 1 && j == 0)) continue;
    fillRect(<i32>unchecked(ALIGN_POS[(v - 1) * 7 + j]) - 2, <i32>unchecked(ALIGN_POS[(v - 1) * 7 + i]) - 2, 5, 5, dim);
  }
  if (v >= 7) { fillRect(dim - 11, 0, 3, 6, dim); fillRect(0, dim - 11, 6, 3, dim); }
  maskVersion = v;
}

// @ts-ignore
@inline function g(r: i32, c: i32, dim: i32): i32 { return <i32>unchecked(grid[r * dim + c]); }

function readFormatWords(dim: i32): void {
  let a = 0;
  for (let i = 0; i <= 5; i++) a |= g(i, 8, dim) << i;
  a |= g(7, 8, dim) << 6; a |= g(8, 8, dim) << 7; a |= g(8, 7, dim) << 8;
  for (let i = 9; i < 15; i++) a |= g(8, 14 - i, dim) << i;
  let b = 0;
  for (let i = 0; i < 8; i++) b |= g(8, dim - 1 - i, dim) << i;
  for (let i = 8; i < 15; i++) b |= g(dim - 15 + i, 8, dim) << i;
  fmtA = a; fmtB = b;
}
let fmtA: i32 = 0, fmtB: i32 = 0;
/** Model 1 format words are masked with 0x2825, Model 2 ones with 0x5412: this turns one into the other. */
const M1_FORMAT_XOR: i32 = 0x2825 ^ 0x5412;

function readVersion(dim: i32): i32 {
  let a = 0, b = 0;
  for (let i = 0; i < 18; i++) {
    const x = dim - 11 + i % 3, y = i / 3;
    a |= g(y, x, dim) << i;
    b |= g(x, y, dim) << i;
  }
  return decodeVersion2(a, b);
}

// results of the last decodeGrid
let dModel1: bool = false;
let dVersion: i32 = 0, dEc: i32 = 0, dMask: i32 = 0, dErrors: i32 = 0, dDataLen: i32 = 0;

/** Decodes the sampled grid. Returns 1 on success, 0 on failure, or -v when version info says version v. */
let lastFmtOk: bool = false;
/** Grid decodes left in this frame: bounds the work on frames full of finder look-alikes (noise, text). */
let gridBudget: i32 = 0;
// @ts-ignore: board camera size (compile-time); small cameras are MCU-class: a tighter work budget
const CAMERA_PIXELS: i32 = (isDefined(BOARD_CAMERA_W) ? BOARD_CAMERA_W : 1920) * (isDefined(BOARD_CAMERA_H) ? BOARD_CAMERA_H : 1440);
const MCU_CLASS: bool = CAMERA_PIXELS <= 100000;
const DEFAULT_BUDGET: i32 = MCU_CLASS ? 10 : 64;

// ---- work meter: every stage charges its estimated cost in wasmtime fuel (calibrated on the kernel
// build, tests/qr-budget.test.ts checks the real fuel) and no stage starts once the frame's share of the
// board's budget (boards/*.json budgets.fuelPerFrame) is spent: no frame, whatever it shows, costs more.
// @ts-ignore: compile-time constant from the board build
const FRAME_FUEL: i64 = isDefined(BOARD_FRAME_FUEL) ? <i64>BOARD_FRAME_FUEL : 200000000;
/** What the QR work may plan for: the rest covers estimate error, result records and the caller. */
const WORK_BUDGET: i64 = FRAME_FUEL * 78 / 100;
const FUEL_STATS_PER_PX: i64 = 14;      // blockStats
const FUEL_THRESH_PER_PX: i64 = 14;     // thresholdBlocks
const FUEL_HALVE_PER_PX: i64 = 6;       // pyramid: 2x2 box average, per input pixel
const FUEL_GEOMETRY: i64 = 150000;      // one tryDim: module sizes, alignment search, homography fit
const FUEL_DECODE: i64 = 150000;        // one grid decode: format, unmask, RS (plus the sampling and reading below)
const FUEL_PER_MODULE: i64 = 200;       // sampling one module, reading it back, its share of RS and parsing
const FUEL_PER_TRIPLE: i64 = 300;       // triple enumeration (a second corner hypothesis for some)
const FUEL_PER_SHIFT: i64 = 60;         // keeping the best triples sorted
const FUEL_PER_WALK_PX: i64 = 120;      // finder extents along both legs of a triple
const FUEL_PER_TRACE_STEP: i64 = 400; // one step round a finder's outer boundary (corners.ts)
const FUEL_FIT: i64 = 50000;            // a homography fit to the finders' centres and edges (locate.ts)
const FUEL_PER_TIMING_SAMPLE: i64 = 120; // one projected timing-pattern sample
const FUEL_PER_WINDOW_PX: f64 = 25;     // alignment-pattern search window
const FUEL_WARP_PER_MODULE: i64 = 60;   // the interpolated displacement of a warped sample (warp.ts)
const FUEL_GRAY_PER_MODULE: i64 = 250;  // four projected gray samples and the sliding 7x7 mean (grid.ts sampleGridGray)
// @ts-ignore
@inline function chargeWindow(r: f64): void { const side = 2 * r + 1; work -= <i64>(side * side * FUEL_PER_WINDOW_PX); }
let work: i64 = 0;
/** Work kept back for the pyramid passes while the full-resolution passes run (a busy frame, e.g. moiré, must not spend it all). */
let reserve: i64 = 0;
export let optWorkBudget: i64 = WORK_BUDGET;
/** Overrides the per-frame work budget (estimated fuel; 0 = the board's). For benchmarks and tests. */
export function setWorkBudget(fuel: i64): void { optWorkBudget = fuel > 0 ? fuel : WORK_BUDGET; }
/** Work left for this frame (estimated fuel), for tests and diagnostics. */
export function workLeft(): i64 { return work; }
// @ts-ignore
@inline function canTry(): bool { return gridBudget > 0 && work > reserve; }
/** A grid decode of this dimension (sampling included) fits the work left. */
// @ts-ignore
@inline function canDecode(dim: i32): bool { return gridBudget > 0 && work - reserve >= FUEL_DECODE + <i64>(dim * dim) * FUEL_PER_MODULE; }
/** Largest alignment-pattern search radius, in modules (4, 8, 16 are tried in turn). */
const MAX_ALIGN_RADIUS: i32 = MCU_CLASS ? 8 : 16;
export let optGridBudget: i32 = DEFAULT_BUDGET;
/**
 * Camera video: spread the extra binarization passes (low contrast / light-on-dark) over consecutive
 * frames, so a frame costs at most two passes. Hosts decoding still images set flag 128 (every pass).
 */
export let optCyclePasses: bool = true;
let frameNo: i32 = 0;
function initDefaults(): void { optPairs = !MCU_CLASS; }
initDefaults();
export let dbgFmtFail: i32 = 0, dbgRsFail: i32 = 0, dbgParseFail: i32 = 0, dbgTries: i32 = 0, dbgLastDim: i32 = 0;
function decodeGrid(dim: i32): i32 {
  dbgTries++; dbgLastDim = dim;
  // a unit of work starts only when the whole of it fits what is left: the bound holds for any frame
  const cost = FUEL_DECODE + <i64>(dim * dim) * FUEL_PER_MODULE;
  if (!canTry() || work - reserve < cost) { lastFmtOk = false; return 0; }
  gridBudget--;
  work -= cost;
  let v = (dim - 17) >> 2;
  if (v >= 7) {
    // version information sits next to the TR/BL finders: readable even when dim is a little off
    const vi = readVersion(dim);
    if (vi > 0 && vi != v && Math.abs(vi - v) <= 4) return -vi;
  }
  readFormatWords(dim);
  let f = decodeFormat2(fmtA, fmtB);
  let model1 = false;
  if (fmtDistance >= 3 && v <= M1_MAX_VERSION) {
    // three or more bits off a Model 2 format word: a Model 1 symbol's (its own mask) if at most two bits
    // off one of those (the two sets of words are at least 5 bits apart)
    const d2 = fmtDistance;
    const f1 = decodeFormat2(fmtA ^ M1_FORMAT_XOR, fmtB ^ M1_FORMAT_XOR);
    if (f1 >= 0 && fmtDistance <= 2) { f = f1; model1 = true; } else fmtDistance = d2;
  }
  lastFmtOk = f >= 0;
  if (f < 0) { dbgFmtFail++; return 0; }
  const ec = ecIndexFromBits(f >> 3), mask = f & 7;
  let raw = 0, nb = 0, ecLen = 0;
  if (model1) {
    raw = m1Codewords(v); nb = m1Blocks(v, ec); ecLen = m1EcLen(v, ec);
    // a few EC levels' blocks do not fill the symbol (v10 Q/H, v11 H, v12 H): not read here
    if (nb * (ecLen + m1DataLen(v, ec)) != raw || readModel1(dim, mask, changetype<usize>(cw)) != raw) return 0;
    // the first four bits (the bottom-right corner's top half of its first codeword) are always zero
    unchecked(cw[0] = cw[0] & 0x0f);
  } else {
    buildFunctionMask(v);
    raw = symbolRawCodewords(v);
    // zigzag read with unmasking
    let bit = 0, byte = 0, nbytes = 0;
    for (let right = dim - 1; right >= 1; right -= 2) {
      if (right == 6) right = 5;
      const upward = ((right + 1) & 2) == 0;
      for (let vert = 0; vert < dim; vert++) {
        const r = upward ? dim - 1 - vert : vert;
        for (let j = 0; j < 2; j++) {
          const c = right - j;
          if (unchecked(funcMask[r * dim + c]) != 0) continue;
          if (nbytes >= raw) continue;
          let b = g(r, c, dim);
          if (maskBit(mask, r, c)) b ^= 1;
          byte = (byte << 1) | b; bit++;
          if (bit == 8) { unchecked(cw[nbytes] = <u8>byte); nbytes++; bit = 0; byte = 0; }
        }
      }
    }
    if (nbytes < raw) return 0;
    const idx = (v - 1) * 4 + ec;
    nb = <i32>unchecked(EC_BLOCKS[idx]);
    ecLen = <i32>unchecked(EC_TOTAL[idx]) / nb;
  }
  // blocks
  const shortLen = raw / nb;
  const numShort = nb - raw % nb;
  const shortData = shortLen - ecLen;
  // de-interleave: block b occupies blocks[bOff(b) .. bOff(b)+len(b)]
  let k = 0;
  if (model1) {
    // Model 1 does not interleave: every block's data in turn, then every block's EC codewords
    // (its blocks are all of one length)
    for (let b = 0; b < nb; b++) for (let i = 0; i < shortData; i++) { unchecked(blocks[b * shortLen + i] = cw[k]); k++; }
    for (let b = 0; b < nb; b++) for (let i = 0; i < ecLen; i++) { unchecked(blocks[b * shortLen + shortData + i] = cw[k]); k++; }
  } else {
    const maxData = shortData + (numShort < nb ? 1 : 0);
    for (let i = 0; i < maxData; i++) for (let b = 0; b < nb; b++) {
      const dl = b < numShort ? shortData : shortData + 1;
      if (i < dl) { unchecked(blocks[blockOff(b, numShort, shortLen) + i] = cw[k]); k++; }
    }
    for (let i = 0; i < ecLen; i++) for (let b = 0; b < nb; b++) {
      const dl = b < numShort ? shortData : shortData + 1;
      unchecked(blocks[blockOff(b, numShort, shortLen) + dl + i] = cw[k]); k++;
    }
  }
  let p = 0;
  if (v == 1) p = ec == 0 ? 3 : (ec == 1 ? 2 : 1);
  else if (v == 2 && ec == 0) p = 2;
  else if (v == 3 && ec == 0) p = 1;
  const maxErr = (ecLen - p * 0) >> 1;
  let errors = 0, dl2 = 0;
  for (let b = 0; b < nb; b++) {
    const dl = b < numShort ? shortData : shortData + 1;
    const off = blockOff(b, numShort, shortLen);
    const e = rsDecode(changetype<usize>(blocks) + <usize>off, dl + ecLen, ecLen, maxErr);
    if (e < 0) { dbgRsFail++; if (optTrace) console.log("  RS fails on block " + b.toString() + " of " + nb.toString() + " (" + errors.toString() + " errors corrected before it)"); return 0; }
    errors += e;
    for (let i = 0; i < dl; i++) unchecked(dataCw[dl2 + i] = blocks[off + i]);
    dl2 += dl;
  }
  if (!parseSegments(changetype<usize>(dataCw), dl2, v, model1 ? 4 : 0)) { dbgParseFail++; return 0; }
  dModel1 = model1; dVersion = v; dEc = ec; dMask = mask; dErrors = errors + fmtDistance * 0; dDataLen = dl2;
  return 1;
}
// @ts-ignore
@inline function blockOff(b: i32, numShort: i32, shortLen: i32): i32 {
  return b <= numShort ? b * shortLen : numShort * shortLen + (b - numShort) * (shortLen + 1);
}

// ---------------------------------------------------------------- geometry
let W: i32 = 0, H: i32 = 0;

/** Module size along the direction (dx,dy) through a finder centre: 7 modules between the outer edges. */
function finderExtent(cx: f64, cy: f64, dx: f64, dy: f64): f64 {
  const len = Math.sqrt(dx * dx + dy * dy);
  if (len < 1e-9) return 0;
  const ux = dx / len, uy = dy / len;
  let total: f64 = 0;
  for (let s = 0; s < 2; s++) {
    const sx = s == 0 ? ux : -ux, sy = s == 0 ? uy : -uy;
    // walk: dark core → light → dark ring → light (edge)
    let state = 0; let t: f64 = 0; let edge: f64 = -1;
    const maxT = len;
    while (t < maxT) {
      const x = <i32>Math.floor(cx + sx * t), y = <i32>Math.floor(cy + sy * t);
      if (x < 0 || y < 0 || x >= W || y >= H) break;
      const b = <i32>load<u8>(binPtr + <usize>(y * W + x));
      if (state == 0 && b == 0) state = 1;
      else if (state == 1 && b == 1) state = 2;
      else if (state == 2 && b == 0) { edge = t; break; }
      t += 0.5;
    }
    if (edge < 0) return 0;
    total += edge;
  }
  return total / 7.0;
}

const used = new StaticArray<bool>(MAXC);
let lastInverted: bool = false;
let resultScale: i32 = 1;

function recordResult(dim: i32, mirrored: bool): void {
  const mark = resMark();
  wLit("{\"text\":"); wStrUtf8(textBuf, textLen);
  wLit(",\"bytes\":"); wHex(payBuf, payLen);
  wLit(",\"version\":"); wInt(dVersion);
  wLit(",\"ec\":\""); wByte(dEc == 0 ? 76 : (dEc == 1 ? 77 : (dEc == 2 ? 81 : 72))); wByte(34);
  wLit(",\"mask\":"); wInt(dMask);
  wLit(",\"errors\":"); wInt(dErrors);
  wLit(",\"corners\":[");
  // pyramid passes work on a reduced copy: corners and transform go back to the frame's pixels
  const sc = <f64>resultScale;
  for (let i = 0; i < 4; i++) {
    const u: f64 = (i == 1 || i == 2) ? <f64>dim : 0, v: f64 = (i >= 2) ? <f64>dim : 0;
    project(u, v);
    if (i > 0) wByte(44);
    wByte(91); wNum(outX * sc, 1); wByte(44); wNum(outY * sc, 1); wByte(93);
  }
  wLit("],\"dim\":"); wInt(dim);
  wLit(",\"transform\":[");
  for (let i = 0; i < 8; i++) { if (i > 0) wByte(44); wNum(unchecked(HM[i]) * (i < 6 ? sc : 1.0), 6); }
  wLit("],\"mirrored\":"); wLit(mirrored ? "true" : "false");
  wLit(",\"inverted\":"); wLit(lastInverted ? "true" : "false");
  if (dModel1) wLit(",\"model\":1");
  if (firstEci >= 0) { wLit(",\"eci\":"); wInt(firstEci); }
  if (fnc1 != 0) { wLit(",\"fnc1\":"); wInt(fnc1); }
  if (saIndex >= 0) { wLit(",\"sa\":{\"index\":"); wInt(saIndex); wLit(",\"total\":"); wInt(saTotal); wLit(",\"parity\":"); wInt(saParity); wByte(125); }
  wLit("}\n");
  if (resOverflow) { resRewind(mark); return; }
  codeCount++;
}

let tlX: f64 = 0, tlY: f64 = 0, trX: f64 = 0, trY: f64 = 0, blX: f64 = 0, blY: f64 = 0;

/**
 * Tries one dimension with the current TL/TR/BL; returns 1 ok, 0 fail, -v version hint. `persp`: the grid
 * starts from the finders' edges (locate.ts, measureFinders() done for this TL/TR/BL), else from the three
 * centres and the parallelogram's fourth corner.
 */
function tryDim(dim: i32, ms: f64, mirrored: bool, persp: bool = false): i32 {
  if (!canTry() || work - reserve < FUEL_GEOMETRY + FUEL_DECODE + <i64>(dim * dim) * FUEL_PER_MODULE) return 0;
  gridBudget--;   // the geometry (alignment search, fit, sampling) costs one unit, each grid decode another
  work -= FUEL_GEOMETRY;
  if (persp) perspFmt = 99;
  const d = <f64>dim;
  // where the bottom-right alignment pattern should be, the module size there, and the module steps
  let ex: f64 = 0, ey: f64 = 0, msA = ms, f0 = 4;
  if (persp) {
    if (!fitFinders(dim)) return 0;
    localModule(d - 6.5, d - 6.5);
    ex = localX; ey = localY; msA = localMs; f0 = 2;   // a closer prediction: a smaller window first
    setAxes(localUx, localUy, localVx, localVy);
  } else {
    clearPoints();
    addPoint(3.5, 3.5, tlX, tlY);
    addPoint(d - 3.5, 3.5, trX, trY);
    addPoint(3.5, d - 3.5, blX, blY);
    const k = (d - 10) / (d - 7);
    ex = tlX + (trX - tlX) * k + (blX - tlX) * k;
    ey = tlY + (trY - tlY) * k + (blY - tlY) * k;
    setAxes((trX - tlX) / (d - 7), (trY - tlY) / (d - 7), (blX - tlX) / (d - 7), (blY - tlY) / (d - 7));
  }
  let haveAlign = false;
  if (dim > 21) {
    for (let f = f0; f <= MAX_ALIGN_RADIUS; f <<= 1) {
      chargeWindow(msA * <f64>f);
      if (findAlignment(ex, ey, msA, msA * <f64>f, W, H)) { addPoint(d - 6.5, d - 6.5, alX, alY); haveAlign = true; break; }
    }
  }
  let brX = trX + blX - tlX, brY = trY + blY - tlY;
  if (persp) {
    if (haveAlign && !fitHomography()) return 0;
    project(d - 3.5, d - 3.5);
    brX = outX; brY = outY;
  } else {
    if (!haveAlign) addPoint(d - 3.5, d - 3.5, brX, brY);
    if (!fitHomography()) return 0;
    if (!haveAlign && optTiming) {
      // no alignment pattern: choose the perspective (4th corner) that best fits the timing patterns
      if (!refineByTiming(dim, brX, brY)) return 0;
      brX = refX; brY = refY;
    }
  }
  // refine with the other alignment patterns (version ≥ 7): least squares over every one found
  const v = (dim - 17) >> 2;
  // the grid through the finders and the bottom-right alignment pattern, exact there: the local correction
  // (tryWarped) starts from it, not from the least-squares fit below, which bends it away from the finders
  if (v >= 7 && haveAlign) saveHM();
  if (v >= 7 && haveAlign) {
    let k = 0;
    while (k < 7 && unchecked(ALIGN_POS[(v - 1) * 7 + k]) != 0) k++;
    let added = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      if ((i == 0 && j == 0) || (i == 0 && j == k - 1) || (i == k - 1 && j == 0) || (i == k - 1 && j == k - 1)) continue;
      const u = <f64>unchecked(ALIGN_POS[(v - 1) * 7 + j]) + 0.5, vv = <f64>unchecked(ALIGN_POS[(v - 1) * 7 + i]) + 0.5;
      project(u, vv);
      chargeWindow(ms * 2.5);
      if (findAlignment(outX, outY, ms, ms * 2.5, W, H)) { addPoint(u, vv, alX, alY); added++; }
    }
    if (added > 0) {
      // keep the current transform if the refit fails
      if (!fitHomography()) return 0;
    }
  }
  if (!canDecode(dim)) return 0;
  sampleGrid(dim, W, H);
  let r = decodeGrid(dim);
  if (r == 0 && v >= 7 && haveAlign) r = tryWarped(dim, v, ms);
  // an alignment pattern found far (over 3 modules) from where the finders put it, and no decode: a Model 1
  // symbol has none, and a match in its data bends the grid: once more with the finders' grid alone
  if (r == 0 && persp && haveAlign && v <= M1_MAX_VERSION && dist(alX, alY, ex, ey) > 3 * msA && canDecode(dim) && fitFinders(dim)) {
    sampleGrid(dim, W, H);
    r = decodeGrid(dim);
    if (r < 0) r = 0;
  }
  if (r == 0 && lastFmtOk && fmtDistance <= 1) r = tryGray(dim);
  // a nearly affine triple: its perspective attempt made no retries (perspCheap); this one retries for both,
  // the inner ring around each one's 4th point (they differ by a third of a module at most) and the outer
  // ring around the one that read the format better
  const both = !persp && perspCheap && dim == perspDim && perspFmt <= 1;
  if (r == 0 && v < 7 && (both || (lastFmtOk && fmtDistance <= 1))) {
    // the format decoded, so the geometry is nearly right: the 4th point (alignment pattern, or the
    // corner without one: the perspective fit's, or the parallelogram's) may be off by a fraction of a
    // module: try it moved around (a perspective attempt at this dimension with retries of its own did
    // that already around the same alignment pattern)
    const ux = (trX - tlX) / (d - 7), uy = (trY - tlY) / (d - 7);
    const vx = (blX - tlX) / (d - 7), vy = (blY - tlY) / (d - 7);
    const bu = haveAlign ? d - 6.5 : d - 3.5;
    const ownX = haveAlign ? alX : brX, ownY = haveAlign ? alY : brY;
    const pFirst = both && (!lastFmtOk || perspFmt < fmtDistance);
    const done = persp ? perspCheap : haveAlign && dim == perspDim && !perspCheap;
    const n = both ? 24 : 16;
    for (let t = 0; t < n && !done && r == 0 && canDecode(dim); t++) {
      // t 0-7: inner ring (half a module) around the first point, 8-15 (both) inner ring around the
      // second, then the outer ring (a module) around the first
      const ring = t < 8 || (both && t < 16) ? 0.5 : 1.0;
      const second = both && t >= 8 && t < 16;
      const useP = second != pFirst;
      const px0 = useP ? perspX : ownX, py0 = useP ? perspY : ownY;
      const q = t & 7;
      const i = <f64>(q < 3 ? q - 1 : (q < 5 ? (q == 3 ? -1 : 1) : q - 6));
      const j = <f64>(q < 3 ? -1 : (q < 5 ? 0 : 1));
      if (!fitQuad(d, px0 + (i * ux + j * vx) * ring, py0 + (i * uy + j * vy) * ring, bu)) continue;
      sampleGrid(dim, W, H);
      r = decodeGrid(dim);
      if (r < 0) r = 0;
    }
    if (r == 0 && haveAlign && !(persp && perspCheap)) {
      // the alignment match may be wrong altogether: fall back to the corner
      for (let t = 0; t < 9 && r == 0 && canDecode(dim); t++) {
        const i = <f64>(t % 3 - 1), j = <f64>(t / 3 - 1);
        if (!fitQuad(d, brX + (i * ux + j * vx) * 0.5, brY + (i * uy + j * vy) * 0.5, d - 3.5)) continue;
        sampleGrid(dim, W, H);
        r = decodeGrid(dim);
        if (r < 0) r = 0;
      }
    }
  }
  if (persp) { perspFmt = lastFmtOk ? fmtDistance : 99; perspX = haveAlign ? alX : brX; perspY = haveAlign ? alY : brY; }
  if (optTrace) console.log("tryDim " + dim.toString() + (persp ? " persp" : "") + " ms=" + ms.toString() + " mir=" + (mirrored ? "1" : "0") +  " align=" + (haveAlign ? "1 " + alX.toString() + "," + alY.toString() : "0") + " r=" + r.toString() + " fmt=" + fmtDistance.toString() + " TL " + tlX.toString() + "," + tlY.toString() + " TR " + trX.toString() + "," + trY.toString() + " BL " + blX.toString() + "," + blY.toString());
  if (r == 1) { recordResult(dim, mirrored); lastDim = dim; }
  return r;
}

/**
 * Dense codes (version 7+) that one homography does not fit (bent paper): the grid corrected locally
 * from every alignment pattern found (warp.ts), then one more decode. Charged like the rest: the search
 * windows before they are searched, the sampling and decode by decodeGrid.
 */
function tryWarped(dim: i32, v: i32, ms: f64): i32 {
  // every node's two windows (2 and 4 modules) once, and half of them again when a later sweep has more
  // to go by: the search stops there
  const k = <f64>(v / 7 + 2), s1 = 4 * ms + 1, s2 = 8 * ms + 1;
  const area = k * k * 1.5 * (s1 * s1 + s2 * s2);
  if (!canDecode(dim) || work - reserve < <i64>(area * FUEL_PER_WINDOW_PX) + FUEL_DECODE + <i64>(dim * dim) * (FUEL_PER_MODULE + FUEL_WARP_PER_MODULE)) return 0;
  restoreHM();
  const found = locateNodes(v, W, H, area);
  work -= <i64>(searched * FUEL_PER_WINDOW_PX);
  if (optTrace) console.log("warp: " + found.toString() + " alignment patterns found\n" + dbgNodes());
  if (found < 2) return 0;
  work -= <i64>(dim * dim) * FUEL_WARP_PER_MODULE;
  sampleGridWarped(dim, W, H);
  if (optTrace) {
    let ok = 0;
    for (let i = 8; i < dim - 8; i++) { const want = (i & 1) == 0 ? 1 : 0; if (g(6, i, dim) == want) ok++; if (g(i, 6, dim) == want) ok++; }
    console.log("warp timing " + ok.toString() + "/" + (2 * (dim - 16)).toString());
  }
  const r = decodeGrid(dim);
  return r < 0 ? 0 : r;
}

/**
 * The format read (at most one bit off: the geometry is right), the data did not: the same grid read once more from the gray image with a threshold
 * per module from its neighbourhood (grid.ts sampleGridGray), for blur and uneven light that the pixel
 * blocks' threshold gets wrong. Charged: four gray samples and the window sum per module, and the decode.
 */
function tryGray(dim: i32): i32 {
  if (!canDecode(dim) || work - reserve < FUEL_DECODE + <i64>(dim * dim) * (FUEL_PER_MODULE + FUEL_GRAY_PER_MODULE)) return 0;
  work -= <i64>(dim * dim) * FUEL_GRAY_PER_MODULE;
  sampleGridGray(dim, W, H, isNegative());
  const r = decodeGrid(dim);
  if (optTrace) console.log("gray reading " + dim.toString() + ": r=" + r.toString() + " fmt=" + fmtDistance.toString());
  return r < 0 ? 0 : r;
}


function fitQuad(d: f64, bx: f64, by: f64, bu: f64): bool {
  clearPoints();
  addPoint(3.5, 3.5, tlX, tlY);
  addPoint(d - 3.5, 3.5, trX, trY);
  addPoint(3.5, d - 3.5, blX, blY);
  addPoint(bu, bu, bx, by);
  return fitHomography();
}

function fit4(d: f64, bx: f64, by: f64): bool {
  clearPoints();
  addPoint(3.5, 3.5, tlX, tlY);
  addPoint(d - 3.5, 3.5, trX, trY);
  addPoint(3.5, d - 3.5, blX, blY);
  addPoint(d - 3.5, d - 3.5, bx, by);
  return fitHomography();
}

/** Searches the bottom-right point (module (dim-3.5, dim-3.5)) around (bx, by) for the best timing fit. */
function refineByTiming(dim: i32, bx: f64, by: f64): bool {
  const d = <f64>dim;
  // module steps along the symbol axes, in pixels
  const ux = (trX - tlX) / (d - 7), uy = (trY - tlY) / (d - 7);
  const vx = (blX - tlX) / (d - 7), vy = (blY - tlY) / (d - 7);
  let best = -1; let bestX = bx, bestY = by;
  let cx = bx, cy = by;
  for (let pass = 0; pass < 2; pass++) {
    const step: f64 = pass == 0 ? 1.0 : 0.25;
    const rng: i32 = 3;
    const ox = cx, oy = cy;
    for (let i = -rng; i <= rng; i++) for (let j = -rng; j <= rng; j++) {
      const px = ox + (<f64>i * ux + <f64>j * vx) * step, py = oy + (<f64>i * uy + <f64>j * vy) * step;
      if (!fit4(d, px, py)) continue;
      const sc = timingAgreement(dim, W, H) * 4 - (i * i + j * j) / (pass == 0 ? 1 : 4);
      if (sc > best) { best = sc; bestX = px; bestY = py; }
    }
    cx = bestX; cy = bestY;
  }
  refX = bestX; refY = bestY;
  return fit4(d, bestX, bestY);
}
let refX: f64 = 0, refY: f64 = 0;

function dist(ax: f64, ay: f64, bx: f64, by: f64): f64 { const dx = ax - bx, dy = ay - by; return Math.sqrt(dx * dx + dy * dy); }

/** Tries the triple with the right angle at index a. */
function tryTriple(a: i32, b: i32, c: i32, sheared: bool): bool {
  return tryPoints(fx[a], fy[a], fx[b], fy[b], fx[c], fy[c], (fms[a] + fms[b] + fms[c]) / 3, sheared);
}

/** Fraction of timing-pattern modules (row 6 and column 6 between the finders) matching under the affine map. */
function affineTimingFraction(dim: i32): f64 {
  const d = <f64>dim;
  const ux = (trX - tlX) / (d - 7), uy = (trY - tlY) / (d - 7);
  const vx = (blX - tlX) / (d - 7), vy = (blY - tlY) / (d - 7);
  let ok = 0, n = 0;
  for (let i = 8; i < dim - 8; i++) {
    const want = (i & 1) == 0 ? 1 : 0;
    const a = <f64>i + 0.5 - 3.5, b = 6.5 - 3.5;
    // row 6 (u = i, v = 6) and column 6 (u = 6, v = i)
    let x = <i32>Math.floor(tlX + a * ux + b * vx), y = <i32>Math.floor(tlY + a * uy + b * vy);
    if (x >= 0 && y >= 0 && x < W && y < H && <i32>load<u8>(binPtr + <usize>(y * W + x)) == want) ok++;
    x = <i32>Math.floor(tlX + b * ux + a * vx); y = <i32>Math.floor(tlY + b * uy + a * vy);
    if (x >= 0 && y >= 0 && x < W && y < H && <i32>load<u8>(binPtr + <usize>(y * W + x)) == want) ok++;
    n += 2;
  }
  return n > 0 ? <f64>ok / <f64>n : 0;
}

/** Module size along one axis from the two finder extents, ignoring one that disagrees with the rest. */
function axisModule(a: f64, b: f64, fallback: f64): f64 {
  const okA = a > fallback * 0.6 && a < fallback * 1.6, okB = b > fallback * 0.6 && b < fallback * 1.6;
  if (okA && okB) return (a + b) / 2;
  if (okA) return a;
  if (okB) return b;
  return fallback;
}

/** Tries three finder centres (right angle at a); msAvg is the fallback module size. */
function tryPoints(ax: f64, ay: f64, bx0: f64, by0: f64, cx0: f64, cy0: f64, msAvg: f64, sheared: bool = false): bool {
  let bx = bx0, by = by0, cx = cx0, cy = cy0;
  const cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  if (cross < 0) { const t1 = bx, t2 = by; bx = cx; by = cy; cx = t1; cy = t2; }
  // perspective from the finders' own edges; the mirrored reading shares the measurement and the dimension
  const pDim = perspectiveDim(ax, ay, bx, by, cx, cy, sheared);
  if (sheared && pDim == 0) return false;
  for (let m = 0; m < 2; m++) {
    if (m == 1 && !optTryMirrored) break;
    tlX = ax; tlY = ay;
    if (m == 0) { trX = bx; trY = by; blX = cx; blY = cy; } else { trX = cx; trY = cy; blX = bx; blY = by; }
    if (m == 1 && pDim > 0) mirrorFinders();
    if (sheared) {
      // the grid fitted to the finders' corners only: the three-centre path assumes a near right angle
      perspDim = 0;
      let r = tryDim(pDim, msAvg, m == 1, true);
      if (r < 0) r = tryDim(17 - 4 * r, msAvg, m == 1, true);
      if (r == 1) return true;
      continue;
    }
    // module size along each finder axis (walks of half a pixel across each finder, both ways)
    work -= <i64>((dist(tlX, tlY, trX, trY) + dist(tlX, tlY, blX, blY)) * <f64>FUEL_PER_WALK_PX);
    let m1 = finderExtent(tlX, tlY, trX - tlX, trY - tlY), m2 = finderExtent(trX, trY, tlX - trX, tlY - trY);
    let m3 = finderExtent(tlX, tlY, blX - tlX, blY - tlY), m4 = finderExtent(blX, blY, tlX - blX, tlY - blY);
    const msX = axisModule(m1, m2, msAvg), msY = axisModule(m3, m4, msAvg);
    const est = (dist(tlX, tlY, trX, trY) / msX + dist(tlX, tlY, blX, blY) / msY) / 2 + 7;
    let d0 = <i32>Math.round(est);
    const rem = d0 & 3;
    if (rem == 0) d0 += 1; else if (rem == 2) d0 -= 1; else if (rem == 3) d0 += 2;
    const ms = (msX + msY) / 2;
    // cheap plausibility test before any grid work: the timing patterns between the finders
    if (m == 0 && optTimingGate) {
      let best: f64 = 0;
      for (let t = 0; t < 3; t++) {
        const dim = t == 0 ? d0 : (t == 1 ? d0 - 4 : d0 + 4);
        if (dim < 21 || dim > 177) continue;
        const f = affineTimingFraction(dim);
        if (f > best) best = f;
      }
      if (best < 0.62) return false;
    }
    perspDim = 0;
    if (pDim > 0) {
      let r = tryDim(pDim, ms, m == 1, true);
      if (r < 0) r = tryDim(17 - 4 * r, ms, m == 1, true);
      if (r == 1) return true;
      perspDim = pDim;
    }
    for (let t = 0; t < 3; t++) {
      let dim = t == 0 ? d0 : (t == 1 ? d0 - 4 : d0 + 4);
      if (dim < 21 || dim > 177) continue;
      let r = tryDim(dim, ms, m == 1);
      if (r < 0) { dim = 17 - 4 * r; r = tryDim(dim, ms, m == 1); }
      if (r == 1) return true;
    }
  }
  return false;
}

/**
 * Measures the finders of a triple (TL at a, TR at b, BL at c; locate.ts) and returns the dimension, among
 * the estimate from their sizes and its neighbours, whose timing patterns the finder-fitted grid reads
 * right at 80% or more; 0 when none does or the finders do not measure up.
 */
function perspectiveDim(ax: f64, ay: f64, bx: f64, by: f64, cx: f64, cy: f64, sheared: bool): i32 {
  if (!canTry()) return 0;
  // sheared: the finders' outer corners (traced boundaries: walked counts steps), else ring distances
  const ok = sheared ? measureCorners(W, H, ax, ay, bx, by, cx, cy) : measureFinders(W, H, ax, ay, bx, by, cx, cy);
  work -= <i64>(walked * <f64>(sheared ? FUEL_PER_TRACE_STEP : FUEL_PER_WALK_PX));
  if (!ok) return 0;
  let best = 0, bestF: f64 = 0;
  const e0 = validDim(estDim);
  for (let t = 0; t < 3; t++) {
    const dim = t == 0 ? e0 : (t == 1 ? e0 - 4 : e0 + 4);
    if (dim < 21 || dim > 177) continue;
    work -= FUEL_FIT + <i64>(2 * (dim - 16)) * FUEL_PER_TIMING_SAMPLE;
    if (!fitFinders(dim)) continue;
    const f = timingFraction(dim, W, H);
    if (f > bestF) { bestF = f; best = dim; }
  }
  if (optTrace) console.log("timing best " + best.toString() + " " + bestF.toString() + " est=" + estDim.toString() + " " + dbgEdges());
  perspCheap = false; perspFmt = 99;
  if (bestF < 0.8) return 0;
  // nearly affine (finders of one size, a right isosceles triple): the fitted grid puts the far corner
  // within a third of a module of the parallelogram's, and two full sets of corner retries (this
  // attempt's, then the three-centre path's) would spend the frame's grid decodes twice on one
  // neighbourhood: the perspective grid is tried once, and the three-centre path retries for both (tryDim)
  work -= FUEL_FIT;
  if (!fitFinders(best)) return 0;
  const d = <f64>best;
  project(d - 3.5, d - 3.5);
  const msA = (dist(ax, ay, bx, by) + dist(ax, ay, cx, cy)) / (2 * (d - 7));
  const dev = dist(outX, outY, bx + cx - ax, by + cy - ay) / msA;
  if (optTrace) console.log("persp corner off the parallelogram by " + dev.toString() + " modules");
  perspCheap = dev < NEAR_AFFINE;
  return best;
}
/** The last perspectiveDim() found the triple nearly affine: its perspective attempt makes no corner retries. */
let perspCheap: bool = false;
/** The last perspective attempt's format distance (99: unread) and its 4th point (alignment pattern or corner). */
let perspFmt: i32 = 99, perspX: f64 = 0, perspY: f64 = 0;
/** Far-corner disagreement (modules) under which a triple counts as nearly affine (see perspectiveDim). */
const NEAR_AFFINE: f64 = 0.35;

/** The valid dimension (17 + 4 v) nearest to an estimate. */
function validDim(est: f64): i32 {
  let d = <i32>Math.round(est);
  const rem = d & 3;
  if (rem == 0) d += 1; else if (rem == 2) d -= 1; else if (rem == 3) d += 2;
  return d;
}

let lastDim: i32 = 0;
/** The dimension the perspective attempt of the current finder triple tried, 0 if none. */
let perspDim: i32 = 0;
/** True when (x, y) lies inside the last decoded symbol (module coordinates -1..dim+1). */
function insideSymbol(x: f64, y: f64): bool {
  // invert the homography numerically: solve for (u, v) with two Newton-free linear steps
  const a = HM[0], b = HM[1], c = HM[2], d = HM[3], e = HM[4], f = HM[5], g = HM[6], h = HM[7];
  // x(gu+hv+1) = au+bv+c → (a-gx)u + (b-hx)v = x-c ; same for y
  const a11 = a - g * x, a12 = b - h * x, b1 = x - c;
  const a21 = d - g * y, a22 = e - h * y, b2 = y - f;
  const det = a11 * a22 - a12 * a21;
  if (Math.abs(det) < 1e-12) return false;
  const u = (b1 * a22 - a12 * b2) / det, v = (a11 * b2 - b1 * a21) / det;
  const D = <f64>lastDim;
  return u > -1 && v > -1 && u < D + 1 && v < D + 1;
}

// candidate order
const order = new StaticArray<i32>(MAXC);
// triples kept, best first: at most 40 are attempted, so a longer list only costs insertion work
const TRI_MAX: i32 = 64;
const triA = new StaticArray<i32>(TRI_MAX);
const triB = new StaticArray<i32>(TRI_MAX);
const triC = new StaticArray<i32>(TRI_MAX);
const triS = new StaticArray<f64>(TRI_MAX);
const triSh = new StaticArray<bool>(TRI_MAX);   // sheared: the corner of the triple is far from a right angle
/** |cos| of a triple's corner angle up to which it is a near right angle (beyond: strong shear, up to SHEAR_COS). */
const RIGHT_COS: f64 = 0.45, SHEAR_COS: f64 = 0.8;

// @ts-ignore
@inline function rankKey(i: i32): i32 { return fcnt[i] + (fring[i] ? 1000 : 0); }

function searchCodes(): void {
  const n0 = nCand;
  // order candidates by hit count, keep the best 24
  for (let i = 0; i < n0; i++) { unchecked(order[i] = i); unchecked(used[i] = false); }
  for (let i = 1; i < n0; i++) {
    const v = order[i]; let j = i - 1;
    const kv = rankKey(v);
    while (j >= 0 && rankKey(order[j]) < kv) { order[j + 1] = order[j]; j--; }
    order[j + 1] = v;
  }
  // prefer candidates seen on several rows; single hits only when too few remain
  let strong = 0;
  for (let i = 0; i < n0; i++) if (fcnt[order[i]] >= 2) strong++;
  let n = strong >= 3 ? strong : n0;
  if (n > 24) n = 24;
  if (n > CAND_LIMIT) n = CAND_LIMIT;
  work -= <i64>(n * n * n / 6) * FUEL_PER_TRIPLE;
  let nt = 0, shifts = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (let k = j + 1; k < n; k++) {
    const p = order[i], q = order[j], r = order[k];
    const mp = fms[p], mq = fms[q], mr = fms[r];
    const mmax = Math.max(mp, Math.max(mq, mr)), mmin = Math.min(mp, Math.min(mq, mr));
    // near and far finders differ up to 3x under strong perspective (the near side twice the far one)
    if (mmax > mmin * 3.0 + 0.5) continue;
    const dpq = dist(fx[p], fy[p], fx[q], fy[q]), dpr = dist(fx[p], fy[p], fx[r], fy[r]), dqr = dist(fx[q], fy[q], fx[r], fy[r]);
    // right angle at the vertex opposite the longest side; under strong perspective the longer leg can be
    // nearly as long (then a second hypothesis: the corner at the vertex opposite that leg, legs swapped)
    let a = p, b = q, c = r, hyp = dqr, l1 = dpq, l2 = dpr;
    if (dpq >= dpr && dpq >= dqr) { a = r; b = p; c = q; hyp = dpq; l1 = dpr; l2 = dqr; }
    else if (dpr >= dpq && dpr >= dqr) { a = q; b = p; c = r; hyp = dpr; l1 = dpq; l2 = dqr; }
    const ms = (mp + mq + mr) / 3;
    if (l1 < ms * 10 || l2 < ms * 10) continue;           // legs span at least 14 modules minus slack
    if (l1 > ms * 200 || l2 > ms * 200) continue;
    for (let hy = 0; hy < 2; hy++) {
      if (hy == 1) {
        if (l1 >= hyp * 0.9) { const t0 = a; a = c; c = b; b = t0; const h0 = hyp; hyp = l1; l1 = h0; }
        else if (l2 >= hyp * 0.9) { const t0 = a; a = b; b = t0; const h0 = hyp; hyp = l2; l2 = h0; }
        else break;
      }
      const legRatio = l1 < l2 ? l1 / l2 : l2 / l1;
      if (legRatio < 0.5) continue;
      const cosA = (l1 * l1 + l2 * l2 - hyp * hyp) / (2 * l1 * l2);
      // beyond RIGHT_COS only strong shear or perspective (a finder twice another's size, or more)
      if (Math.abs(cosA) > SHEAR_COS || (Math.abs(cosA) > RIGHT_COS && mmax < 1.6 * mmin)) continue;
      const score = Math.abs(cosA) * 2 + (1 - legRatio) + (mmax - mmin) / mmax - 0.02 * <f64>Math.min(<f64>(fcnt[p] + fcnt[q] + fcnt[r]), 30);
      // insert sorted
      if (nt == TRI_MAX && score >= triS[TRI_MAX - 1]) continue;   // full and not better than the worst kept
      let t = nt < TRI_MAX ? nt++ : TRI_MAX - 1;
      while (t > 0 && triS[t - 1] > score) { triA[t] = triA[t - 1]; triB[t] = triB[t - 1]; triC[t] = triC[t - 1]; triS[t] = triS[t - 1]; triSh[t] = triSh[t - 1]; t--; shifts++; }
      triA[t] = a; triB[t] = b; triC[t] = c; triS[t] = score; triSh[t] = Math.abs(cosA) > RIGHT_COS;
    }
  }
  work -= <i64>shifts * FUEL_PER_SHIFT;
  let attempts = 0;
  for (let t = 0; t < nt && attempts < 40 && codeCount < MAX_CODES && canTry(); t++) {
    const a = triA[t], b = triB[t], c = triC[t];
    if (used[a] || used[b] || used[c]) continue;
    attempts++;
    if (tryTriple(a, b, c, triSh[t])) {
      used[a] = true; used[b] = true; used[c] = true;
      // candidates inside the decoded symbol are data look-alikes: drop them
      for (let i = 0; i < n0; i++) if (!used[i] && insideSymbol(fx[i], fy[i])) used[i] = true;
    }
  }
}

/** Debug/test: decode one symbol from given finder centres and bottom-right point (module dim-3.5). */
export function decodeQuad(w: i32, h: i32, ax: f64, ay: f64, bx: f64, by: f64, cx: f64, cy: f64, dx: f64, dy: f64, dim: i32, doBinarize: bool): i32 {
  W = w; H = h; codeCount = 0; resReset(); gridBudget = 1 << 30; work = i64.MAX_VALUE >> 1; resultScale = 1;
  if (doBinarize) binarize(w, h);
  tlX = ax; tlY = ay; trX = bx; trY = by; blX = cx; blY = cy;
  if (!fit4(<f64>dim, dx, dy)) return -1;
  sampleGrid(dim, W, H);
  const r = decodeGrid(dim);
  if (r == 1) recordResult(dim, false);
  return r;
}

/**
 * Two good finder candidates but no third (a damaged or glared finder): infer the third corner from the
 * square geometry, for both "side" and "diagonal" pairs, and try each hypothesis.
 */
function searchPairs(): void {
  const n0 = nCand;
  let m = 0;
  for (let i = 0; i < n0 && m < 4; i++) {
    const k = order[i];
    if (used[k] || !fring[k] || fcnt[k] < 3) continue;
    pairIdx[m++] = k;
  }
  let attempts = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) {
    if (codeCount > 0 || attempts >= 6 || !canTry()) return;
    const p = pairIdx[i], q = pairIdx[j];
    const mp = fms[p], mq = fms[q];
    if (Math.max(mp, mq) > Math.min(mp, mq) * 1.4) continue;
    const ms = (mp + mq) / 2;
    const px = fx[p], py = fy[p], qx = fx[q], qy = fy[q];
    const dx = qx - px, dy = qy - py;
    const d = Math.sqrt(dx * dx + dy * dy);
    if (d < ms * 12 || d > ms * 250) continue;
    attempts++;
    for (let s = -1; s <= 1; s += 2) {
      const fs = <f64>s;
      // side: p is the corner, q a neighbour; the third at p + perp
      if (tryPoints(px, py, qx, qy, px - fs * dy, py + fs * dx, ms)) return;
      // side: q is the corner
      if (tryPoints(qx, qy, px, py, qx - fs * dy, qy + fs * dx, ms)) return;
      // diagonal: p, q are TR and BL; the corner at the midpoint ± half the perpendicular
      const mx = (px + qx) / 2, my = (py + qy) / 2;
      if (tryPoints(mx - fs * dy / 2, my + fs * dx / 2, px, py, qx, qy, ms)) return;
    }
  }
}
const pairIdx = new StaticArray<i32>(4);

/** Runs (colour changes) in the binary image estimated from every 16th row (8 pixels per step). */
function sampleRuns(w: i32, h: i32): i64 {
  let t: i64 = 0;
  work -= <i64>(h >> 4) * <i64>w;
  for (let y = 0; y < h; y += 16) {
    const row = binPtr + <usize>(y * w);
    let x = 0;
    for (; x + 9 <= w; x += 8) {
      const v = load<u64>(row + <usize>x), n = load<u64>(row + <usize>x, 1);
      t += <i64>popcnt<u64>(v ^ n);   // byte i of v ^ (v shifted by one pixel): 1 where pixel x+i differs from x+i+1
    }
  }
  return t * 16;
}

/**
 * One binarization pass (levels from the frame's block statistics) and a search, if the work allows.
 * Returns false when the scan was left to a coarser level (`coarserNext`: a reduced copy of this image
 * comes next) because the binary image is busy: runs of under 3.3 px on average (a screen's pixel grid
 * beating with the sensor's breaks every light module into stripes; photos of print stay under 0.26 runs
 * per pixel on our corpus, moiré frames 0.32 and up). The box average of the reduced copy removes that
 * beat, and the scan here would spend the work the coarser level needs on noise.
 */
function runPass(w: i32, h: i32, step0: i32, coarserNext: bool = false): bool {
  let step = step0;
  const px = <i64>w * <i64>h;
  if (work - reserve < px * FUEL_THRESH_PER_PX) return true;
  work -= px * FUEL_THRESH_PER_PX;
  thresholdBlocks(w, h);
  // a busy frame (moiré, foliage, noise) would spend the whole budget on the top rows of the scan: scan
  // every row of it more sparsely instead, so the finders anywhere in it still get a chance
  const runs = sampleRuns(w, h), allowed = (work - reserve) * 6 / 10;
  const est = runs * <i64>(FUEL_PER_RUN * 13 / 10) / <i64>step + <i64>(h / step) * <i64>(40 + (w >> 3));
  if (est > allowed && allowed > 0) {
    const k = <i32>((est + allowed - 1) / allowed);
    step = min(16, step * k);
  }
  if (optTrace) console.log("pass " + w.toString() + "x" + h.toString() + " step=" + step.toString() + " runs=" + runs.toString() + " left=" + (work / 1000).toString() + "k reserve=" + (reserve / 1000).toString() + "k");
  if (coarserNext && runs * 10 > px * 3) return false;
  findFinders(w, h, step, work - reserve);
  work -= finderFuel;
  if (work > reserve) searchCodes();
  if (optTrace) console.log("  cand=" + nCand.toString() + " scan=" + (finderFuel / 1000).toString() + "k left=" + (work / 1000).toString() + "k codes=" + codeCount.toString());
  return true;
}

/** Decodes every QR code in the gray frame (w x h at grayPtr). Returns the number of codes. */
export function decodeFrame(w: i32, h: i32): i32 {
  W = w; H = h; codeCount = 0; resReset(); dbgFmtFail = 0; dbgRsFail = 0; dbgParseFail = 0; dbgTries = 0;
  gridBudget = optGridBudget; resultScale = 1;
  work = optWorkBudget;
  // the pyramid's share: both reduced levels' passes (a quarter and a sixteenth of the frame) and the reductions
  // (per frame pixel: halving 1 + 1/4 of it, statistics and threshold on 1/4 + 1/16 of it), plus scans and a few tries
  reserve = halfPtr != 0 && optPyramid && w >= 320 && h >= 240 ? <i64>w * <i64>h * (FUEL_HALVE_PER_PX * 5 / 4 + (FUEL_STATS_PER_PX + FUEL_THRESH_PER_PX) * 5 / 16 + 3) + 4 * (FUEL_GEOMETRY + FUEL_DECODE + 3000 * FUEL_PER_MODULE) : 0;
  if (reserve > work / 3) reserve = work / 3;
  let step = optRowStep;
  if (step <= 0) step = h >= 1000 ? 3 : (h >= 300 ? 2 : 1);
  lastInverted = false;
  setNegative(false);
  work -= <i64>w * <i64>h * FUEL_STATS_PER_PX;
  blockStats(w, h);
  if (texturedBlocks == 0 && w >= 40 && h >= 40) return 0;   // flat frame (lens cap, blank wall)
  // pass 1: flat blocks read as light paper (dark level = half their minimum)
  setFlatMode(1);
  let pyr = halfPtr != 0 && optPyramid && (w >> 1) >= PYR_MIN_W && (h >> 1) >= PYR_MIN_H;
  if (!runPass(w, h, step, pyr)) {
    // too busy to scan at this size: the reduced copies first, then (they overwrite the block statistics)
    // this size again with fresh statistics and no skipping, with the work left
    pyramid(w, h);
    if (codeCount > 0 || work < <i64>w * <i64>h * (FUEL_STATS_PER_PX + FUEL_THRESH_PER_PX)) return codeCount;
    pyr = false;
    work -= <i64>w * <i64>h * FUEL_STATS_PER_PX;
    blockStats(w, h);
    runPass(w, h, step);
  }
  // pass 1b: only two finders readable (damaged or glared third finder)
  if (codeCount == 0 && optPairs && work > reserve) searchPairs();
  frameNo++;
  const doAlt = optAltBinarize && (!optCyclePasses || (frameNo & 1) == 0);
  const doInv = optTryInverted && (!optCyclePasses || (frameNo & 1) == 1);
  // pass 2: flat blocks just under their minimum (low contrast next to flat areas); the same binary image
  // as pass 1 when no block is flat, so skipped then
  if (codeCount == 0 && doAlt && flatBlocks > 0) {
    setFlatMode(0);
    runPass(w, h, step);
  }
  if (codeCount == 0 && doInv) {
    // pass 3: light-on-dark codes: threshold the negative, so the flat (dark) background stays background
    setFlatMode(1);
    setNegative(true);
    lastInverted = true;
    runPass(w, h, step);
    setNegative(false);
  }
  if (codeCount == 0 && pyr) pyramid(w, h);
  return codeCount;
}

/** Smallest reduced copy worth a pass. */
const PYR_MIN_W: i32 = 160, PYR_MIN_H: i32 = 120;

/**
 * Codes with large modules (screens and posters up close: 20-40 px modules, often with moiré) on copies of
 * the frame reduced 2x, then 4x (box average: the moiré averages out, the modules become ordinary), with
 * the first binarization pass. Results are mapped back to the frame's pixels.
 */
function pyramid(w: i32, h: i32): void {
  let cw = w, ch = h, src = grayPtr;
  reserve = 0;
  for (let level = 1; level <= 2 && codeCount == 0; level++) {
    const nw = cw >> 1, nh = ch >> 1;
    if (nw < PYR_MIN_W || nh < PYR_MIN_H) break;
    const cost = <i64>cw * <i64>ch * FUEL_HALVE_PER_PX + <i64>nw * <i64>nh * (FUEL_STATS_PER_PX + FUEL_THRESH_PER_PX);
    if (work < cost) break;
    work -= <i64>cw * <i64>ch * FUEL_HALVE_PER_PX;
    halve(src, cw, ch, halfPtr);
    src = halfPtr; cw = nw; ch = nh;
    useReduced(true);
    W = cw; H = ch; resultScale = 1 << level; lastInverted = false;
    work -= <i64>cw * <i64>ch * FUEL_STATS_PER_PX;
    blockStats(cw, ch);
    // a coarser level follows when this one's halves are still large enough (the test at the loop's top)
    const coarserNext = level < 2 && (nw >> 1) >= PYR_MIN_W && (nh >> 1) >= PYR_MIN_H;
    if (texturedBlocks > 0) { setFlatMode(1); runPass(cw, ch, ch >= 300 ? 2 : 1, coarserNext); }
  }
  useReduced(false);
  W = w; H = h; resultScale = 1;
}

/** 2x2 box average of the w x h image at src into dst (dst may be src: each output is written behind its inputs). */
function halve(src: usize, w: i32, h: i32, dst: usize): void {
  const nw = w >> 1, nh = h >> 1;
  for (let y = 0; y < nh; y++) {
    const r0 = src + <usize>(2 * y * w), r1 = r0 + <usize>w, o = dst + <usize>(y * nw);
    for (let x = 0; x < nw; x++) {
      const s = <u32>load<u8>(r0 + <usize>(2 * x)) + <u32>load<u8>(r0 + <usize>(2 * x + 1)) +
        <u32>load<u8>(r1 + <usize>(2 * x)) + <u32>load<u8>(r1 + <usize>(2 * x + 1));
      store<u8>(o + <usize>x, <u8>((s + 2) >> 2));
    }
  }
}
