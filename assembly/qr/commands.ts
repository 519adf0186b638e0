// Command face of the QR engine:
//   scan <frame.pgm>…   → one JSON line per decoded code: {"file", "text", "bytes", "version", "ec", "corners", …}
// Frames are binary (P5) or ASCII (P2) PGM, at most the board's camera size (the host downscales larger
// images). A frame without a readable code prints nothing and ends with status qr_not_found.
import { OK, E_ARGS, E_IO, E_FORMAT, E_TRUNCATED, E_TOO_LARGE, E_QR_NOT_FOUND, E_CONFIG } from "../errors";
import { readFileInto, readIntoError } from "../io/file";
import { argNotUtf8 } from "../io/args";
import { writeBytes, printLine } from "../io/output";
import { fail } from "../commands/fail";
import { jsonEscape } from "../io/json";
import { allocFrames, frameFits, grayPtr, capW, capH } from "./frame";
import { decodeFrame } from "./decoder";
import { resBuf, resLen } from "./jsonw";
// @ts-ignore: compile-time constants from the board build
const CAM_W: i32 = isDefined(BOARD_CAMERA_W) ? BOARD_CAMERA_W : 1920;
// @ts-ignore
const CAM_H: i32 = isDefined(BOARD_CAMERA_H) ? BOARD_CAMERA_H : 1440;

export const SCAN_USAGE = "scan <frame.pgm>…  (decode every QR code in 8-bit PGM frames; one JSON line per code)";

let pgmW: i32 = 0, pgmH: i32 = 0, pgmMsg: string = "";

function isSpace(c: i32): bool { return c == 32 || c == 9 || c == 10 || c == 13; }

// One file buffer for the whole command, reused for every file (a scan over any number of files keeps
// the same memory): room for an ASCII (P2) PGM of the camera's size (up to 4 bytes per pixel) and its header.
const FILE_CAP: i32 = CAM_W * CAM_H * 4 + 4096;
let fileBuf: usize = 0;

// @ts-ignore
@inline function at(d: usize, i: i32): u8 { return load<u8>(d + <usize>i); }

const headerVals = new StaticArray<i32>(3);

/** Parses a PGM header (n bytes at d) and copies the pixels into the frame buffer. Returns a status. */
function loadPgm(d: usize, n: i32): i32 {
  if (n < 2 || at(d, 0) != 0x50 || (at(d, 1) != 0x35 && at(d, 1) != 0x32)) { pgmMsg = "not a PGM file (P5/P2)"; return E_FORMAT; }
  const ascii = at(d, 1) == 0x32;
  let pos = 2;
  const vals = headerVals;
  for (let k = 0; k < 3; k++) {
    while (pos < n) {
      if (isSpace(<i32>at(d, pos))) { pos++; continue; }
      if (at(d, pos) == 0x23) { while (pos < n && at(d, pos) != 10) pos++; continue; }
      break;
    }
    let v: i32 = 0, digits = 0;
    while (pos < n && at(d, pos) >= 0x30 && at(d, pos) <= 0x39 && digits < 7) { v = v * 10 + <i32>(at(d, pos) - 0x30); pos++; digits++; }
    if (digits == 0 || digits >= 7) { pgmMsg = "bad PGM header"; return E_FORMAT; }
    vals[k] = v;
  }
  const w = vals[0], h = vals[1], maxv = vals[2];
  if (w < 1 || h < 1 || maxv < 1 || maxv > 255) { pgmMsg = "unsupported PGM (need 8-bit, maxval <= 255)"; return E_FORMAT; }
  if (!frameFits(w, h)) {
    pgmMsg = "frame " + w.toString() + "x" + h.toString() + " exceeds the camera buffer " + capW.toString() + "x" + capH.toString() + " (or is under 21 px)";
    return E_TOO_LARGE;
  }
  pgmW = w; pgmH = h;
  const count = w * h;
  if (!ascii) {
    pos++; // one whitespace byte after maxval
    if (n - pos < count) { pgmMsg = "truncated PGM: " + (n - pos).toString() + " of " + count.toString() + " pixel bytes"; return E_TRUNCATED; }
    for (let i = 0; i < count; i++) {
      let v = <i32>at(d, pos + i);
      if (maxv != 255) v = (v * 255 + (maxv >> 1)) / maxv;
      store<u8>(grayPtr + <usize>i, <u8>(v > 255 ? 255 : v));
    }
  } else {
    for (let i = 0; i < count; i++) {
      while (pos < n && isSpace(<i32>at(d, pos))) pos++;
      if (pos >= n) { pgmMsg = "truncated PGM (P2)"; return E_TRUNCATED; }
      let v: i32 = 0, digits = 0;
      while (pos < n && at(d, pos) >= 0x30 && at(d, pos) <= 0x39 && digits < 6) { v = v * 10 + <i32>(at(d, pos) - 0x30); pos++; digits++; }
      if (digits == 0) { pgmMsg = "bad P2 sample"; return E_FORMAT; }
      v = (v * 255 + (maxv >> 1)) / maxv;
      store<u8>(grayPtr + <usize>i, <u8>(v > 255 ? 255 : v));
    }
  }
  return OK;
}

