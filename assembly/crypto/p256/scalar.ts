// Scalars modulo the P-256 group order n: 8 little-endian u32 words (32 bytes) at a pointer.
// add/sub/compare work on that form, constant time. Multiplication and inversion convert to
// 9 x 29-bit limbs and use the generated Montgomery multiply (scalar_mul.ts, R = 2^261).
// Inversion is Fermat (a^(n-2)) with a fixed 4-bit window over the public exponent.
import { scMul29, scSqr29 } from "./scalar_mul";
import { words32To29, words29To32 } from "./field";

export const SC_N: usize = memory.data<u32>([
  0xfc632551, 0xf3b9cac2, 0xa7179e84, 0xbce6faad, 0xffffffff, 0xffffffff, 0x00000000, 0xffffffff,
]);
const SC_HALF_N: usize = memory.data<u32>([
  0x7e3192a8, 0x79dce561, 0xd38bcf42, 0xde737d56, 0xffffffff, 0x7fffffff, 0x80000000, 0x7fffffff,
]);
// 29-bit-limb constants: R^2 mod n, R mod n (Montgomery 1), plain 1.
const N_R2: usize = memory.data<u32>([0x148d9ef5, 0xf4e7f75, 0x14c6a651, 0x3f8b765, 0x165861f1, 0x1256d7d8, 0x1c185b23, 0xd4cab0f, 0x84b655]);
const N_ONE: usize = memory.data<u32>([0x139b55e0, 0x6353d03, 0x30bd862, 0x154963a, 0x8632, 0x0, 0x1f800000, 0x3ffffff, 0x0]);
const RAW1: usize = memory.data<u32>([1, 0, 0, 0, 0, 0, 0, 0, 0]);
const W40: usize = memory.data(40, 16);
const A29: usize = memory.data(36, 16);
const B29: usize = memory.data(36, 16);
const C29: usize = memory.data(36, 16);
// n - 2, the Fermat exponent (little-endian limbs)
const SC_NM2: usize = memory.data<u32>([
  0xfc63254f, 0xf3b9cac2, 0xa7179e84, 0xbce6faad, 0xffffffff, 0xffffffff, 0x00000000, 0xffffffff,
]);
const WIN: usize = memory.data(36 * 16, 16); // a^0..a^15 in Montgomery form
const ACC: usize = memory.data(36, 16);

export function scCopy(r: usize, a: usize): void { memory.copy(r, a, 32); }

/** Reads 32 big-endian bytes (raw, not reduced). Returns true when the value is < n. */
export function scFromBytes(r: usize, src: usize): bool {
  for (let i = 0; i < 8; i++) store<u32>(r + (i << 2), bswap<u32>(load<u32>(src + 28 - (i << 2))));
  return scLtN(r);
}

export function scToBytes(dst: usize, a: usize): void {
  for (let i = 0; i < 8; i++) store<u32>(dst + 28 - (i << 2), bswap<u32>(load<u32>(a + (i << 2))));
}

/** a - b over 256 bits into r; returns the borrow mask (0xffffffff when a < b). */
function sub256(r: usize, a: usize, b: usize): u32 {
  let t: i64 = 0;
  for (let i: usize = 0; i < 32; i += 4) {
    t = (t >> 32) + <i64>load<u32>(a + i) - <i64>load<u32>(b + i);
    store<u32>(r + i, <u32>t);
  }
  return <u32>(t >> 32);
}

/** a + b over 256 bits into r; returns the carry (0 or 1). */
function add256(r: usize, a: usize, b: usize): u32 {
  let t: u64 = 0;
  for (let i: usize = 0; i < 32; i += 4) {
    t = (t >> 32) + <u64>load<u32>(a + i) + <u64>load<u32>(b + i);
    store<u32>(r + i, <u32>t);
  }
  return <u32>(t >> 32);
}

const TMP: usize = memory.data(32, 16);
const TMP2: usize = memory.data(32, 16);

