// AES-CCM (NIST SP 800-38C, RFC 3610): nonces of 7..13 bytes, tags of 4..16 bytes (even), AES-128/192/256.
// BLE's link layer uses a 13-byte nonce and a 4-byte MIC. Constant time (aes.ts; masked tag compare).
import { aesSetKey, aesEncryptBlock, aesWipe } from "./aes";
import { OK, E_ARGS, E_AUTH_FAILED, E_TOO_LARGE } from "../errors";

const B: usize = memory.data(16, 16);
const X: usize = memory.data(16, 16);
const A: usize = memory.data(16, 16);
const S: usize = memory.data(16, 16);
const T: usize = memory.data(16, 16);
const TAGC: usize = memory.data(16, 16);

function xorBlock(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(dst, 0) ^ load<u64>(src, 0), 0);
  store<u64>(dst, load<u64>(dst, 8) ^ load<u64>(src, 8), 8);
}

// CBC-MAC over B0 | encoded aad | padded payload into T (tag before encryption)
function cbcMac(nonce: usize, nonceLen: usize, tagLen: usize, aad: usize, aadLen: usize, pt: usize, ptLen: usize): void {
  const q: usize = 15 - nonceLen;
  memory.fill(B, 0, 16);
  store<u8>(B, <u8>((aadLen > 0 ? 64 : 0) | (((tagLen - 2) >> 1) << 3) | (q - 1)));
  memory.copy(B + 1, nonce, nonceLen);
  let l = ptLen;
  for (let i: usize = 0; i < q; i++) { store<u8>(B + 15 - i, <u8>(l & 0xff)); l >>= 8; }
  memory.fill(X, 0, 16);
  xorBlock(X, B); aesEncryptBlock(X, X);
  if (aadLen > 0) {
    // length prefix then the data, zero-padded to the block
    memory.fill(B, 0, 16);
    let off: usize = 0;
    if (aadLen < 0xff00) { store<u8>(B, <u8>(aadLen >> 8)); store<u8>(B + 1, <u8>aadLen); off = 2; }
    else { store<u8>(B, 0xff); store<u8>(B + 1, 0xfe); store<u32>(B + 2, bswap<u32>(<u32>aadLen)); off = 6; }
    let p: usize = 0;
    while (p < aadLen) {
      const take = aadLen - p < 16 - off ? aadLen - p : 16 - off;
      memory.copy(B + off, aad + p, take);
      p += take; off += take;
      if (off == 16 || p == aadLen) {
        if (off < 16) memory.fill(B + off, 0, 16 - off);
        xorBlock(X, B); aesEncryptBlock(X, X);
        off = 0; memory.fill(B, 0, 16);
      }
    }
  }
  let p: usize = 0;
  while (p < ptLen) {
    const take = ptLen - p < 16 ? ptLen - p : 16;
    memory.fill(B, 0, 16);
    memory.copy(B, pt + p, take);
    xorBlock(X, B); aesEncryptBlock(X, X);
    p += take;
  }
  memory.copy(T, X, 16);
}

// counter block A_i: flags = q - 1 | nonce | i (q bytes, big-endian)
function ctrBlock(nonce: usize, nonceLen: usize, i: u32): void {
  const q: usize = 15 - nonceLen;
  memory.fill(A, 0, 16);
  store<u8>(A, <u8>(q - 1));
  memory.copy(A + 1, nonce, nonceLen);
  let v = i;
  for (let j: usize = 0; j < q && j < 4; j++) { store<u8>(A + 15 - j, <u8>(v & 0xff)); v >>= 8; }
  aesEncryptBlock(S, A);
}

function ctr(nonce: usize, nonceLen: usize, src: usize, dst: usize, len: usize): void {
  let i: u32 = 1;
  let p: usize = 0;
  while (p < len) {
    ctrBlock(nonce, nonceLen, i++);
    const take = len - p < 16 ? len - p : 16;
    for (let j: usize = 0; j < take; j++) store<u8>(dst + p + j, load<u8>(src + p + j) ^ load<u8>(S + j));
    p += take;
  }
}

function check(keyLen: usize, nonceLen: usize, tagLen: usize, len: usize): i32 {
  if (nonceLen < 7 || nonceLen > 13) return E_ARGS;
  if (tagLen < 4 || tagLen > 16 || (tagLen & 1) != 0) return E_ARGS;
  const q: usize = 15 - nonceLen;
  if (q < 4 && len >= (<usize>1 << (q * 8))) return E_TOO_LARGE;   // (q >= 4 covers every wasm32 length)
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return E_ARGS;
  return OK;
}

/** out = ciphertext (msgLen) || tag (tagLen). */
export function aesCcmSeal(out: usize, key: usize, keyLen: usize, nonce: usize, nonceLen: usize, tagLen: usize,
  aad: usize, aadLen: usize, msg: usize, msgLen: usize): i32 {
  const st = check(keyLen, nonceLen, tagLen, msgLen);
  if (st != OK) return st;
  aesSetKey(key, keyLen);
  cbcMac(nonce, nonceLen, tagLen, aad, aadLen, msg, msgLen);
  ctrBlock(nonce, nonceLen, 0);
  xorBlock(T, S);
  ctr(nonce, nonceLen, msg, out, msgLen);
  memory.copy(out + msgLen, T, tagLen);
  aesWipe();
  return OK;
}

/** Decrypts into out, then checks the tag; on a mismatch out is zeroed and E_AUTH_FAILED returned. */
export function aesCcmOpen(out: usize, key: usize, keyLen: usize, nonce: usize, nonceLen: usize,
  aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  const st = check(keyLen, nonceLen, tagLen, ctLen);
  if (st != OK) return st;
  aesSetKey(key, keyLen);
  ctr(nonce, nonceLen, ct, out, ctLen);
  cbcMac(nonce, nonceLen, tagLen, aad, aadLen, out, ctLen);
  ctrBlock(nonce, nonceLen, 0);
  xorBlock(T, S);
  let d: u32 = 0;
  for (let i: usize = 0; i < tagLen; i++) d |= <u32>(load<u8>(T + i) ^ load<u8>(tag + i));
  aesWipe();
  if (d != 0) { memory.fill(out, 0, ctLen); return E_AUTH_FAILED; }
  return OK;
}
