// ChaCha20-Poly1305 AEAD (RFC 8439): 256-bit key, 96-bit nonce, 128-bit tag. Constant time.
// Also XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha: HChaCha20 subkey, 192-bit nonce), suited to
// random nonces. Poly1305 uses 5 x 26-bit limbs with 64-bit products.
import { OK, E_ARGS, E_AUTH_FAILED } from "../errors";

const BLK: usize = memory.data(64, 16);
const OTK: usize = memory.data(32, 16);
const PAD: usize = memory.data(16, 16);
const TAG: usize = memory.data(16, 16);

// ---------------------------------------------------------------- ChaCha20


/**
 * out = in XOR ChaCha20(key, nonce, counter...) for len bytes (in may equal out).
 */
export function chacha20Xor(key: usize, nonce: usize, counter: u32, src: usize, dst: usize, len: usize): void {
  const k0 = load<u32>(key, 0), k1 = load<u32>(key, 4), k2 = load<u32>(key, 8), k3 = load<u32>(key, 12);
  const k4 = load<u32>(key, 16), k5 = load<u32>(key, 20), k6 = load<u32>(key, 24), k7 = load<u32>(key, 28);
  const n0 = load<u32>(nonce, 0), n1 = load<u32>(nonce, 4), n2 = load<u32>(nonce, 8);
  let ctr = counter;
  while (len > 0) {
    let x0: u32 = 0x61707865, x1: u32 = 0x3320646e, x2: u32 = 0x79622d32, x3: u32 = 0x6b206574;
    let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
    let x12 = ctr, x13 = n0, x14 = n1, x15 = n2;
    for (let i = 0; i < 10; i++) {
      // column rounds
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
      x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
      x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
      x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
      x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
      // diagonal rounds
      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
      x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
      x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
      x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
      x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
    }
    x0 += 0x61707865; x1 += 0x3320646e; x2 += 0x79622d32; x3 += 0x6b206574;
    x4 += k0; x5 += k1; x6 += k2; x7 += k3; x8 += k4; x9 += k5; x10 += k6; x11 += k7;
    x12 += ctr; x13 += n0; x14 += n1; x15 += n2;
    if (len >= 64) {
      store<u32>(dst, load<u32>(src, 0) ^ x0, 0); store<u32>(dst, load<u32>(src, 4) ^ x1, 4);
      store<u32>(dst, load<u32>(src, 8) ^ x2, 8); store<u32>(dst, load<u32>(src, 12) ^ x3, 12);
      store<u32>(dst, load<u32>(src, 16) ^ x4, 16); store<u32>(dst, load<u32>(src, 20) ^ x5, 20);
      store<u32>(dst, load<u32>(src, 24) ^ x6, 24); store<u32>(dst, load<u32>(src, 28) ^ x7, 28);
      store<u32>(dst, load<u32>(src, 32) ^ x8, 32); store<u32>(dst, load<u32>(src, 36) ^ x9, 36);
      store<u32>(dst, load<u32>(src, 40) ^ x10, 40); store<u32>(dst, load<u32>(src, 44) ^ x11, 44);
      store<u32>(dst, load<u32>(src, 48) ^ x12, 48); store<u32>(dst, load<u32>(src, 52) ^ x13, 52);
      store<u32>(dst, load<u32>(src, 56) ^ x14, 56); store<u32>(dst, load<u32>(src, 60) ^ x15, 60);
      src += 64; dst += 64; len -= 64;
    } else {
      store<u32>(BLK, x0, 0); store<u32>(BLK, x1, 4); store<u32>(BLK, x2, 8); store<u32>(BLK, x3, 12);
      store<u32>(BLK, x4, 16); store<u32>(BLK, x5, 20); store<u32>(BLK, x6, 24); store<u32>(BLK, x7, 28);
      store<u32>(BLK, x8, 32); store<u32>(BLK, x9, 36); store<u32>(BLK, x10, 40); store<u32>(BLK, x11, 44);
      store<u32>(BLK, x12, 48); store<u32>(BLK, x13, 52); store<u32>(BLK, x14, 56); store<u32>(BLK, x15, 60);
      for (let i: usize = 0; i < len; i++) store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(BLK + i));
      memory.fill(BLK, 0, 64);
      len = 0;
    }
    ctr++;
  }
}

