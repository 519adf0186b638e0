// Strict DER for ECDSA signatures: SEQUENCE { INTEGER r, INTEGER s } (X9.62 / RFC 3279).
// Encoding is minimal; parsing accepts only DER (short-form lengths, minimal positive integers,
// no trailing bytes) and refuses every BER variant.

function intLen(p: usize): i32 {
  // number of content bytes for the 32-byte big-endian unsigned integer at p
  let i = 0;
  while (i < 31 && load<u8>(p + i) == 0) i++;
  return (32 - i) + (load<u8>(p + i) >= 0x80 ? 1 : 0);
}

function putInt(out: usize, p: usize): usize {
  const len = intLen(p);
  store<u8>(out, 0x02); store<u8>(out + 1, <u8>len);
  let o = out + 2;
  let start = 0;
  while (start < 31 && load<u8>(p + start) == 0) start++;
  if (load<u8>(p + start) >= 0x80) { store<u8>(o, 0); o++; }
  memory.copy(o, p + start, 32 - start);
  return o + 32 - start;
}

/** Encodes raw r||s (64 bytes) as DER into out (<= 72 bytes). Returns the length. */
export function derEncodeSig(out: usize, rs: usize): i32 {
  const body = 2 + intLen(rs) + 2 + intLen(rs + 32);
  store<u8>(out, 0x30); store<u8>(out + 1, <u8>body);
  let o = putInt(out + 2, rs);
  o = putInt(o, rs + 32);
  return <i32>(o - out);
}

// Parses one INTEGER at p (remaining bytes rem) into 32 bytes at dst; returns bytes consumed or -1.
function getInt(dst: usize, p: usize, rem: i32): i32 {
  if (rem < 3 || load<u8>(p) != 0x02) return -1;
  const len = <i32>load<u8>(p + 1);
  if (len == 0 || len >= 0x80 || len > rem - 2) return -1;   // long form lengths are never needed here
  const c = p + 2;
  if (load<u8>(c) >= 0x80) return -1;                          // negative
  if (len > 1 && load<u8>(c) == 0 && load<u8>(c + 1) < 0x80) return -1; // non-minimal
  let start = 0;
  if (load<u8>(c) == 0 && len > 1) start = 1;
  const n = len - start;
  if (n > 32) return -1;
  memory.fill(dst, 0, 32);
  memory.copy(dst + 32 - n, c + start, n);
  return len + 2;
}

/** Parses a strict DER signature into raw r||s (64 bytes). Returns false on any deviation. */
export function derDecodeSig(rs: usize, p: usize, len: i32): bool {
  if (len < 8 || len > 72) return false;
  if (load<u8>(p) != 0x30) return false;
  const body = <i32>load<u8>(p + 1);
  if (body >= 0x80 || body != len - 2) return false;
  const a = getInt(rs, p + 2, body);
  if (a < 0) return false;
  const b = getInt(rs + 32, p + 2 + a, body - a);
  if (b < 0) return false;
  return a + b == body;
}
