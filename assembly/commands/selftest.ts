// Self-test checks, run by `selftest` on the device itself. Each check compares against a published
// value or an invariant; engines append their own checks to CHECKS.
import { crc32 } from "../util/crc32";
import { stateClear, stateSet, stateGet, stateSerialize, stateLoad, stateBlobPtr, stateSetSecret } from "../state/blob";
import { OK, E_STATE_CORRUPT, E_TRUNCATED, E_STATE_AUTH } from "../errors";
import { hexToBytes, bytesToHex } from "../util/hex";
import { jsonEscape } from "../io/json";

export class Check {
  constructor(public name: string, public run: () => bool) {}
}

function crcCheck(): bool {
  // The CRC-32 check value from the catalogue of parametrised CRCs: crc32("123456789") = 0xCBF43926.
  const s = String.UTF8.encode("123456789");
  return crc32(changetype<usize>(s), 9) == 0xcbf43926;
}

function stateRoundTrip(): bool {
  // The command face has no device secret: the check seals under a throwaway one.
  const secret = hexToBytes("000102030405060708090a0b0c0d0e0f")!;
  stateSetSecret(secret.dataStart, secret.length);
  stateClear();
  const a = hexToBytes("00112233445566778899")!;
  if (stateSet(7, a.dataStart, a.length) != OK) return false;
  const n = stateSerialize();
  if (n <= 0) return false;
  const copy = new Uint8Array(n);
  memory.copy(copy.dataStart, stateBlobPtr(), n);
  stateClear();
  if (stateLoad(copy.dataStart, n) != OK) return false;
  const out = new Uint8Array(16);
  const got = stateGet(7, out.dataStart, 16);
  if (got != 10 || bytesToHex(out.slice(0, 10)) != "00112233445566778899") return false;
  // A flipped bit is refused and does not replace the live sections; so is a truncated blob.
  copy[20] ^= 1;
  if (stateLoad(copy.dataStart, n) != E_STATE_CORRUPT) return false;
  copy[20] ^= 1;
  // Under another secret the blob does not open.
  const other = hexToBytes("ff0102030405060708090a0b0c0d0e0f")!;
  stateSetSecret(other.dataStart, other.length);
  if (stateLoad(copy.dataStart, n) != E_STATE_AUTH) return false;
  stateSetSecret(secret.dataStart, secret.length);
  if (stateLoad(copy.dataStart, n - 3) != E_TRUNCATED) return false;
  const still = stateGet(7, out.dataStart, 16) == 10;
  stateClear();
  return still;
}

function jsonEscapeCheck(): bool {
  return jsonEscape("a\"b\\c\n\u0001") == "a\\\"b\\\\c\\n\\u0001";
}

function hexRejects(): bool {
  return hexToBytes("abc") == null && hexToBytes("zz") == null && hexToBytes("") != null;
}

export const CHECKS: Check[] = [
  new Check("crc32", crcCheck),
  new Check("state_blob", stateRoundTrip),
  new Check("json_escape", jsonEscapeCheck),
  new Check("hex", hexRejects),
];
