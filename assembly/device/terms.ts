// Texts the wearer compares or reads on the HUD, computed the same way on the phone (host/phone/glasses-link.ts).
import { sha256 } from "../crypto/sha256";
import { toHex } from "../util/hex";
import { Mandate } from "../pay/mandate";

const PAIRING_LABEL = "glasses-pay pairing v1";

/**
 * The 6-digit comparison code of a pairing, as BLE Numeric Comparison does it: both the phone and the
 * glasses show it; it binds the phone's challenge to the glasses' new public key:
 *   SHA-256("glasses-pay pairing v1" ‖ challenge bytes ‖ SEC1 public key (65)) → first 4 bytes, big-endian,
 *   mod 1,000,000, six digits with leading zeros.
 */
export function pairingComparison(challenge: Uint8Array, pub: usize): string {
  const label = String.UTF8.encode(PAIRING_LABEL);
  const n = label.byteLength + challenge.length + 65;
  const buf = new Uint8Array(n);
  memory.copy(buf.dataStart, changetype<usize>(label), label.byteLength);
  memory.copy(buf.dataStart + label.byteLength, challenge.dataStart, challenge.length);
  memory.copy(buf.dataStart + label.byteLength + challenge.length, pub, 65);
  const h = new Uint8Array(32);
  sha256(h.dataStart, buf.dataStart, <usize>n);
  const v = ((<u32>h[0] << 24) | (<u32>h[1] << 16) | (<u32>h[2] << 8) | <u32>h[3]) % 1000000;
  let s = v.toString();
  while (s.length < 6) s = "0" + s;
  return s;
}

function two(v: i32): string { return v < 10 ? "0" + v.toString() : v.toString(); }

/** "2027-01-04 12:00 UTC" from milliseconds since the epoch (proleptic Gregorian, days-from-civil inverse). */
export function formatDate(ms: i64): string {
  let days = ms / 86400000;
  let rem = ms % 86400000;
  if (rem < 0) { rem += 86400000; days--; }
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = <i32>(doy - (153 * mp + 2) / 5 + 1);
  const mo = <i32>(mp < 10 ? mp + 3 : mp - 9);
  const y = yoe + era * 400 + (mo <= 2 ? 1 : 0);
  const mins = <i32>(rem / 60000);
  return y.toString() + "-" + two(mo) + "-" + two(d) + " " + two(mins / 60) + ":" + two(mins % 60) + " UTC";
}

/** The agent as the HUD names it: its name (when given) and its key's fingerprint (which the mandate signs). */
export function mandateAgentLabel(m: Mandate): string {
  const h = new Uint8Array(32);
  sha256(h.dataStart, m.agentPub.dataStart, 65);
  const fp = toHex(h.dataStart, 4);
  return m.agentName.length > 0 ? m.agentName + " (key " + fp + ")" : "key " + fp;
}
