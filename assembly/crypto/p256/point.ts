// P-256 points (coordinates are FE = 36-byte Montgomery field elements, field.ts).
// Affine = 72 bytes (x, y); Jacobian = 108 bytes (X, Y, Z) with x = X/Z^2, y = Y/Z^3;
// homogeneous projective (used only for the last, complete addition) = 108 bytes with x = X/Z, y = Y/Z.
// Curve: y^2 = x^3 - 3x + b.
//
// Constant-time paths (keygen, sign, ECDH) use Jacobian doubling/addition whose exceptional cases are
// provably unreachable for the recodings used in scalarmul.ts, and the complete (exception-free)
// Renes–Costello–Batina addition for the final step where they could occur.
// Variable-time helpers (suffix Var) handle every special case with branches; public data only.
import {
  feAdd, feSub, feMul, feSqr, feInv, feCopy, feCmov, feIsZeroMask, feEqMask, feNeg, feSetOne, feSetZero,
  feFromBytes, feToBytes, feToWords, feSqrt, FE_B,
} from "./field";

// scratch field elements (not reentrant)
const T0: usize = memory.data(36, 16);
const T1: usize = memory.data(36, 16);
const T2: usize = memory.data(36, 16);
const T3: usize = memory.data(36, 16);
const T4: usize = memory.data(36, 16);
const T5: usize = memory.data(36, 16);
const T6: usize = memory.data(36, 16);
const T7: usize = memory.data(36, 16);
const T8: usize = memory.data(36, 16);
const X3: usize = memory.data(36, 16);
const Y3: usize = memory.data(36, 16);
const Z3: usize = memory.data(36, 16);
/** 3b mod p, Montgomery form (for the complete formulas) */
const B3: usize = memory.data<u32>([0x9c733f2, 0x169e267d, 0x48d944e, 0x4597663, 0x19080da0, 0x3e5638, 0xe107331, 0x6765762, 0x92024b]);

// @ts-ignore: decorator
@inline function X(p: usize): usize { return p; }
// @ts-ignore: decorator
@inline function Y(p: usize): usize { return p + 36; }
// @ts-ignore: decorator
@inline function Z(p: usize): usize { return p + 72; }

/** Clears the formula temporaries (they hold intermediate multiples of secret scalars). */
export function pointWipe(): void {
  memory.fill(T0, 0, 36); memory.fill(T1, 0, 36); memory.fill(T2, 0, 36); memory.fill(T3, 0, 36);
  memory.fill(T4, 0, 36); memory.fill(T5, 0, 36); memory.fill(T6, 0, 36); memory.fill(T7, 0, 36);
  memory.fill(T8, 0, 36); memory.fill(X3, 0, 36); memory.fill(Y3, 0, 36); memory.fill(Z3, 0, 36);
}

/** Bytes of an affine point (x, y) and of a Jacobian/projective point (X, Y, Z). */
export const PT_AFF: usize = 72;
export const PT_JAC: usize = 108;

/** Jacobian doubling, a = -3 (dbl-2001-b): 3M + 5S. P must not be infinity (Z != 0 gives Z3 != 0). */
export function jDouble(r: usize, p: usize): void {
  feSqr(T0, Z(p));            // delta
  feSqr(T1, Y(p));            // gamma
  feMul(T2, X(p), T1);        // beta
  feSub(T3, X(p), T0);
  feAdd(T4, X(p), T0);
  feMul(T3, T3, T4);
  feAdd(T4, T3, T3); feAdd(T3, T4, T3);  // alpha = 3 (X - delta)(X + delta)
  // Z3 = (Y + Z)^2 - gamma - delta
  feAdd(T4, Y(p), Z(p)); feSqr(T4, T4); feSub(T4, T4, T1); feSub(Z(r), T4, T0);
  // X3 = alpha^2 - 8 beta
  feAdd(T2, T2, T2); feAdd(T2, T2, T2);  // 4 beta
  feSqr(T5, T3); feAdd(T6, T2, T2); feSub(X(r), T5, T6);
  // Y3 = alpha (4 beta - X3) - 8 gamma^2
  feSub(T2, T2, X(r)); feMul(T2, T2, T3);
  feSqr(T1, T1); feAdd(T1, T1, T1); feAdd(T1, T1, T1); feAdd(T1, T1, T1);
  feSub(Y(r), T2, T1);
}

