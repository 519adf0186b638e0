// P-256 base field GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1.
// A field element is FE = 36 bytes at a pointer: 9 little-endian 29-bit limbs (u32 each), in
// Montgomery form x*R mod p with R = 2^261, always fully reduced (< p). Zero is 0 and equality of
// representations is equality of values, so feIsZeroMask/feEqMask work directly.
// Every function is constant time (no branch or memory index depends on the values), except the
// documented parse result of feFromBytes (whether the input was < p).
// Multiply/square/add/sub are generated (field_mul.ts, see tools/crypto/gen-p256-mul.mjs).
import { feMul, feSqr, feAdd, feSub } from "./field_mul";
export { feMul, feSqr, feAdd, feSub };

/** Bytes per field element. */
export const FE: usize = 36;

// Scratch for inversion (module-owned, not reentrant).
const T0: usize = memory.data(36, 16);
const T1: usize = memory.data(36, 16);
const T2: usize = memory.data(36, 16);
const X2: usize = memory.data(36, 16);
const X3: usize = memory.data(36, 16);
const X15: usize = memory.data(36, 16);
const X30: usize = memory.data(36, 16);
const X32: usize = memory.data(36, 16);
const W8: usize = memory.data(40, 16);   // 8 x 32-bit words + a zero word, for conversions
const RAW: usize = memory.data(36, 16);

/** Montgomery form of 1 (R mod p). */
export const FE_ONE: usize = memory.data<u32>([0x20, 0x0, 0x0, 0x1fffc000, 0x1fffffff, 0x1fffffff, 0x1f7fffff, 0x3ffffff, 0x0]);
/** R^2 mod p, to enter the Montgomery domain. */
const FE_R2: usize = memory.data<u32>([0xc00, 0x0, 0x1fff0000, 0x1fdfffff, 0x1fbfffff, 0x1fffffff, 0x1fffffff, 0x1ffffffe, 0x13]);
/** Plain 1 (not Montgomery), to leave the Montgomery domain. */
const FE_RAW1: usize = memory.data<u32>([1, 0, 0, 0, 0, 0, 0, 0, 0]);
/** The curve coefficient b, Montgomery form. */
export const FE_B: usize = memory.data<u32>([0x1897bbfb, 0x1cdf6229, 0x18486c4, 0x1732821, 0x1dad59e0, 0xabf7212, 0x1a06d110, 0x17721d20, 0x8600c3]);
/** p in 29-bit limbs (for range checks of parsed values). */
const FE_P: usize = memory.data<u32>([0x1fffffff, 0x1fffffff, 0x1fffffff, 0x1ff, 0x0, 0x0, 0x40000, 0x1fe00000, 0xffffff]);
const ZERO: usize = memory.data(36, 16);

// @ts-ignore: decorator
@inline export function feCopy(r: usize, a: usize): void { memory.copy(r, a, 36); }

export function feSetZero(r: usize): void { memory.fill(r, 0, 36); }
export function feSetOne(r: usize): void { memory.copy(r, FE_ONE, 36); }

/** r = -a mod p */
export function feNeg(r: usize, a: usize): void { feSub(r, ZERO, a); }

/** r = a if mask == 0xffffffff, unchanged if mask == 0 (constant time). */
export function feCmov(r: usize, a: usize, mask: u32): void {
  for (let i: usize = 0; i < 36; i += 4) store<u32>(r + i, (load<u32>(a + i) & mask) | (load<u32>(r + i) & ~mask));
}

/** 0xffffffff when a == 0, else 0 (constant time). */
export function feIsZeroMask(a: usize): u32 {
  let x: u32 = 0;
  for (let i: usize = 0; i < 36; i += 4) x |= load<u32>(a + i);
  return <u32>(((<u64>x) - 1) >> 32);
}

/** 0xffffffff when a == b, else 0 (constant time). */
export function feEqMask(a: usize, b: usize): u32 {
  let x: u32 = 0;
  for (let i: usize = 0; i < 36; i += 4) x |= load<u32>(a + i) ^ load<u32>(b + i);
  return <u32>(((<u64>x) - 1) >> 32);
}

/** 8 little-endian 32-bit words at w (plus a zero word at w+32) -> 9 x 29-bit limbs at r. */
export function words32To29(r: usize, w: usize): void {
  for (let i = 0; i < 9; i++) {
    const bit = i * 29;
    const wi = <usize>(bit >>> 5) << 2;
    const v = <u64>load<u32>(w + wi) | (<u64>load<u32>(w + wi + 4) << 32);
    store<u32>(r + (<usize>i << 2), <u32>((v >> <u64>(bit & 31)) & 0x1fffffff));
  }
}

