// P-256 scalar multiplication.
//  - baseMul:      k*G, constant time. Fixed-base table (basetable.ts), no doublings: one signed
//                  odd digit per W-bit window, each looked up by scanning the whole window with masks.
//  - varMulCT:     k*P, constant time (ECDH). 4-bit signed odd digits, table of 8 odd multiples
//                  scanned with masks, 4 doublings + 1 addition per window.
//  - doubleMulVar: u1*G + u2*Q for verify, variable time (public inputs), interleaved wNAF.
// Secret scalars are made odd first (k or n-k, selected with a mask; the result's y is negated back),
// so every digit is odd and nonzero ("regular" recoding): the sequence of operations never depends on k.
// Why the Jacobian (incomplete) formulas are safe where they are used:
//  baseMul, window i < NW-1: the accumulator holds m*G with |m| < 2^(W*i) <= |d*2^(W*i)| for the added
//    digit d, and |m ± d*2^(W*i)| < 2^(W*(i+1)) <= 2^(W*(NW-1)) < n, so P != ±Q and no sum is infinity.
//  varMulCT, window i >= 1: the accumulator is M*P with M = 16*S, S >= 1 the (odd-digit) prefix, so
//    M > 15 >= |d|; M + d = S_i is in (0, n) and M - d = S_i - 2d is odd-minus-even, never 0, |.| < n.
//  Only the last addition (where a sum can reach n) uses the complete formula. Tests cover k = 1..40,
//  n-40..n-1, powers of two and window boundaries against node:crypto.
import { feSetOne, feNeg } from "./field";
import { SC_N, scNeg, scCmov, scCopy } from "./scalar";
import {
  jDouble, jAdd, jAddMixed, jToProjective, pAddComplete, pToAffine, condNegY,
  jAddVar, jAddMixedVar, jDoubleVar, jSetInfinity, pointWipe, PT_AFF, PT_JAC,
} from "./point";
import { BASE_TABLE, BASE_W, BASE_NW, BASE_ENTRIES } from "./basetable";

const KB: usize = memory.data(48, 16);     // odd scalar, zero padded (bit reads past 256 read 0)
const NEGK: usize = memory.data(32, 16);
const ACC: usize = memory.data(108, 16);
const ACC2: usize = memory.data(108, 16);
const LK: usize = memory.data(108, 16);     // looked-up point
const QT: usize = memory.data(108 * 8, 16); // variable-base table: (2j+1) P, Jacobian
const DBL: usize = memory.data(108, 16);

// @ts-ignore: decorator
@inline function bitsAt(k: usize, pos: i32, count: i32): u32 {
  const w = <usize>(pos >>> 5);
  const lo = <u64>load<u32>(k + (w << 2)) | (<u64>load<u32>(k + (w << 2) + 4) << 32);
  return <u32>((lo >> (<u64>(pos & 31))) & ((<u64>1 << <u64>count) - 1));
}

/** Copies k (< n, != 0) to KB as an odd scalar (k or n-k); returns the mask "k was even". */
function makeOdd(k: usize): u32 {
  const even: u32 = (load<u32>(k) & 1) - 1;
  scNeg(NEGK, k);
  memory.fill(KB, 0, 48);
  scCopy(KB, k);
  scCmov(KB, NEGK, even);
  return even;
}

