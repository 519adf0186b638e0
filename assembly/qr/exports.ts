// Kernel exports of the QR engine for hosts, tests and benchmarks.
//   qrInit(maxW, maxH)     allocate the working buffers once (0 = ok, else a status)
//   qrFrameBuffer(w, h)    pointer to the gray frame buffer (w*h bytes), 0 when the frame does not fit
//   qrDecode(w, h)         decode every code in the frame; returns the count (≥ 0)
//   qrResultPtr/Len        newline-separated JSON records, one per code (valid until the next qrDecode)
//   qrSetOptions(flags)    bit0: no inverted (light-on-dark) pass      bit1: no mirrored attempt
//                          bit2: trace to stdout (debugging)            bit3: timing-pattern refinement (v1)
//                          bit4: no low-contrast binarization pass      bit5: no two-finder inference
//                          bit6 / bit7: force on / off spreading the extra passes over consecutive frames
//                            (on by default: camera video; hosts decoding still images pass bit7 = 128)
//                          bits 8..11: finder row step (0 = auto)       bit12: two-finder inference on MCU boards
//                          bit13: timing-pattern gate before grid work  bit14: no pyramid (reduced copies)
//                          bits 16..31: grid budget (0 = default)
import { allocFrames, frameFits, grayPtr } from "./frame";
import { decodeFrame, setOptions, setWorkBudget } from "./decoder";
import { resBuf, resLen } from "./jsonw";
import { OK, E_CONFIG, E_TOO_LARGE } from "../errors";
// @ts-ignore: compile-time constants when built into the firmware; desktop defaults otherwise
const DEF_W: i32 = isDefined(BOARD_CAMERA_W) ? BOARD_CAMERA_W : 1920;
// @ts-ignore
const DEF_H: i32 = isDefined(BOARD_CAMERA_H) ? BOARD_CAMERA_H : 1440;

export function qrInit(maxW: i32, maxH: i32): i32 {
  return allocFrames(maxW, maxH) ? OK : E_CONFIG;
}
export function qrFrameBuffer(w: i32, h: i32): usize {
  if (grayPtr == 0 && !allocFrames(DEF_W, DEF_H)) return 0;
  return frameFits(w, h) ? grayPtr : 0;
}
export function qrDecode(w: i32, h: i32): i32 {
  if (!frameFits(w, h)) return -E_TOO_LARGE;
  return decodeFrame(w, h);
}
export function qrResultPtr(): usize { return resBuf; }
export function qrResultLen(): i32 { return resLen; }
export function qrSetOptions(flags: i32): void { setOptions(flags); }
/** Per-frame work budget in thousands of estimated wasmtime fuel units (0 = the board's share of budgets.fuelPerFrame). */
export function qrSetWorkBudget(kiloFuel: i32): void { setWorkBudget(<i64>kiloFuel * 1000); }
export function qrMaxWidth(): i32 { return DEF_W; }
export function qrMaxHeight(): i32 { return DEF_H; }
import { dbgFmtFail, dbgRsFail, dbgParseFail, dbgTries, dbgLastDim, workLeft, optWorkBudget } from "./decoder";
import { nCand } from "./finder";
/**
 * Diagnostics of the last qrDecode: 0 candidates, 1 grid tries, 2 format fails, 3 RS fails, 4 parse fails,
 * 5 last dim, 6 estimated work spent (thousands of fuel units, decoder.ts work meter).
 */
export function qrDebug(i: i32): i32 {
  if (i == 0) return nCand;
  if (i == 1) return dbgTries;
  if (i == 2) return dbgFmtFail;
  if (i == 3) return dbgRsFail;
  if (i == 4) return dbgParseFail;
  if (i == 5) return dbgLastDim;
  if (i == 6) return <i32>((optWorkBudget - workLeft()) / 1000);
  return 0;
}
import { binPtr } from "./frame";
import { fx, fy, fms, fcnt } from "./finder";
/** Debug: the binary image of the last pass (1 = dark). */
export function qrBinaryBuffer(): usize { return binPtr; }
/** Debug: finder candidate i of the last pass: 0 x, 1 y, 2 module size, 3 hits. */
export function qrCandidate(i: i32, field: i32): f64 {
  if (i < 0 || i >= nCand) return -1;
  if (field == 0) return fx[i];
  if (field == 1) return fy[i];
  if (field == 2) return fms[i];
  return <f64>fcnt[i];
}
import { grid, HM } from "./grid";
/** Debug: the last sampled module grid (dim*dim bytes) and transform coefficient i. */
export function qrGridBuffer(): usize { return changetype<usize>(grid); }
export function qrTransform(i: i32): f64 { return i >= 0 && i < 8 ? HM[i] : 0; }
import { decodeQuad } from "./decoder";
export function qrDecodeQuad(w: i32, h: i32, ax: f64, ay: f64, bx: f64, by: f64, cx: f64, cy: f64, dx: f64, dy: f64, dim: i32, bin: i32): i32 {
  if (!frameFits(w, h) || dim < 21 || dim > 177 || ((dim - 17) & 3) != 0) return -1;
  return decodeQuad(w, h, ax, ay, bx, by, cx, cy, dx, dy, dim, bin != 0);
}
import { binarize } from "./binarize";
import { findFinders } from "./finder";
/** Profiling: run one stage alone (0 binarize, s >= 1 binarize + finder scan with row step s). */
export function qrStage(w: i32, h: i32, stage: i32): i32 {
  if (!frameFits(w, h)) return -1;
  binarize(w, h);
  if (stage >= 1) return findFinders(w, h, stage);
  return 0;
}
