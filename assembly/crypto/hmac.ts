// HMAC-SHA-256 (RFC 2104 / FIPS 198-1). Context in caller-owned memory (HMAC_CTX_BYTES):
// inner SHA context | outer SHA context (the outer one already absorbed K ^ opad).
import { SHA_CTX_BYTES, shaInit, shaUpdate, shaFinal, sha256 } from "./sha256";

export const HMAC_CTX_BYTES: usize = 2 * SHA_CTX_BYTES;
const KEYBLK: usize = memory.data(64, 16);
const INNER: usize = memory.data(32, 16);
const ONESHOT: usize = memory.data(2 * 112, 16);

export function hmacInit(ctx: usize, key: usize, keyLen: usize): void {
  memory.fill(KEYBLK, 0, 64);
  if (keyLen > 64) sha256(KEYBLK, key, keyLen);
  else memory.copy(KEYBLK, key, keyLen);
  for (let i: usize = 0; i < 64; i++) store<u8>(KEYBLK + i, load<u8>(KEYBLK + i) ^ 0x36);
  shaInit(ctx); shaUpdate(ctx, KEYBLK, 64);
  for (let i: usize = 0; i < 64; i++) store<u8>(KEYBLK + i, load<u8>(KEYBLK + i) ^ (0x36 ^ 0x5c));
  shaInit(ctx + SHA_CTX_BYTES); shaUpdate(ctx + SHA_CTX_BYTES, KEYBLK, 64);
  memory.fill(KEYBLK, 0, 64);
}

export function hmacUpdate(ctx: usize, p: usize, len: usize): void { shaUpdate(ctx, p, len); }

/** Writes the 32-byte MAC. The context is consumed (re-init before reuse). */
export function hmacFinal(ctx: usize, out: usize): void {
  shaFinal(ctx, INNER);
  shaUpdate(ctx + SHA_CTX_BYTES, INNER, 32);
  shaFinal(ctx + SHA_CTX_BYTES, out);
}

/** out (32 bytes) = HMAC-SHA-256(key, msg) */
export function hmacSha256(out: usize, key: usize, keyLen: usize, msg: usize, msgLen: usize): void {
  hmacInit(ONESHOT, key, keyLen);
  hmacUpdate(ONESHOT, msg, msgLen);
  hmacFinal(ONESHOT, out);
  memory.fill(ONESHOT, 0, 2 * 112);   // key-derived states
}

/** Constant-time comparison of len bytes; true when equal. */
export function ctEqual(a: usize, b: usize, len: usize): bool {
  let d: u32 = 0;
  for (let i: usize = 0; i < len; i++) d |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  return d == 0;
}

/**
 * Verifies a possibly truncated tag (1..32 bytes): recomputes the MAC and compares its first
 * tagLen bytes in constant time. Tags shorter than 16 bytes are refused (weak).
 */
export function hmacVerify(key: usize, keyLen: usize, msg: usize, msgLen: usize, tag: usize, tagLen: usize): bool {
  if (tagLen < 16 || tagLen > 32) return false;
  hmacSha256(INNER, key, keyLen, msg, msgLen);
  const ok = ctEqual(INNER, tag, tagLen);
  memory.fill(INNER, 0, 32);
  return ok;
}