/** true when a < n (constant time). */
export function scLtN(a: usize): bool { return sub256(TMP, a, SC_N) != 0; }

/** 0xffffffff when a > (n-1)/2, i.e. "high S" (constant time). */
export function scIsHighMask(a: usize): u32 { return sub256(TMP, SC_HALF_N, a); }

/** r = a mod n for any 256-bit a (one conditional subtraction suffices since 2^256 < 2n). */
export function scReduce(r: usize, a: usize): void {
  const borrow = sub256(TMP, a, SC_N);
  scCmovInto(r, a, TMP, borrow);
}

// r = borrow ? a : b
function scCmovInto(r: usize, a: usize, b: usize, mask: u32): void {
  const m: u64 = <u64>mask | (<u64>mask << 32);
  for (let i: usize = 0; i < 32; i += 8) store<u64>(r + i, (load<u64>(a + i) & m) | (load<u64>(b + i) & ~m));
}

/** r = a if mask, else unchanged */
export function scCmov(r: usize, a: usize, mask: u32): void { scCmovInto(r, a, r, mask); }

/** r = a + b mod n */
export function scAdd(r: usize, a: usize, b: usize): void {
  const c = add256(TMP2, a, b);
  const borrow = sub256(TMP, TMP2, SC_N);
  // keep TMP2 only when no carry and borrow
  scCmovInto(r, TMP2, TMP, borrow & (c - 1));
}

/** r = -a mod n (0 stays 0) */
export function scNeg(r: usize, a: usize): void {
  sub256(TMP, SC_N, a);
  const z = scIsZeroMask(a);
  memory.fill(TMP2, 0, 32);
  scCmovInto(r, TMP2, TMP, z);
}

export function scIsZeroMask(a: usize): u32 {
  const x: u64 = load<u64>(a, 0) | load<u64>(a, 8) | load<u64>(a, 16) | load<u64>(a, 24);
  const y: u32 = <u32>(x | (x >> 32));
  return <u32>(((<u64>y) - 1) >> 32);
}

function to29(r: usize, a: usize): void { memory.copy(W40, a, 32); store<u32>(W40 + 32, 0); words32To29(r, W40); }

/** r = a * b mod n (all 8 x 32-bit words, < n). Constant time. */
export function scMulModN(r: usize, a: usize, b: usize): void {
  to29(A29, a); to29(B29, b);
  scMul29(C29, A29, B29);   // a b / R
  scMul29(C29, C29, N_R2);  // a b
  words29To32(r, C29);
  memory.fill(A29, 0, 36); memory.fill(B29, 0, 36); memory.fill(C29, 0, 36); memory.fill(W40, 0, 40);
}

/** r = a^-1 mod n (0 gives 0). Constant time in a: fixed sequence over the public exponent n-2. */
export function scInvModN(r: usize, a: usize): void {
  to29(A29, a);
  scMul29(A29, A29, N_R2);                 // a R
  memory.copy(WIN, N_ONE, 36);
  memory.copy(WIN + 36, A29, 36);
  for (let i: usize = 2; i < 16; i++) scMul29(WIN + i * 36, WIN + (i - 1) * 36, A29);
  memory.copy(ACC, N_ONE, 36);
  for (let i = 63; i >= 0; i--) {
    if (i != 63) { scSqr29(ACC, ACC); scSqr29(ACC, ACC); scSqr29(ACC, ACC); scSqr29(ACC, ACC); }
    const nib = (load<u32>(SC_NM2 + ((<usize>i >> 3) << 2)) >> ((<u32>i & 7) << 2)) & 15; // public exponent
    if (nib != 0) scMul29(ACC, ACC, WIN + (<usize>nib) * 36);
  }
  scMul29(C29, ACC, RAW1);                 // leave the Montgomery domain
  words29To32(r, C29);
  memory.fill(A29, 0, 36); memory.fill(ACC, 0, 36); memory.fill(WIN, 0, 36 * 16);
  memory.fill(C29, 0, 36); memory.fill(W40, 0, 40);
}