// ---------------------------------------------------------------- Poly1305

let r0: u64 = 0, r1: u64 = 0, r2: u64 = 0, r3: u64 = 0, r4: u64 = 0;
let h0: u64 = 0, h1: u64 = 0, h2: u64 = 0, h3: u64 = 0, h4: u64 = 0;
let pad0: u32 = 0, pad1: u32 = 0, pad2: u32 = 0, pad3: u32 = 0;

function polyInit(k: usize): void {
  r0 = <u64>(load<u32>(k, 0) & 0x3ffffff);
  r1 = <u64>((load<u32>(k, 3) >> 2) & 0x3ffff03);
  r2 = <u64>((load<u32>(k, 6) >> 4) & 0x3ffc0ff);
  r3 = <u64>((load<u32>(k, 9) >> 6) & 0x3f03fff);
  r4 = <u64>((load<u32>(k, 12) >> 8) & 0x00fffff);
  h0 = 0; h1 = 0; h2 = 0; h3 = 0; h4 = 0;
  pad0 = load<u32>(k, 16); pad1 = load<u32>(k, 20); pad2 = load<u32>(k, 24); pad3 = load<u32>(k, 28);
}

/** Absorbs `blocks` full 16-byte blocks (each with the 2^128 bit). */
function polyBlocks(m: usize, blocks: usize): void {
  const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  let a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
  while (blocks > 0) {
    a0 += <u64>(load<u32>(m, 0) & 0x3ffffff);
    a1 += <u64>((load<u32>(m, 3) >> 2) & 0x3ffffff);
    a2 += <u64>((load<u32>(m, 6) >> 4) & 0x3ffffff);
    a3 += <u64>((load<u32>(m, 9) >> 6) & 0x3ffffff);
    a4 += <u64>((load<u32>(m, 12) >> 8) | (1 << 24));
    const d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
    let d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
    let d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
    let d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
    let d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;
    let c = d0 >> 26; a0 = d0 & 0x3ffffff;
    d1 += c; c = d1 >> 26; a1 = d1 & 0x3ffffff;
    d2 += c; c = d2 >> 26; a2 = d2 & 0x3ffffff;
    d3 += c; c = d3 >> 26; a3 = d3 & 0x3ffffff;
    d4 += c; c = d4 >> 26; a4 = d4 & 0x3ffffff;
    a0 += c * 5; c = a0 >> 26; a0 &= 0x3ffffff;
    a1 += c;
    m += 16; blocks--;
  }
  h0 = a0; h1 = a1; h2 = a2; h3 = a3; h4 = a4;
}

/** Absorbs len bytes, zero-padding the last partial block to 16 bytes (RFC 8439 AEAD layout). */
function polyPadded(m: usize, len: usize): void {
  const full = len >> 4;
  if (full > 0) polyBlocks(m, full);
  const rest = len & 15;
  if (rest > 0) {
    memory.fill(PAD, 0, 16);
    memory.copy(PAD, m + (full << 4), rest);
    polyBlocks(PAD, 1);
  }
}

