// Kernel exports for host tests: feed link fragments, read reassembled messages, fragment a message,
// and check/decode CBOR. Every buffer is static; calls allocate nothing except cborDump's text.
import { OK, E_TOO_LARGE, E_CBOR } from "../errors";
import { Reassembler, Fragmenter, LINK_FRAG_MAX, LINK_MSG_MAX, LINK_TIMEOUT_DEFAULT } from "./framing";
import { cborValidate, CborReader, CborWriter, MT_UINT, MT_NINT, MT_BYTES, MT_TEXT, MT_ARRAY, MT_MAP } from "./cbor";
import { jsonEscape } from "../io/json";

const rx = new Reassembler();
const tx = new Fragmenter();
const fragIn: usize = memory.data(512, 8);
const fragOut: usize = memory.data(512, 8);
const cborIn: usize = memory.data(4096, 8);
const cborOut: usize = memory.data(8192, 8);
let outN: i32 = 0;

/** (Re)configures both directions for a link MTU and an inter-fragment timeout. */
export function linkInit(mtu: i32, timeoutMs: i32): i32 {
  const t = timeoutMs <= 0 ? LINK_TIMEOUT_DEFAULT : timeoutMs;
  const s = rx.configure(mtu, <i64>t);
  if (s != OK) return s;
  return tx.configure(mtu);
}
export function linkFragBuffer(): usize { return fragIn; }
export function linkFeed(len: i32, tMs: i64): i32 {
  // lengths outside 1..mtu are rejected by feed() before it reads the buffer
  return rx.feed(fragIn, len, tMs);
}
export function linkTick(tMs: i64): i32 { return rx.tick(tMs); }
export function linkError(): i32 { return rx.lastError; }
export function linkRxReady(): i32 { return rx.ready ? 1 : 0; }
export function linkRxCmd(): i32 { return rx.ready ? rx.cmd : 0; }
export function linkRxLen(): i32 { return rx.ready ? rx.total : 0; }
export function linkRxData(): usize { return rx.data(); }
export function linkRxTake(): void { rx.take(); }

export function linkTxBody(): usize { return tx.buffer(); }
export function linkTxStart(cmd: i32, len: i32): i32 { return tx.start(cmd, len); }
export function linkTxError(code: i32): i32 { return tx.sendError(code); }
export function linkTxFrag(): usize { return fragOut; }
/** Next outgoing fragment into linkTxFrag(); returns its length (0 when the message is sent). */
export function linkTxNext(): i32 { return tx.next(fragOut); }
export function linkMsgMax(): i32 { return LINK_MSG_MAX; }

// CBOR
export function cborBuffer(): usize { return cborIn; }
export function cborOutPtr(): usize { return cborOut; }
export function cborOutLen(): i32 { return outN; }
export function cborCheck(len: i32): i32 {
  if (len < 0 || len > 4096) return E_TOO_LARGE;
  return cborValidate(cborIn, len);
}

const rd = new CborReader();
const wr = new CborWriter();

/** Validates, then re-encodes item by item through the writer into cborOut (must equal the input). */
export function cborReencode(len: i32): i32 {
  const s = cborCheck(len);
  outN = 0;
  if (s != OK) return s;
  rd.reset(cborIn, len);
  wr.reset(cborOut, 8192);
  if (!copyItem()) return rd.status != OK ? rd.status : E_CBOR;
  if (wr.overflow) return E_TOO_LARGE;
  outN = wr.len;
  return OK;
}

function copyItem(): bool {
  if (!rd.readHead()) return false;
  const m = rd.major, v = rd.arg;
  if (m == MT_UINT) wr.uint(v);
  else if (m == MT_NINT) wr.int(-1 - <i64>v);
  else if (m == MT_BYTES) wr.bytes(rd.valPtr, rd.valLen);
  else if (m == MT_TEXT) wr.textUtf8(rd.valPtr, rd.valLen);
  else if (m == MT_ARRAY) { wr.array(<i32>v); for (let i = 0; i < <i32>v; i++) if (!copyItem()) return false; }
  else if (m == MT_MAP) { wr.map(<i32>v); for (let i = 0; i < 2 * <i32>v; i++) if (!copyItem()) return false; }
  else if (v == 20) wr.bool(false);
  else if (v == 21) wr.bool(true);
  else wr.nul();
  return true;
}

/**
 * Validates, then writes a typed JSON dump into cborOut: ints {"i":"-5"}, bytes {"b":"hex"},
 * text {"t":"…"}, arrays [..], maps {"m":[[k,v],..]}, and true/false/null.
 */
export function cborDump(len: i32): i32 {
  const s = cborCheck(len);
  outN = 0;
  if (s != OK) return s;
  rd.reset(cborIn, len);
  const j = dumpItem();
  const b = String.UTF8.encode(j);
  if (b.byteLength > 8192) return E_TOO_LARGE;
  memory.copy(cborOut, changetype<usize>(b), <usize>b.byteLength);
  outN = b.byteLength;
  return OK;
}

const HEX = "0123456789abcdef";
function dumpItem(): string {
  rd.readHead();
  const m = rd.major, v = rd.arg;
  if (m == MT_UINT) return "{\"i\":\"" + v.toString() + "\"}";
  if (m == MT_NINT) return "{\"i\":\"" + (-1 - <i64>v).toString() + "\"}";
  if (m == MT_BYTES) {
    let h = "";
    for (let i = 0; i < rd.valLen; i++) { const b = load<u8>(rd.valPtr + <usize>i); h += HEX.charAt(b >> 4) + HEX.charAt(b & 15); }
    return "{\"b\":\"" + h + "\"}";
  }
  if (m == MT_TEXT) return "{\"t\":\"" + jsonEscape(String.UTF8.decodeUnsafe(rd.valPtr, <usize>rd.valLen)) + "\"}";
  if (m == MT_ARRAY) {
    const parts: string[] = [];
    for (let i = 0; i < <i32>v; i++) parts.push(dumpItem());
    return "[" + parts.join(",") + "]";
  }
  if (m == MT_MAP) {
    const parts: string[] = [];
    for (let i = 0; i < <i32>v; i++) { const k = dumpItem(); const x = dumpItem(); parts.push("[" + k + "," + x + "]"); }
    return "{\"m\":[" + parts.join(",") + "]}";
  }
  return v == 20 ? "false" : v == 21 ? "true" : "null";
}


/**
 * Allocation probe for tests: allocates and frees one byte and returns its address. Under the stub
 * runtime (bump allocator) the address only stays the same when nothing was allocated in between.
 */
export function linkHeapProbe(): usize { const p = heap.alloc(1); heap.free(p); return p; }