/** 9 x 29-bit limbs at a (value < 2^256) -> 8 little-endian 32-bit words at w. */
export function words29To32(w: usize, a: usize): void {
  for (let i = 0; i < 8; i++) {
    const bit = i * 32;
    const li = bit / 29, sh = bit % 29;
    let v: u64 = <u64>load<u32>(a + (<usize>li << 2)) >> <u64>sh;
    v |= <u64>load<u32>(a + (<usize>(li + 1) << 2)) << <u64>(29 - sh);
    if (li + 2 < 9) v |= <u64>load<u32>(a + (<usize>(li + 2) << 2)) << <u64>(58 - sh);
    store<u32>(w + (<usize>i << 2), <u32>v);
  }
}

/** true when the 29-bit-limb value at a is < p (constant time in the value). */
function ltP(a: usize): bool {
  let t: i64 = 0;
  for (let i: usize = 0; i < 36; i += 4) t = (t >> 29) + <i64>load<u32>(a + i) - <i64>load<u32>(FE_P + i);
  return (t >> 63) != 0;
}

/** Reads 32 big-endian bytes into r (Montgomery form). Returns false (r undefined) when the value is >= p. */
export function feFromBytes(r: usize, src: usize): bool {
  for (let i = 0; i < 8; i++) store<u32>(W8 + (<usize>i << 2), bswap<u32>(load<u32>(src + 28 - (<usize>i << 2))));
  store<u32>(W8 + 32, 0);
  words32To29(RAW, W8);
  const ok = ltP(RAW);
  feMul(r, RAW, FE_R2);
  return ok;
}

/** Writes a (Montgomery form) as 32 big-endian bytes of its value. */
export function feToBytes(dst: usize, a: usize): void {
  feMul(RAW, a, FE_RAW1);
  words29To32(W8, RAW);
  for (let i = 0; i < 8; i++) store<u32>(dst + 28 - (<usize>i << 2), bswap<u32>(load<u32>(W8 + (<usize>i << 2))));
}

/** Loads a value given as 8 little-endian 32-bit words (< p) into Montgomery form. */
export function feFromWords(r: usize, w: usize): void {
  memory.copy(W8, w, 32); store<u32>(W8 + 32, 0);
  words32To29(RAW, W8);
  feMul(r, RAW, FE_R2);
}

/** The value of a (Montgomery form) as 8 little-endian 32-bit words. */
export function feToWords(w: usize, a: usize): void {
  feMul(RAW, a, FE_RAW1);
  words29To32(w, RAW);
}

// @ts-ignore: decorator
@inline function sqrN(r: usize, a: usize, n: i32): void {
  feSqr(r, a);
  for (let i = 1; i < n; i++) feSqr(r, r);
}

/** r = a^(p-2) = a^-1 mod p (0 maps to 0). Fixed chain: 255 squarings, 12 multiplications. */
export function feInv(r: usize, a: usize): void {
  // x_k = a^(2^k - 1)
  feSqr(X2, a); feMul(X2, X2, a);            // x2
  feSqr(X3, X2); feMul(X3, X3, a);           // x3
  sqrN(T0, X3, 3); feMul(T0, T0, X3);        // x6
  sqrN(T1, T0, 6); feMul(T1, T1, T0);        // x12
  sqrN(X15, T1, 3); feMul(X15, X15, X3);     // x15
  sqrN(X30, X15, 15); feMul(X30, X30, X15);  // x30
  sqrN(X32, X30, 2); feMul(X32, X32, X2);    // x32
  // p-2 = [1 x32][0 x31][1][0 x96][1 x32][1 x32][1 x30][0][1]
  sqrN(T2, X32, 32); feMul(T2, T2, a);
  sqrN(T2, T2, 128); feMul(T2, T2, X32);
  sqrN(T2, T2, 32); feMul(T2, T2, X32);
  sqrN(T2, T2, 30); feMul(T2, T2, X30);
  sqrN(T2, T2, 2); feMul(r, T2, a);
}

/** r = a^((p+1)/4): the square root of a when one exists (p = 3 mod 4). */
export function feSqrt(r: usize, a: usize): void {
  // (p+1)/4 = [1 x32][0 x31][1][0 x95][1][0 x94]
  feCopy(T0, a);
  for (let i = 1; i < 32; i++) { feSqr(T0, T0); feMul(T0, T0, a); }
  sqrN(T0, T0, 32); feMul(T0, T0, a);
  sqrN(T0, T0, 96); feMul(T0, T0, a);
  sqrN(r, T0, 94);
}
