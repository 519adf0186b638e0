// COSE_Key (RFC 9052/9053) for a P-256 public key, as WebAuthn registers it:
// {1: 2 (kty EC2), 3: -7 (alg ES256), -1: 1 (crv P-256), -2: x (bstr 32), -3: y (bstr 32)}
// in CTAP2 canonical CBOR (map of 5, keys in this order).
export const COSE_KEY_BYTES: i32 = 77;

/** Writes the 77-byte COSE_Key for a 65-byte uncompressed SEC1 key. Returns 77, or -1 if not 04||x||y. */
export function coseKeyFromSec1(out: usize, pub: usize, pubLen: i32): i32 {
  if (pubLen != 65 || load<u8>(pub) != 4) return -1;
  store<u8>(out, 0xa5);                          // map(5)
  store<u8>(out + 1, 0x01); store<u8>(out + 2, 0x02);   // 1: 2
  store<u8>(out + 3, 0x03); store<u8>(out + 4, 0x26);   // 3: -7
  store<u8>(out + 5, 0x20); store<u8>(out + 6, 0x01);   // -1: 1
  store<u8>(out + 7, 0x21); store<u8>(out + 8, 0x58); store<u8>(out + 9, 0x20); // -2: bstr(32)
  memory.copy(out + 10, pub + 1, 32);
  store<u8>(out + 42, 0x22); store<u8>(out + 43, 0x58); store<u8>(out + 44, 0x20); // -3: bstr(32)
  memory.copy(out + 45, pub + 33, 32);
  return COSE_KEY_BYTES;
}