// Constant-time lookup of digit d (odd, |d| < 2^W) in window `win` of the base table into LK
// (Jacobian with Z = 1): every entry of the window is read and masked.
function lookupBase(win: i32, d: i32): void {
  const s: i32 = d >> 31;
  const idx: u32 = <u32>(((d ^ s) - s) >> 1);
  const base = BASE_TABLE + <usize>win * <usize>(BASE_ENTRIES * 72);
  let x0: u64 = 0, x1: u64 = 0, x2: u64 = 0, x3: u64 = 0, x4: u64 = 0, x5: u64 = 0, x6: u64 = 0, x7: u64 = 0, x8: u64 = 0;
  for (let j = 0; j < BASE_ENTRIES; j++) {
    const m: u64 = <u64>0 - <u64>((((<u32>j) ^ idx) - 1) >> 31);
    const e = base + <usize>j * 72;
    x0 |= load<u64>(e, 0) & m; x1 |= load<u64>(e, 8) & m; x2 |= load<u64>(e, 16) & m;
    x3 |= load<u64>(e, 24) & m; x4 |= load<u64>(e, 32) & m; x5 |= load<u64>(e, 40) & m;
    x6 |= load<u64>(e, 48) & m; x7 |= load<u64>(e, 56) & m; x8 |= load<u64>(e, 64) & m;
  }
  store<u64>(LK, x0, 0); store<u64>(LK, x1, 8); store<u64>(LK, x2, 16); store<u64>(LK, x3, 24);
  store<u64>(LK, x4, 32); store<u64>(LK, x5, 40); store<u64>(LK, x6, 48); store<u64>(LK, x7, 56);
  store<u64>(LK, x8, 64);
  feSetOne(LK + 72);
  condNegY(LK, <u32>s);
}

/**
 * out (affine, 72 bytes) = k * G, constant time. k: scalar limbs, 1 <= k < n (caller checks).
 * Windows 0..NW-2 use Jacobian mixed addition (exceptional cases impossible: the accumulated
 * multiple is smaller in magnitude than the added one and both sums stay below 2^(W(NW-1)) < n);
 * the last window uses the complete formula.
 */
export function baseMul(out: usize, k: usize): void {
  const even = makeOdd(k);
  const top = BASE_NW - 1;
  const W = BASE_W;
  const half: i32 = 1 << W;
  lookupBase(0, <i32>(bitsAt(KB, 1, W) << 1) + 1 - half);
  memory.copy(ACC, LK, PT_JAC);
  for (let i = 1; i < top; i++) {
    lookupBase(i, <i32>(bitsAt(KB, W * i + 1, W) << 1) + 1 - half);
    jAddMixed(ACC, ACC, LK);
  }
  lookupBase(top, <i32>(bitsAt(KB, W * top, 32 - 1) | 1));
  jToProjective(ACC, ACC);
  pAddComplete(ACC, ACC, LK);   // LK has Z = 1: affine = projective
  condNegY(ACC, even);
  pToAffine(out, ACC);
  wipeSecrets();
}

/** Clears the scalar copies and the accumulators (secret-derived) after a constant-time multiply. */
function wipeSecrets(): void {
  memory.fill(KB, 0, 48); memory.fill(NEGK, 0, 32);
  memory.fill(ACC, 0, 108); memory.fill(LK, 0, 108); memory.fill(QT, 0, 108 * 8);
  pointWipe();
}

// Constant-time lookup of odd digit d (|d| <= 15) from the 8-entry Jacobian table QT into LK.
function lookupVar(d: i32): void {
  const s: i32 = d >> 31;
  const idx: u32 = <u32>(((d ^ s) - s) >> 1);
  memory.fill(LK, 0, 108);
  for (let j = 0; j < 8; j++) {
    const m: u32 = <u32>0 - ((((<u32>j) ^ idx) - 1) >> 31);
    const e = QT + <usize>j * 108;
    for (let o: usize = 0; o < 108; o += 4) store<u32>(LK + o, load<u32>(LK + o) | (load<u32>(e + o) & m));
  }
  condNegY(LK, <u32>s);
}

/**
 * out (affine) = k * P, constant time in k. P: validated affine point; 1 <= k < n.
 * Jacobian additions for windows 63..1 (exceptional cases impossible, see ecdh notes in
 * docs: partial sums are odd and never equal ±digit), complete addition for window 0.
 */
export function varMulCT(out: usize, p: usize, k: usize): void {
  // table (2j+1) P
  memory.copy(QT, p, PT_AFF); feSetOne(QT + 72);
  jDouble(DBL, QT);
  for (let j: usize = 1; j < 8; j++) jAdd(QT + j * 108, QT + (j - 1) * 108, DBL);
  const even = makeOdd(k);
  lookupVar(<i32>(bitsAt(KB, 252, 31) | 1));
  memory.copy(ACC, LK, PT_JAC);
  for (let i = 62; i >= 1; i--) {
    jDouble(ACC, ACC); jDouble(ACC, ACC); jDouble(ACC, ACC); jDouble(ACC, ACC);
    lookupVar(<i32>(bitsAt(KB, 4 * i + 1, 4) << 1) - 15);
    jAdd(ACC, ACC, LK);
  }
  jDouble(ACC, ACC); jDouble(ACC, ACC); jDouble(ACC, ACC); jDouble(ACC, ACC);
  lookupVar(<i32>(bitsAt(KB, 1, 4) << 1) - 15);
  jToProjective(ACC, ACC);
  jToProjective(LK, LK);
  pAddComplete(ACC, ACC, LK);
  condNegY(ACC, even);
  pToAffine(out, ACC);
  wipeSecrets();
}

