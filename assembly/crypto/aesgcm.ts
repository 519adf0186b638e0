// AES-GCM (NIST SP 800-38D) with AES-128/192/256, IVs of any non-zero length, 128-bit tags.
// Constant time: AES from aes.ts (computed/bitsliced S-box, CTR keystream 4 blocks per call); GHASH
// is a carry-less multiply built from integer multiplies ("holes"), Karatsuba, and a shift-based
// reduction. No table is indexed by secret data. Slower than table or AES-NI code; leak-free.
import { OK, E_ARGS, E_AUTH_FAILED } from "../errors";
import { aesSetKey, aesEncryptBlock, aesEncrypt4, aesWipe } from "./aes";

const H: usize = memory.data(16, 16);
const J0: usize = memory.data(16, 16);
const CB: usize = memory.data(64, 16);
const KS: usize = memory.data(64, 16);
const Y: usize = memory.data(16, 16);
const TMP: usize = memory.data(16, 16);
const TAGC: usize = memory.data(16, 16);

// ---------------------------------------------------------------- GHASH

let hHi: u64 = 0, hLo: u64 = 0;

// Carry-less 32x32 -> 64-bit multiply from integer multiplies: each operand is split into four
// masks with one bit in every 4; every partial integer product then has at most 8 terms per
// output bit, so carries stay inside the 3 "holes" above it and never reach the next kept bit.
// @ts-ignore: decorator
@inline function bmul32(x: u32, y: u32): u64 {
  const x0 = <u64>(x & 0x11111111), x1 = <u64>(x & 0x22222222), x2 = <u64>(x & 0x44444444), x3 = <u64>(x & 0x88888888);
  const y0 = <u64>(y & 0x11111111), y1 = <u64>(y & 0x22222222), y2 = <u64>(y & 0x44444444), y3 = <u64>(y & 0x88888888);
  const z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  const z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  const z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  const z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (z0 & 0x1111111111111111) | (z1 & 0x2222222222222222) | (z2 & 0x4444444444444444) | (z3 & 0x8888888888888888);
}

let mHi: u64 = 0, mLo: u64 = 0;
/** 64x64 -> 128-bit carry-less product (Karatsuba over bmul32) into mHi:mLo. */
// @ts-ignore: decorator
@inline function bmul64(x: u64, y: u64): void {
  const xl = <u32>x, xh = <u32>(x >> 32), yl = <u32>y, yh = <u32>(y >> 32);
  const lo = bmul32(xl, yl), hi = bmul32(xh, yh);
  const mid = bmul32(xl ^ xh, yl ^ yh) ^ lo ^ hi;
  mLo = lo ^ (mid << 32);
  mHi = hi ^ (mid >> 32);
}

/**
 * Y = (Y ^ block) * H in GF(2^128) with GCM's reflected bit order, constant time.
 * Blocks are read as big-endian 128-bit integers; their carry-less product is the reflected
 * product shifted by one, which is then reduced by x^128 = x^7 + x^2 + x + 1 with shifts.
 */
function ghashBlock(blk: usize): void {
  const a1 = bswap<u64>(load<u64>(Y, 0) ^ load<u64>(blk, 0));
  const a0 = bswap<u64>(load<u64>(Y, 8) ^ load<u64>(blk, 8));
  // 128 x 128 Karatsuba: P0 = a0 b0, P2 = a1 b1, P1 = (a0^a1)(b0^b1) ^ P0 ^ P2
  bmul64(a0, hLo); const p0l = mLo, p0h = mHi;
  bmul64(a1, hHi); const p2l = mLo, p2h = mHi;
  bmul64(a0 ^ a1, hLo ^ hHi); const p1l = mLo ^ p0l ^ p2l, p1h = mHi ^ p0h ^ p2h;
  // C = P2 << 128 ^ P1 << 64 ^ P0 (words c3 c2 c1 c0), then D = C << 1
  let c0 = p0l, c1 = p0h ^ p1l, c2 = p2l ^ p1h, c3 = p2h;
  c3 = (c3 << 1) | (c2 >> 63); c2 = (c2 << 1) | (c1 >> 63); c1 = (c1 << 1) | (c0 >> 63); c0 <<= 1;
  // reduce: Lo = c1:c0 (x^128.. terms), Hi = c3:c2
  // V = (Lo << 127) ^ (Lo << 126) ^ (Lo << 121): only the top word can be non-zero
  const v1 = (c0 << 63) ^ (c0 << 62) ^ (c0 << 57);
  // Lo ^ Lo>>1 ^ Lo>>2 ^ Lo>>7 ^ V ^ V>>1 ^ V>>2 ^ V>>7  (V's low word is 0)
  const lh = c1 ^ (c1 >> 1) ^ (c1 >> 2) ^ (c1 >> 7) ^ v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
  const ll = c0 ^ ((c0 >> 1) | (c1 << 63)) ^ ((c0 >> 2) | (c1 << 62)) ^ ((c0 >> 7) | (c1 << 57)) ^
    (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);
  store<u64>(Y, bswap<u64>(c3 ^ lh), 0);
  store<u64>(Y, bswap<u64>(c2 ^ ll), 8);
}