// madd-2007-bl, first half: Z1Z1 = T0, H = T1, S2 - Y1 = T2.
function jAddMixedPrep(p: usize, q: usize): void {
  feSqr(T0, Z(p));                 // Z1Z1
  feMul(T1, X(q), T0);             // U2
  feMul(T2, Y(q), Z(p)); feMul(T2, T2, T0); // S2
  feSub(T1, T1, X(p));             // H
  feSub(T2, T2, Y(p));             // S2 - Y1
}

function jAddMixedFinish(r: usize, p: usize): void {
  feSqr(T3, T1);                   // HH
  feAdd(T4, T3, T3); feAdd(T4, T4, T4); // I = 4 HH
  feMul(T5, T1, T4);               // J
  feAdd(T2, T2, T2);               // rr
  feMul(T6, X(p), T4);             // V
  // Z3 = (Z1 + H)^2 - Z1Z1 - HH
  feAdd(T7, Z(p), T1); feSqr(T7, T7); feSub(T7, T7, T0); feSub(Z(r), T7, T3);
  // X3 = rr^2 - J - 2V
  feSqr(T7, T2); feSub(T7, T7, T5); feAdd(T8, T6, T6); feSub(T7, T7, T8);
  // Y3 = rr (V - X3) - 2 Y1 J
  feMul(T5, T5, Y(p)); feAdd(T5, T5, T5);
  feSub(T6, T6, T7); feMul(T6, T6, T2); feSub(Y(r), T6, T5);
  feCopy(X(r), T7);
}

/**
 * Jacobian + affine (madd-2007-bl): 7M + 4S. Requires P != ±Q and P not infinity
 * (callers guarantee it). r may alias p.
 */
export function jAddMixed(r: usize, p: usize, q: usize): void {
  jAddMixedPrep(p, q);
  jAddMixedFinish(r, p);
}

// add-2007-bl, first half: U1 = T2, H = T3, S1 = T4, rr = T5, Z1Z1 = T0, Z2Z2 = T1.
function jAddPrep(p: usize, q: usize): void {
  feSqr(T0, Z(p));                 // Z1Z1
  feSqr(T1, Z(q));                 // Z2Z2
  feMul(T2, X(p), T1);             // U1
  feMul(T3, X(q), T0);             // U2
  feMul(T4, Y(p), Z(q)); feMul(T4, T4, T1); // S1
  feMul(T5, Y(q), Z(p)); feMul(T5, T5, T0); // S2
  feSub(T3, T3, T2);               // H
  feSub(T5, T5, T4); feAdd(T5, T5, T5); // rr
}

function jAddFinish(r: usize, p: usize, q: usize): void {
  // Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H
  feAdd(T6, Z(p), Z(q)); feSqr(T6, T6); feSub(T6, T6, T0); feSub(T6, T6, T1); feMul(Z3, T6, T3);
  feAdd(T6, T3, T3); feSqr(T6, T6);  // I = (2H)^2
  feMul(T7, T3, T6);               // J
  feMul(T8, T2, T6);               // V
  // X3 = rr^2 - J - 2V
  feSqr(T0, T5); feSub(T0, T0, T7); feAdd(T1, T8, T8); feSub(X3, T0, T1);
  // Y3 = rr (V - X3) - 2 S1 J
  feSub(T8, T8, X3); feMul(T8, T8, T5); feMul(T4, T4, T7); feAdd(T4, T4, T4); feSub(Y(r), T8, T4);
  feCopy(X(r), X3); feCopy(Z(r), Z3);
}