export function scanCommand(args: string[]): i32 {
  const files = new Array<string>();
  const notUtf8 = new Array<bool>();
  // args are argv[2..] (dispatch.ts): a name that is not UTF-8 cannot be opened from its decoded string
  for (let i = 0; i < args.length; i++) if (!args[i].startsWith("--")) { files.push(args[i]); notUtf8.push(argNotUtf8(i + 2)); }
  if (files.length == 0) return fail(E_ARGS, "usage: " + SCAN_USAGE);
  if (!allocFrames(CAM_W, CAM_H)) return fail(E_CONFIG, "cannot allocate QR frame buffers");
  if (fileBuf == 0) fileBuf = heap.alloc(<usize>FILE_CAP);
  let found = 0;
  let lastErr: i32 = OK; let lastMsg = "";
  for (let f = 0; f < files.length; f++) {
    const path = files[f];
    if (notUtf8[f]) {
      lastErr = E_ARGS; lastMsg = path + ": file name is not valid UTF-8 (shown with U+FFFD); rename the file";
      printErr(path, "file name is not valid UTF-8 (shown with U+FFFD); rename the file");
      continue;
    }
    const len = readFileInto(path, fileBuf, FILE_CAP);
    if (len < 0) { lastErr = E_IO; lastMsg = readIntoError; printErr(path, readIntoError); continue; }
    const st = loadPgm(fileBuf, len);
    if (st != OK) { lastErr = st; lastMsg = path + ": " + pgmMsg; printErr(path, pgmMsg); continue; }
    const n = decodeFrame(pgmW, pgmH);
    // records are complete JSON objects ending in "}\n": prefix each with the file name
    const prefix = String.UTF8.encode("{\"file\":\"" + jsonEscape(path) + "\",");
    let start = 0;
    for (let i = 0; i < resLen; i++) {
      if (load<u8>(resBuf + <usize>i) == 10) {
        writeBytes(1, changetype<usize>(prefix), <usize>prefix.byteLength);
        writeBytes(1, resBuf + <usize>start + 1, <usize>(i - start)); // skip the record's "{"
        start = i + 1;
      }
    }
    found += n;
  }
  if (files.length == 1 && lastErr != OK) return fail(lastErr, lastMsg);
  if (found == 0) return fail(lastErr != OK ? lastErr : E_QR_NOT_FOUND, lastErr != OK ? lastMsg : "no QR code found");
  return OK;
}

function printErr(path: string, msg: string): void {
  printLine("{\"file\":\"" + jsonEscape(path) + "\",\"error\":\"" + jsonEscape(msg) + "\"}");
}