function polyFinish(out: usize): void {
  let c: u64;
  let a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
  c = a1 >> 26; a1 &= 0x3ffffff; a2 += c;
  c = a2 >> 26; a2 &= 0x3ffffff; a3 += c;
  c = a3 >> 26; a3 &= 0x3ffffff; a4 += c;
  c = a4 >> 26; a4 &= 0x3ffffff; a0 += c * 5;
  c = a0 >> 26; a0 &= 0x3ffffff; a1 += c;
  // g = h + 5 - 2^130
  let g0 = a0 + 5; c = g0 >> 26; g0 &= 0x3ffffff;
  let g1 = a1 + c; c = g1 >> 26; g1 &= 0x3ffffff;
  let g2 = a2 + c; c = g2 >> 26; g2 &= 0x3ffffff;
  let g3 = a3 + c; c = g3 >> 26; g3 &= 0x3ffffff;
  const g4 = a4 + c - (<u64>1 << 26);
  const sel: u64 = (g4 >> 63) - 1; // all ones when g4 >= 0 (h >= p): take g
  a0 = (a0 & ~sel) | (g0 & sel); a1 = (a1 & ~sel) | (g1 & sel); a2 = (a2 & ~sel) | (g2 & sel);
  a3 = (a3 & ~sel) | (g3 & sel); a4 = (a4 & ~sel) | (g4 & sel);
  const w0 = (a0 | (a1 << 26)) & 0xffffffff;
  const w1 = ((a1 >> 6) | (a2 << 20)) & 0xffffffff;
  const w2 = ((a2 >> 12) | (a3 << 14)) & 0xffffffff;
  const w3 = ((a3 >> 18) | (a4 << 8)) & 0xffffffff;
  let f: u64 = w0 + <u64>pad0; store<u32>(out, <u32>f, 0);
  f = w1 + <u64>pad1 + (f >> 32); store<u32>(out, <u32>f, 4);
  f = w2 + <u64>pad2 + (f >> 32); store<u32>(out, <u32>f, 8);
  f = w3 + <u64>pad3 + (f >> 32); store<u32>(out, <u32>f, 12);
  h0 = 0; h1 = 0; h2 = 0; h3 = 0; h4 = 0; r0 = 0; r1 = 0; r2 = 0; r3 = 0; r4 = 0;
}

/** out (16 bytes) = Poly1305(key32, msg). For tests. */
export function poly1305(out: usize, key: usize, m: usize, len: usize): void {
  polyInit(key);
  const full = len >> 4;
  if (full > 0) polyBlocks(m, full);
  const rest = len & 15;
  if (rest > 0) {
    // last partial block: 1 byte appended, no 2^128 bit -> emulate by computing with a padded copy
    memory.fill(PAD, 0, 16);
    memory.copy(PAD, m + (full << 4), rest);
    store<u8>(PAD + rest, 1);
    polyLastNoHibit(PAD);
  }
  polyFinish(out);
}

function polyLastNoHibit(blk: usize): void {
  // same as polyBlocks but without the 2^128 bit
  const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  let a0 = h0 + <u64>(load<u32>(blk, 0) & 0x3ffffff);
  let a1 = h1 + <u64>((load<u32>(blk, 3) >> 2) & 0x3ffffff);
  let a2 = h2 + <u64>((load<u32>(blk, 6) >> 4) & 0x3ffffff);
  let a3 = h3 + <u64>((load<u32>(blk, 9) >> 6) & 0x3ffffff);
  let a4 = h4 + <u64>(load<u32>(blk, 12) >> 8);
  const d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
  let d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
  let d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
  let d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
  let d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;
  let c = d0 >> 26; a0 = d0 & 0x3ffffff;
  d1 += c; c = d1 >> 26; a1 = d1 & 0x3ffffff;
  d2 += c; c = d2 >> 26; a2 = d2 & 0x3ffffff;
  d3 += c; c = d3 >> 26; a3 = d3 & 0x3ffffff;
  d4 += c; c = d4 >> 26; a4 = d4 & 0x3ffffff;
  a0 += c * 5; c = a0 >> 26; a0 &= 0x3ffffff;
  a1 += c;
  h0 = a0; h1 = a1; h2 = a2; h3 = a3; h4 = a4;
}

// ---------------------------------------------------------------- AEAD

const LENS: usize = memory.data(16, 16);

function computeTag(out: usize, key: usize, nonce: usize, aad: usize, aadLen: usize, ct: usize, ctLen: usize): void {
  memory.fill(OTK, 0, 32);
  chacha20Xor(key, nonce, 0, OTK, OTK, 32);
  polyInit(OTK);
  polyPadded(aad, aadLen);
  polyPadded(ct, ctLen);
  store<u64>(LENS, <u64>aadLen, 0);
  store<u64>(LENS, <u64>ctLen, 8);
  polyBlocks(LENS, 1);
  polyFinish(out);
  memory.fill(OTK, 0, 32);
}