/** Jacobian + Jacobian (add-2007-bl): 11M + 5S. Requires P != ±Q, neither infinity. r may alias p or q. */
export function jAdd(r: usize, p: usize, q: usize): void {
  jAddPrep(p, q);
  jAddFinish(r, p, q);
}

/** Jacobian (X, Y, Z) -> homogeneous projective (X Z, Y, Z^3). r may alias p. */
export function jToProjective(r: usize, p: usize): void {
  feSqr(T0, Z(p));
  feMul(X(r), X(p), Z(p));
  feMul(Z(r), T0, Z(p));
  if (r != p) feCopy(Y(r), Y(p));
}

// mulA for a = -3: r = -3 x
// @ts-ignore: decorator
@inline function mulA(r: usize, x: usize): void { feAdd(T8, x, x); feAdd(T8, T8, x); feNeg(r, T8); }

/**
 * Complete addition in homogeneous projective coordinates (Renes–Costello–Batina 2015, Alg. 1
 * with a = -3): valid for every pair of inputs, including equal points, opposite points and the
 * point at infinity (0 : 1 : 0). r may alias p or q.
 */
export function pAddComplete(r: usize, p: usize, q: usize): void {
  feMul(T0, X(p), X(q));
  feMul(T1, Y(p), Y(q));
  feMul(T2, Z(p), Z(q));
  feAdd(T3, X(p), Y(p)); feAdd(T4, X(q), Y(q)); feMul(T3, T3, T4);
  feAdd(T4, T0, T1); feSub(T3, T3, T4);
  feAdd(T4, X(p), Z(p)); feAdd(T5, X(q), Z(q)); feMul(T4, T4, T5);
  feAdd(T5, T0, T2); feSub(T4, T4, T5);
  feAdd(T5, Y(p), Z(p)); feAdd(X3, Y(q), Z(q)); feMul(T5, T5, X3);
  feAdd(X3, T1, T2); feSub(T5, T5, X3);
  mulA(Z3, T4);
  feMul(X3, B3, T2);
  feAdd(Z3, X3, Z3);
  feSub(X3, T1, Z3);
  feAdd(Z3, T1, Z3);
  feMul(Y3, X3, Z3);
  feAdd(T1, T0, T0); feAdd(T1, T1, T0);
  mulA(T2, T2);
  feMul(T4, B3, T4);
  feAdd(T1, T1, T2);
  feSub(T2, T0, T2);
  mulA(T2, T2);
  feAdd(T4, T4, T2);
  feMul(T0, T1, T4);
  feAdd(Y3, Y3, T0);
  feMul(T0, T5, T4);
  feMul(X3, T3, X3);
  feSub(X3, X3, T0);
  feMul(T0, T3, T1);
  feMul(Z3, T5, Z3);
  feAdd(Z3, Z3, T0);
  feCopy(X(r), X3); feCopy(Y(r), Y3); feCopy(Z(r), Z3);
}

/** Projective -> affine (x, y) = (X/Z, Y/Z). Z = 0 (infinity) gives (0, 0). Constant time. */
export function pToAffine(out: usize, p: usize): void {
  feInv(T6, Z(p));
  feMul(out, X(p), T6);
  feMul(out + 36, Y(p), T6);
}

/** Jacobian -> affine. Constant time. */
export function jToAffine(out: usize, p: usize): void {
  feInv(T6, Z(p));
  feSqr(T7, T6);
  feMul(out, X(p), T7);
  feMul(T7, T7, T6);
  feMul(out + 36, Y(p), T7);
}

/** r = -P (any coordinates: negates Y). */
export function pointNegY(r: usize, p: usize): void { feNeg(Y(r), Y(p)); }

/** Conditionally negate Y in place when mask is all ones (constant time). */
export function condNegY(p: usize, mask: u32): void {
  feNeg(T0, Y(p));
  feCmov(Y(p), T0, mask);
}

