// AES-CMAC (NIST SP 800-38B, RFC 4493) with 128/192/256-bit keys; the BLE Secure Connections
// functions f4/f5/f6 are built on it. Constant time (aes.ts; subkeys derived with masks).
import { aesSetKey, aesEncryptBlock, aesWipe } from "./aes";
import { OK, E_ARGS, E_AUTH_FAILED } from "../errors";

const L: usize = memory.data(16, 16);
const K1: usize = memory.data(16, 16);
const K2: usize = memory.data(16, 16);
const X: usize = memory.data(16, 16);
const LAST: usize = memory.data(16, 16);
const MAC: usize = memory.data(16, 16);

// out = in << 1 (as a 128-bit big-endian string), XOR 0x87 into the last byte when the top bit was set
function dbl(out: usize, inp: usize): void {
  const hi = bswap<u64>(load<u64>(inp, 0)), lo = bswap<u64>(load<u64>(inp, 8));
  const m: u64 = <u64>0 - (hi >> 63);
  store<u64>(out, bswap<u64>((hi << 1) | (lo >> 63)), 0);
  store<u64>(out, bswap<u64>((lo << 1) ^ (m & 0x87)), 8);
}

/** out (16 bytes) = AES-CMAC(key, msg). Returns E_ARGS for a key that is not 16/24/32 bytes. */
export function aesCmac(out: usize, key: usize, keyLen: usize, msg: usize, len: usize): i32 {
  if (!aesSetKey(key, keyLen)) return E_ARGS;
  memory.fill(L, 0, 16);
  aesEncryptBlock(L, L);
  dbl(K1, L); dbl(K2, K1);
  memory.fill(X, 0, 16);
  // all blocks but the last
  const full: usize = len == 0 ? 0 : (len - 1) >> 4;
  for (let i: usize = 0; i < full; i++) {
    store<u64>(X, load<u64>(X, 0) ^ load<u64>(msg + (i << 4), 0), 0);
    store<u64>(X, load<u64>(X, 8) ^ load<u64>(msg + (i << 4), 8), 8);
    aesEncryptBlock(X, X);
  }
  const rest = len - (full << 4);   // 1..16, or 0 for the empty message
  memory.fill(LAST, 0, 16);
  memory.copy(LAST, msg + (full << 4), rest);
  const sub = rest == 16 ? K1 : K2;
  if (rest < 16) store<u8>(LAST + rest, 0x80);
  store<u64>(X, load<u64>(X, 0) ^ load<u64>(LAST, 0) ^ load<u64>(sub, 0), 0);
  store<u64>(X, load<u64>(X, 8) ^ load<u64>(LAST, 8) ^ load<u64>(sub, 8), 8);
  aesEncryptBlock(out, X);
  aesWipe(); memory.fill(L, 0, 16); memory.fill(K1, 0, 16); memory.fill(K2, 0, 16); memory.fill(X, 0, 16);
  return OK;
}

/** Verifies a tag of tagLen bytes (8..16, a prefix of the CMAC) in constant time. */
export function aesCmacVerify(key: usize, keyLen: usize, msg: usize, len: usize, tag: usize, tagLen: usize): i32 {
  if (tagLen < 8 || tagLen > 16) return E_ARGS;
  const st = aesCmac(MAC, key, keyLen, msg, len);
  if (st != OK) return st;
  let d: u32 = 0;
  for (let i: usize = 0; i < tagLen; i++) d |= <u32>(load<u8>(MAC + i) ^ load<u8>(tag + i));
  return d == 0 ? OK : E_AUTH_FAILED;
}
