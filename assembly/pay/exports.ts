// Kernel exports for host tests: parse a payload written into a fixed buffer, read the JSON result.
//   payloadBuffer() -> ptr (PAYLOAD_IN_MAX bytes); payloadParse(len) -> status (0 valid);
//   payloadResultPtr()/payloadResultLen() -> UTF-8 JSON of the full result.
import { OK, E_TOO_LARGE } from "../errors";
import { parsePayloadBytes } from "./payload";
import { MAX_PAYLOAD_BYTES, PayloadResult } from "./payload_common";

export const PAYLOAD_IN_MAX: i32 = MAX_PAYLOAD_BYTES + 16;
export const PAYLOAD_OUT_MAX: i32 = 65536;

const inBuf: usize = memory.data(MAX_PAYLOAD_BYTES + 16, 8);
const outBuf: usize = memory.data(65536, 8);
let outLen: i32 = 0;

export function payloadBuffer(): usize { return inBuf; }
export function payloadResultPtr(): usize { return outBuf; }
export function payloadResultLen(): i32 { return outLen; }

/** Parses len bytes from payloadBuffer(). Returns OK for a valid payload, else the reason's status. */
export function payloadParse(len: i32): i32 {
  const r = len < 0 || len > PAYLOAD_IN_MAX
    ? new PayloadResult().fail(E_TOO_LARGE, "payload length out of range")
    : parsePayloadBytes(inBuf, len);
  const json = String.UTF8.encode(r.toJson());
  const n = min(json.byteLength, PAYLOAD_OUT_MAX);
  memory.copy(outBuf, changetype<usize>(json), <usize>n);
  outLen = n;
  return r.valid ? OK : r.status;
}