/**
 * Encrypts msg into out (ciphertext, msgLen bytes) followed by the 16-byte tag.
 * nonceLen must be 12 (E_ARGS otherwise). out may equal msg.
 */
export function chachaPolySeal(out: usize, key: usize, nonce: usize, nonceLen: usize,
  aad: usize, aadLen: usize, msg: usize, msgLen: usize): i32 {
  if (nonceLen != 12) return E_ARGS;
  chacha20Xor(key, nonce, 1, msg, out, msgLen);
  computeTag(out + msgLen, key, nonce, aad, aadLen, out, msgLen);
  return OK;
}

/**
 * Verifies the tag (tagLen must be 16) and decrypts ct into out. On a mismatch nothing is
 * decrypted and E_AUTH_FAILED is returned. out may equal ct.
 */
export function chachaPolyOpen(out: usize, key: usize, nonce: usize, nonceLen: usize,
  aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  if (nonceLen != 12 || tagLen != 16) return E_ARGS;
  computeTag(TAG, key, nonce, aad, aadLen, ct, ctLen);
  let d: u32 = 0;
  for (let i: usize = 0; i < 16; i++) d |= <u32>(load<u8>(TAG + i) ^ load<u8>(tag + i));
  if (d != 0) return E_AUTH_FAILED;
  chacha20Xor(key, nonce, 1, ct, out, ctLen);
  return OK;
}

// ---------------------------------------------------------------- XChaCha20-Poly1305

const SUBKEY: usize = memory.data(32, 16);
const XNONCE: usize = memory.data(12, 16);

/** out (32 bytes) = HChaCha20(key, nonce16): 20 rounds over (constants, key, nonce), words 0-3 and 12-15. */
export function hchacha20(out: usize, key: usize, nonce: usize): void {
  let x0: u32 = 0x61707865, x1: u32 = 0x3320646e, x2: u32 = 0x79622d32, x3: u32 = 0x6b206574;
  let x4 = load<u32>(key, 0), x5 = load<u32>(key, 4), x6 = load<u32>(key, 8), x7 = load<u32>(key, 12);
  let x8 = load<u32>(key, 16), x9 = load<u32>(key, 20), x10 = load<u32>(key, 24), x11 = load<u32>(key, 28);
  let x12 = load<u32>(nonce, 0), x13 = load<u32>(nonce, 4), x14 = load<u32>(nonce, 8), x15 = load<u32>(nonce, 12);
  for (let i = 0; i < 10; i++) {
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
  }
  store<u32>(out, x0, 0); store<u32>(out, x1, 4); store<u32>(out, x2, 8); store<u32>(out, x3, 12);
  store<u32>(out, x12, 16); store<u32>(out, x13, 20); store<u32>(out, x14, 24); store<u32>(out, x15, 28);
}

function xsetup(key: usize, nonce: usize): void {
  hchacha20(SUBKEY, key, nonce);
  store<u32>(XNONCE, 0, 0);
  memory.copy(XNONCE + 4, nonce + 16, 8);
}

/** XChaCha20-Poly1305 seal: nonceLen must be 24. out = ct || tag. */
export function xchachaPolySeal(out: usize, key: usize, nonce: usize, nonceLen: usize,
  aad: usize, aadLen: usize, msg: usize, msgLen: usize): i32 {
  if (nonceLen != 24) return E_ARGS;
  xsetup(key, nonce);
  const st = chachaPolySeal(out, SUBKEY, XNONCE, 12, aad, aadLen, msg, msgLen);
  memory.fill(SUBKEY, 0, 32);
  return st;
}

/** XChaCha20-Poly1305 open: nonceLen 24, tagLen 16; E_AUTH_FAILED on mismatch. */
export function xchachaPolyOpen(out: usize, key: usize, nonce: usize, nonceLen: usize,
  aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  if (nonceLen != 24 || tagLen != 16) return E_ARGS;
  xsetup(key, nonce);
  const st = chachaPolyOpen(out, SUBKEY, XNONCE, 12, aad, aadLen, ct, ctLen, tag, tagLen);
  memory.fill(SUBKEY, 0, 32);
  return st;
}
