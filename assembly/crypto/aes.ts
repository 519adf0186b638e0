// AES block cipher (FIPS 197), encryption direction only (all modes used here are CTR/CBC-MAC based),
// 128/192/256-bit keys. Constant time: the S-box is computed (GF(2^8) inversion by exponentiation,
// 8 bytes in parallel in a u64 with masks), never looked up; no table is indexed by secret data.
// One expanded key at a time (module state), set with aesSetKey. aesEncrypt4 runs 4 blocks at once
// bitsliced (about 4x less work per block than aesEncryptBlock), used for the CTR keystreams.
import { sboxBitsliced } from "./aes_bs_sbox";
const RK: usize = memory.data(240, 16);   // expanded key (up to 15 round keys)
let rounds: i32 = 10;

const L1: u64 = 0x0101010101010101;

// @ts-ignore: decorator
@inline function spread(a: u64, i: u64): u64 { return ((a >> i) & L1) * 0xff; }

/** 8 parallel GF(2^8) multiplications (AES polynomial), bytes of a and b. */
function gmul8(a: u64, b: u64): u64 {
  let r: u64 = 0;
  for (let i: u64 = 0; i < 8; i++) {
    r ^= a & spread(b, i);
    a = ((a << 1) & 0xfefefefefefefefe) ^ (((a >> 7) & L1) * 0x1b);
  }
  return r;
}

/** 8 parallel GF(2^8) squarings (linear map: bit i -> x^(2i) mod poly). */
function gsq8(a: u64): u64 {
  return (spread(a, 0) & (L1 * 0x01)) ^ (spread(a, 1) & (L1 * 0x04)) ^ (spread(a, 2) & (L1 * 0x10)) ^
    (spread(a, 3) & (L1 * 0x40)) ^ (spread(a, 4) & (L1 * 0x1b)) ^ (spread(a, 5) & (L1 * 0x6c)) ^
    (spread(a, 6) & (L1 * 0xab)) ^ (spread(a, 7) & (L1 * 0x9a));
}

function rotBytes(v: u64, i: u64): u64 {
  const lowMask: u64 = L1 * ((<u64>0xff << i) & 0xff);
  return ((v << i) & lowMask) | ((v >> (8 - i)) & ~lowMask);
}

function sbox8b(x: u64): u64 {
  const x2 = gsq8(x);
  const x3 = gmul8(x2, x);
  const x7 = gmul8(gsq8(x3), x);
  const t = gsq8(gsq8(gsq8(x7)));
  const x63 = gmul8(t, x7);
  const x127 = gmul8(gsq8(x63), x);
  const inv = gsq8(x127);
  return inv ^ rotBytes(inv, 1) ^ rotBytes(inv, 2) ^ rotBytes(inv, 3) ^ rotBytes(inv, 4) ^ (L1 * 0x63);
}

function subWord(w: u32): u32 { return <u32>sbox8b(<u64>w); }

/** Expands a 16/24/32-byte key. Returns false for other sizes. */
export function aesSetKey(key: usize, keyLen: usize): bool {
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return false;
  const nk = <i32>(keyLen >> 2);
  rounds = nk + 6;
  const total = 4 * (rounds + 1);
  memory.copy(RK, key, keyLen);
  let rcon: u32 = 1;
  for (let i = nk; i < total; i++) {
    let t = load<u32>(RK + ((<usize>(i - 1)) << 2));
    if (i % nk == 0) {
      t = subWord(rotr<u32>(t, 8)) ^ rcon;
      rcon = ((rcon << 1) ^ (((rcon >> 7) & 1) * 0x1b)) & 0xff;
    } else if (nk > 6 && i % nk == 4) {
      t = subWord(t);
    }
    store<u32>(RK + ((<usize>i) << 2), load<u32>(RK + ((<usize>(i - nk)) << 2)) ^ t);
  }
  bitsliceKeys();
  return true;
}

// @ts-ignore: decorator
@inline function xt32(w: u32): u32 { return ((w & 0x7f7f7f7f) << 1) ^ (((w >> 7) & 0x01010101) * 0x1b); }