// ---------------------------------------------------------------- verify (variable time)

const NAF1: usize = memory.data(260, 16);
const NAF2: usize = memory.data(260, 16);
const KW: usize = memory.data(40, 16);
const NEGPT: usize = memory.data(108, 16);

/** wNAF of a public 256-bit scalar; returns the number of digits. */
function wnaf(out: usize, k: usize, w: i32): i32 {
  memory.fill(out, 0, 260);
  memory.fill(KW, 0, 40);
  memory.copy(KW, k, 32);
  const full: i32 = 1 << w;
  const halfw: i32 = full >> 1;
  let i = 0;
  let last = 0;
  while (true) {
    let nz: u32 = 0;
    for (let j: usize = 0; j < 36; j += 4) nz |= load<u32>(KW + j);
    if (nz == 0) break;
    let d: i32 = 0;
    if (load<u32>(KW) & 1) {
      d = <i32>(load<u32>(KW) & <u32>(full - 1));
      if (d >= halfw) d -= full;
      // KW -= d
      let t: i64 = <i64>load<u32>(KW) - <i64>d;
      store<u32>(KW, <u32>t);
      for (let j: usize = 4; j < 36; j += 4) { t = (t >> 32) + <i64>load<u32>(KW + j); store<u32>(KW + j, <u32>t); }
      last = i;
    }
    store<i8>(out + i, <i8>d);
    // KW >>= 1
    for (let j: usize = 0; j < 32; j += 4) {
      store<u32>(KW + j, (load<u32>(KW + j) >>> 1) | (load<u32>(KW + j + 4) << 31));
    }
    store<u32>(KW + 32, load<u32>(KW + 32) >>> 1);
    i++;
  }
  return last + 1;
}

/**
 * outJ (Jacobian) = u1*G + u2*Q. Public inputs only. Q affine (validated).
 * G uses window 0 of the base table (odd multiples up to (2^W - 1) G, wNAF width W+1),
 * Q a table of 8 odd multiples (wNAF width 5).
 */
export function doubleMulVar(outJ: usize, u1: usize, u2: usize, q: usize): void {
  const n1 = wnaf(NAF1, u1, BASE_W + 1);
  const n2 = wnaf(NAF2, u2, 5);
  memory.copy(QT, q, PT_AFF); feSetOne(QT + 72);
  jDoubleVar(DBL, QT);
  for (let j: usize = 1; j < 8; j++) jAddVar(QT + j * 108, QT + (j - 1) * 108, DBL);
  jSetInfinity(ACC2);
  let top = n1 > n2 ? n1 : n2;
  for (let i = top - 1; i >= 0; i--) {
    jDoubleVar(ACC2, ACC2);
    const d1 = <i32>load<i8>(NAF1 + i);
    if (d1 != 0) {
      const e = BASE_TABLE + <usize>((d1 < 0 ? -d1 : d1) >> 1) * 72;
      memory.copy(NEGPT, e, 72);
      if (d1 < 0) feNeg(NEGPT + 36, NEGPT + 36);
      jAddMixedVar(ACC2, ACC2, NEGPT);
    }
    const d2 = <i32>load<i8>(NAF2 + i);
    if (d2 != 0) {
      memory.copy(NEGPT, QT + <usize>((d2 < 0 ? -d2 : d2) >> 1) * 108, 108);
      if (d2 < 0) feNeg(NEGPT + 36, NEGPT + 36);
      jAddVar(ACC2, ACC2, NEGPT);
    }
  }
  memory.copy(outJ, ACC2, PT_JAC);
}
