// ECDH over P-256: shared = x(d * Q) after validating Q (length/prefix, coordinates < p, on the curve;
// the SEC1 encodings accepted here cannot express the point at infinity, and the result of
// d * Q for d in [1, n-1] on the prime-order curve is never infinity).
import { decodePoint } from "./p256/point";
import { varMulCT } from "./p256/mult";
import { feToBytes } from "./p256/field";
import { loadPrivate } from "./ecdsa";
import { OK, E_BAD_KEY, E_BAD_POINT } from "../errors";

const Q: usize = memory.data(72, 16);
const OUT: usize = memory.data(72, 16);
const D: usize = memory.data(32, 16);

/** shared (32 bytes) = x(priv * pub). pub: 65-byte uncompressed or 33-byte compressed SEC1. */
export function ecdhShared(shared: usize, priv: usize, pub: usize, pubLen: i32): i32 {
  if (decodePoint(Q, pub, pubLen) != 0) return E_BAD_POINT;
  if (!loadPrivate(D, priv)) return E_BAD_KEY;
  varMulCT(OUT, Q, D);
  feToBytes(shared, OUT);
  memory.fill(D, 0, 32); memory.fill(OUT, 0, 72);
  return OK;
}

// SubjectPublicKeyInfo prefixes for id-ecPublicKey with the named curve prime256v1 (RFC 5480),
// uncompressed (91-byte SPKI) and compressed (59-byte SPKI) points.
const SPKI_UNCOMPRESSED: usize = memory.data<u8>([0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00]);
const SPKI_COMPRESSED: usize = memory.data<u8>([0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00]);

function prefixIs(p: usize, prefix: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (load<u8>(p + i) != load<u8>(prefix + i)) return false;
  return true;
}

/**
 * ECDH with the peer key as a DER SubjectPublicKeyInfo. Only the named-curve P-256 encoding is
 * accepted (explicit curve parameters, other curves and any BER variation -> E_BAD_POINT).
 */
export function ecdhSharedSpki(shared: usize, priv: usize, spki: usize, len: i32): i32 {
  if (len == 91 && prefixIs(spki, SPKI_UNCOMPRESSED, 26)) return ecdhShared(shared, priv, spki + 26, 65);
  if (len == 59 && prefixIs(spki, SPKI_COMPRESSED, 26)) return ecdhShared(shared, priv, spki + 26, 33);
  return E_BAD_POINT;
}