/** out = AES_K(in), 16 bytes. in/out may alias. */
export function aesEncryptBlock(out: usize, inp: usize): void {
  let s0 = load<u32>(inp, 0) ^ load<u32>(RK, 0);
  let s1 = load<u32>(inp, 4) ^ load<u32>(RK, 4);
  let s2 = load<u32>(inp, 8) ^ load<u32>(RK, 8);
  let s3 = load<u32>(inp, 12) ^ load<u32>(RK, 12);
  for (let r = 1; r <= rounds; r++) {
    // SubBytes (8 bytes per call)
    const a = sbox8b(<u64>s0 | (<u64>s1 << 32));
    const b = sbox8b(<u64>s2 | (<u64>s3 << 32));
    s0 = <u32>a; s1 = <u32>(a >> 32); s2 = <u32>b; s3 = <u32>(b >> 32);
    // ShiftRows: column c takes row r from column (c + r) % 4
    let c0 = (s0 & 0xff) | (s1 & 0xff00) | (s2 & 0xff0000) | (s3 & 0xff000000);
    let c1 = (s1 & 0xff) | (s2 & 0xff00) | (s3 & 0xff0000) | (s0 & 0xff000000);
    let c2 = (s2 & 0xff) | (s3 & 0xff00) | (s0 & 0xff0000) | (s1 & 0xff000000);
    let c3 = (s3 & 0xff) | (s0 & 0xff00) | (s1 & 0xff0000) | (s2 & 0xff000000);
    if (r != rounds) {
      // MixColumns
      c0 = xt32(c0 ^ rotr<u32>(c0, 8)) ^ rotr<u32>(c0, 8) ^ rotr<u32>(c0, 16) ^ rotr<u32>(c0, 24);
      c1 = xt32(c1 ^ rotr<u32>(c1, 8)) ^ rotr<u32>(c1, 8) ^ rotr<u32>(c1, 16) ^ rotr<u32>(c1, 24);
      c2 = xt32(c2 ^ rotr<u32>(c2, 8)) ^ rotr<u32>(c2, 8) ^ rotr<u32>(c2, 16) ^ rotr<u32>(c2, 24);
      c3 = xt32(c3 ^ rotr<u32>(c3, 8)) ^ rotr<u32>(c3, 8) ^ rotr<u32>(c3, 16) ^ rotr<u32>(c3, 24);
    }
    const k = RK + ((<usize>r) << 4);
    s0 = c0 ^ load<u32>(k, 0); s1 = c1 ^ load<u32>(k, 4); s2 = c2 ^ load<u32>(k, 8); s3 = c3 ^ load<u32>(k, 12);
  }
  store<u32>(out, s0, 0); store<u32>(out, s1, 4); store<u32>(out, s2, 8); store<u32>(out, s3, 12);
}

/** Wipes the expanded key. */
export function aesWipe(): void { memory.fill(RK, 0, 240); memory.fill(RKBS, 0, 15 * 64); memory.fill(Q, 0, 64); }

// ---------------------------------------------------------------- bitsliced, 4 blocks at once
// State of 4 blocks (64 bytes, natural order: byte i of the buffer = block i>>4, column (i>>2)&3,
// row i&3) as 8 u64 bit-planes: bit i of plane b = bit b of byte i. SubBytes is the generated
// bitsliced S-box (aes_bs_sbox.ts); ShiftRows and MixColumns are masked shifts within each
// 16-bit block lane / 4-bit column nibble. All round keys are kept in the same form.

const RKBS: usize = memory.data(15 * 64, 16);
const Q: usize = memory.data(64, 16);
const KB64: usize = memory.data(64, 16);
const LANE: u64 = 0x0001000100010001;

/** 64 bytes at src -> 8 planes at q */
function pack(q: usize, src: usize): void {
  for (let b: u64 = 0; b < 8; b++) {
    let plane: u64 = 0;
    for (let g: usize = 0; g < 8; g++) {
      const w = load<u64>(src + (g << 3));
      plane |= ((((w >> b) & 0x0101010101010101) * 0x0102040810204080) >> 56) << (<u64>g << 3);
    }
    store<u64>(q + (<usize>b << 3), plane);
  }
}

/** 8 planes at q -> 64 bytes at dst */
function unpack(dst: usize, q: usize): void {
  for (let g: usize = 0; g < 8; g++) {
    let w: u64 = 0;
    for (let b: usize = 0; b < 8; b++) {
      const bits = (load<u64>(q + (b << 3)) >> (<u64>g << 3)) & 0xff;
      const rep = (bits * 0x0101010101010101) & 0x8040201008040201;
      w |= (((rep + 0x7f7f7f7f7f7f7f7f) & 0x8080808080808080) >> 7) << <u64>b;
    }
    store<u64>(dst + (g << 3), w);
  }
}

/** Bitsliced round keys from the expanded key RK (called by aesSetKey). */
function bitsliceKeys(): void {
  for (let r = 0; r <= rounds; r++) {
    const k = RK + (<usize>r << 4);
    for (let j: usize = 0; j < 64; j += 16) memory.copy(KB64 + j, k, 16);
    pack(RKBS + (<usize>r << 6), KB64);
  }
  memory.fill(KB64, 0, 64);
}

