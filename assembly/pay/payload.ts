// Payment QR payloads: one entry point for EMV MPM, Alipay/WeChat Pay URLs and UPI URIs.
//   parsePayloadBytes(ptr, len)  UTF-8 bytes (what the QR decoder produces)
//   parsePayload(text)           an AS string (command face)
// The result says valid/invalid with a reason, the scheme, and the fields the wearer is shown
// (merchant name/city, amount scaled by the ISO 4217 exponent, currency alpha code).
import { E_PAYLOAD_FORMAT, E_TOO_LARGE } from "../errors";
import { PayloadResult, MAX_PAYLOAD_BYTES, capDisplayFields } from "./payload_common";
import { loadUtf8, parseEmv } from "./payload_emv";
import { parseUrlPayload } from "./payload_url";

export { PayloadResult } from "./payload_common";

function looksEmv(ptr: usize, len: i32): bool {
  // an EMV payload starts with a TLV header: 2-digit id, 2-digit length (URLs never start with digits)
  if (len < 4) return false;
  for (let i = 0; i < 4; i++) { const c = load<u8>(ptr + <usize>i); if (c < 48 || c > 57) return false; }
  return true;
}

export function parsePayloadBytes(ptr: usize, len: i32): PayloadResult {
  const r = new PayloadResult();
  if (len <= 0) return r.fail(E_PAYLOAD_FORMAT, "empty payload");
  if (len > MAX_PAYLOAD_BYTES) return r.fail(E_TOO_LARGE, "payload longer than " + MAX_PAYLOAD_BYTES.toString() + " bytes");
  if (!loadUtf8(ptr, len)) return r.fail(E_PAYLOAD_FORMAT, "payload is not valid UTF-8");
  if (looksEmv(ptr, len)) return capDisplayFields(parseEmv(r, len));
  // URL kinds: control characters are never part of a payment URL
  for (let i = 0; i < len; i++) {
    const b = load<u8>(ptr + <usize>i);
    if (b < 0x20 || b == 0x7f) return r.fail(E_PAYLOAD_FORMAT, "payload contains control characters");
  }
  const s = String.UTF8.decodeUnsafe(ptr, <usize>len);
  const u = parseUrlPayload(s, r);
  if (u != null) return capDisplayFields(u);
  return r.fail(E_PAYLOAD_FORMAT, "unrecognised payload format");
}

export function parsePayload(text: string): PayloadResult {
  const b = String.UTF8.encode(text);
  return parsePayloadBytes(changetype<usize>(b), b.byteLength);
}