/** Absorbs data zero-padded to whole blocks. */
function ghashPadded(p: usize, len: usize): void {
  while (len >= 16) { ghashBlock(p); p += 16; len -= 16; }
  if (len > 0) {
    memory.fill(TMP, 0, 16);
    memory.copy(TMP, p, len);
    ghashBlock(TMP);
  }
}

function ghashLengths(aBytes: u64, cBytes: u64): void {
  store<u64>(TMP, bswap<u64>(aBytes << 3), 0);
  store<u64>(TMP, bswap<u64>(cBytes << 3), 8);
  ghashBlock(TMP);
}

function setup(key: usize, keyLen: usize, iv: usize, ivLen: usize): bool {
  if (ivLen == 0) return false;
  if (!aesSetKey(key, keyLen)) return false;
  memory.fill(H, 0, 16);
  aesEncryptBlock(H, H);
  hHi = bswap<u64>(load<u64>(H, 0)); hLo = bswap<u64>(load<u64>(H, 8));
  if (ivLen == 12) {
    memory.copy(J0, iv, 12);
    store<u32>(J0, bswap<u32>(1), 12);
  } else {
    memory.fill(Y, 0, 16);
    ghashPadded(iv, ivLen);
    ghashLengths(0, <u64>ivLen);
    memory.copy(J0, Y, 16);
  }
  memory.fill(Y, 0, 16);
  return true;
}

/** CTR from inc32(J0) over len bytes, 4 blocks of keystream per bitsliced AES call. */
function ctr(src: usize, dst: usize, len: usize): void {
  for (let j: usize = 0; j < 64; j += 16) memory.copy(CB + j, J0, 16);
  let c = bswap<u32>(load<u32>(J0, 12));
  while (len > 0) {
    for (let j: usize = 0; j < 64; j += 16) { c++; store<u32>(CB + j, bswap<u32>(c), 12); }
    aesEncrypt4(KS, CB);
    const take = len < 64 ? len : 64;
    if (take == 64) {
      for (let j: usize = 0; j < 64; j += 8) store<u64>(dst + j, load<u64>(src + j) ^ load<u64>(KS + j));
    } else {
      for (let i: usize = 0; i < take; i++) store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(KS + i));
    }
    src += take; dst += take; len -= take;
  }
}

function finishTag(out: usize, aadLen: usize, ctLen: usize): void {
  ghashLengths(<u64>aadLen, <u64>ctLen);
  aesEncryptBlock(KS, J0);
  store<u64>(out, load<u64>(Y, 0) ^ load<u64>(KS, 0), 0);
  store<u64>(out, load<u64>(Y, 8) ^ load<u64>(KS, 8), 8);
}

function wipe(): void {
  aesWipe(); memory.fill(H, 0, 16); memory.fill(KS, 0, 64); memory.fill(Y, 0, 16);
  hHi = 0; hLo = 0;
}

/** out = ciphertext (msgLen bytes) || 16-byte tag. Key 16/24/32 bytes, IV >= 1 byte; else E_ARGS. */
export function aesGcmSeal(out: usize, key: usize, keyLen: usize, iv: usize, ivLen: usize,
  aad: usize, aadLen: usize, msg: usize, msgLen: usize): i32 {
  if (!setup(key, keyLen, iv, ivLen)) return E_ARGS;
  ctr(msg, out, msgLen);
  ghashPadded(aad, aadLen);
  ghashPadded(out, msgLen);
  finishTag(out + msgLen, aadLen, msgLen);
  wipe();
  return OK;
}

/** Verifies the 16-byte tag then decrypts; E_AUTH_FAILED (nothing decrypted) on mismatch. */
export function aesGcmOpen(out: usize, key: usize, keyLen: usize, iv: usize, ivLen: usize,
  aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  if (tagLen != 16) return E_ARGS;
  if (!setup(key, keyLen, iv, ivLen)) return E_ARGS;
  ghashPadded(aad, aadLen);
  ghashPadded(ct, ctLen);
  finishTag(TAGC, aadLen, ctLen);
  let d: u64 = (load<u64>(TAGC, 0) ^ load<u64>(tag, 0)) | (load<u64>(TAGC, 8) ^ load<u64>(tag, 8));
  if (d != 0) { wipe(); return E_AUTH_FAILED; }
  ctr(ct, out, ctLen);
  wipe();
  return OK;
}