// @ts-ignore: decorator
@inline function shiftRows(x: u64): u64 {
  return (x & (LANE * 0x1111)) | ((x >> 4) & (LANE * 0x0222)) | ((x << 12) & (LANE * 0x2000)) |
    ((x >> 8) & (LANE * 0x0044)) | ((x << 8) & (LANE * 0x4400)) |
    ((x >> 12) & (LANE * 0x0008)) | ((x << 4) & (LANE * 0x8880));
}
// rotate each column nibble: row r takes row r+k
// @ts-ignore: decorator
@inline function rot1(x: u64): u64 { return ((x >> 1) & 0x7777777777777777) | ((x << 3) & 0x8888888888888888); }
// @ts-ignore: decorator
@inline function rot2(x: u64): u64 { return ((x >> 2) & 0x3333333333333333) | ((x << 2) & 0xcccccccccccccccc); }
// @ts-ignore: decorator
@inline function rot3(x: u64): u64 { return ((x >> 3) & 0x1111111111111111) | ((x << 1) & 0xeeeeeeeeeeeeeeee); }

function shiftMix(q: usize, mix: bool, rk: usize): void {
  const a0 = shiftRows(load<u64>(q, 0)), a1 = shiftRows(load<u64>(q, 8)), a2 = shiftRows(load<u64>(q, 16));
  const a3 = shiftRows(load<u64>(q, 24)), a4 = shiftRows(load<u64>(q, 32)), a5 = shiftRows(load<u64>(q, 40));
  const a6 = shiftRows(load<u64>(q, 48)), a7 = shiftRows(load<u64>(q, 56));
  if (!mix) {
    store<u64>(q, a0 ^ load<u64>(rk, 0), 0); store<u64>(q, a1 ^ load<u64>(rk, 8), 8);
    store<u64>(q, a2 ^ load<u64>(rk, 16), 16); store<u64>(q, a3 ^ load<u64>(rk, 24), 24);
    store<u64>(q, a4 ^ load<u64>(rk, 32), 32); store<u64>(q, a5 ^ load<u64>(rk, 40), 40);
    store<u64>(q, a6 ^ load<u64>(rk, 48), 48); store<u64>(q, a7 ^ load<u64>(rk, 56), 56);
    return;
  }
  // out = xtime(a ^ rot1 a) ^ rot1 a ^ rot2 a ^ rot3 a
  const r0 = rot1(a0), r1 = rot1(a1), r2 = rot1(a2), r3 = rot1(a3), r4 = rot1(a4), r5 = rot1(a5), r6 = rot1(a6), r7 = rot1(a7);
  const t0 = a0 ^ r0, t1 = a1 ^ r1, t2 = a2 ^ r2, t3 = a3 ^ r3, t4 = a4 ^ r4, t5 = a5 ^ r5, t6 = a6 ^ r6, t7 = a7 ^ r7;
  // xtime on planes: x^8 = x^4 + x^3 + x + 1
  store<u64>(q, t7 ^ r0 ^ rot2(a0) ^ rot3(a0) ^ load<u64>(rk, 0), 0);
  store<u64>(q, t0 ^ t7 ^ r1 ^ rot2(a1) ^ rot3(a1) ^ load<u64>(rk, 8), 8);
  store<u64>(q, t1 ^ r2 ^ rot2(a2) ^ rot3(a2) ^ load<u64>(rk, 16), 16);
  store<u64>(q, t2 ^ t7 ^ r3 ^ rot2(a3) ^ rot3(a3) ^ load<u64>(rk, 24), 24);
  store<u64>(q, t3 ^ t7 ^ r4 ^ rot2(a4) ^ rot3(a4) ^ load<u64>(rk, 32), 32);
  store<u64>(q, t4 ^ r5 ^ rot2(a5) ^ rot3(a5) ^ load<u64>(rk, 40), 40);
  store<u64>(q, t5 ^ r6 ^ rot2(a6) ^ rot3(a6) ^ load<u64>(rk, 48), 48);
  store<u64>(q, t6 ^ r7 ^ rot2(a7) ^ rot3(a7) ^ load<u64>(rk, 56), 56);
}

/** out (64 bytes) = AES_K of 4 consecutive 16-byte blocks at inp (in/out may alias). */
export function aesEncrypt4(out: usize, inp: usize): void {
  pack(Q, inp);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(Q + i, load<u64>(Q + i) ^ load<u64>(RKBS + i));
  for (let r = 1; r <= rounds; r++) {
    sboxBitsliced(Q);
    shiftMix(Q, r != rounds, RKBS + (<usize>r << 6));
  }
  unpack(out, Q);
}