// ---------------------------------------------------------------- validation / encoding

const RHS: usize = memory.data(36, 16);
const LHS: usize = memory.data(36, 16);

/** true when affine (x, y) (both < p) satisfies y^2 = x^3 - 3x + b. */
export function onCurve(aff: usize): bool {
  curveRhs(RHS, aff);
  feSqr(LHS, aff + 36);
  return feEqMask(LHS, RHS) != 0;
}

function curveRhs(out: usize, x: usize): void {
  feSqr(T0, x); feMul(T0, T0, x);          // x^3
  feAdd(T1, x, x); feAdd(T1, T1, x);       // 3x
  feSub(T0, T0, T1); feAdd(out, T0, FE_B);
}

/**
 * Parses a SEC1 point: 65 bytes 04||x||y, or 33 bytes 02/03||x (compressed).
 * Returns 0 when valid (on curve, coordinates < p; the encoding cannot express infinity),
 * 1 for a bad length/prefix, 2 for an off-curve point or coordinate >= p.
 */
export function decodePoint(aff: usize, src: usize, len: i32): i32 {
  if (len == 65 && load<u8>(src) == 4) {
    if (!feFromBytes(aff, src + 1)) return 2;
    if (!feFromBytes(aff + 36, src + 33)) return 2;
    return onCurve(aff) ? 0 : 2;
  }
  if (len == 33 && (load<u8>(src) == 2 || load<u8>(src) == 3)) {
    if (!feFromBytes(aff, src + 1)) return 2;
    curveRhs(RHS, aff);
    feSqrt(aff + 36, RHS);
    feSqr(LHS, aff + 36);
    if (feEqMask(LHS, RHS) == 0) return 2;
    feToWords(WORDS, aff + 36);
    const odd = load<u32>(WORDS) & 1;
    if (odd != <u32>(load<u8>(src) & 1)) feNeg(aff + 36, aff + 36);
    return 0;
  }
  return 1;
}

/** Writes 04||x||y (65 bytes). */
export function encodePoint(dst: usize, aff: usize): void {
  store<u8>(dst, 4);
  feToBytes(dst + 1, aff);
  feToBytes(dst + 33, aff + 36);
}
const WORDS: usize = memory.data(32, 16);

// ---------------------------------------------------------------- variable-time (public data)

/** Z == 0 means infinity. */
export function jIsInfinity(p: usize): bool { return feIsZeroMask(Z(p)) != 0; }

export function jSetInfinity(p: usize): void { feSetOne(X(p)); feSetOne(Y(p)); feSetZero(Z(p)); }

/** r = P + Q (Jacobian + Jacobian) handling every case. Public data only. */
export function jAddVar(r: usize, p: usize, q: usize): void {
  if (jIsInfinity(p)) { memory.copy(r, q, PT_JAC); return; }
  if (jIsInfinity(q)) { if (r != p) memory.copy(r, p, PT_JAC); return; }
  jAddPrep(p, q);
  if (feIsZeroMask(T3) != 0) {            // same x
    if (feIsZeroMask(T5) != 0) { jDouble(r, p); return; }
    jSetInfinity(r); return;
  }
  jAddFinish(r, p, q);
}

/** r = P + Q (Jacobian + affine) handling every case. Public data only. */
export function jAddMixedVar(r: usize, p: usize, q: usize): void {
  if (jIsInfinity(p)) {
    memory.copy(r, q, PT_AFF); feSetOne(Z(r)); return;
  }
  jAddMixedPrep(p, q);
  if (feIsZeroMask(T1) != 0) {
    if (feIsZeroMask(T2) != 0) { jDouble(r, p); return; }
    jSetInfinity(r); return;
  }
  jAddMixedFinish(r, p);
}

export function jDoubleVar(r: usize, p: usize): void {
  if (jIsInfinity(p)) { jSetInfinity(r); return; }
  jDouble(r, p);
}
