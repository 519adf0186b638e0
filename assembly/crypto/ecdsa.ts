// ECDSA over P-256 with SHA-256 digests: RFC 6979 deterministic nonces, raw r||s output
// (DER in der.ts), low-S for every device signature (deviceSignDigest); strict verification (r, s in [1, n-1], validated public key).
import { scFromBytes, scToBytes, scReduce, scIsZeroMask, scInvModN, scMulModN, scAdd, scNeg,
  scCmov, scIsHighMask, SC_N } from "./p256/scalar";
import { feMul, feSqr, feEqMask, feIsZeroMask, feFromBytes, feToBytes } from "./p256/field";
import { baseMul, doubleMulVar } from "./p256/mult";
import { decodePoint } from "./p256/point";
import { drbgInit, drbgOutput, drbgUpdate, DRBG_BYTES } from "./drbg";
import { sha256 } from "./sha256";
import { OK, E_BAD_KEY, E_BAD_POINT, E_CRYPTO } from "../errors";

const D: usize = memory.data(32, 16);
const Z: usize = memory.data(32, 16);
const K: usize = memory.data(32, 16);
const R: usize = memory.data(32, 16);
const S: usize = memory.data(32, 16);
const T: usize = memory.data(32, 16);
const XB: usize = memory.data(32, 16);
const KINV: usize = memory.data(32, 16);
const KBYTES: usize = memory.data(32, 16);
const ZBYTES: usize = memory.data(32, 16);
const RPT: usize = memory.data(72, 16);
const JAC: usize = memory.data(108, 16);
const QAFF: usize = memory.data(72, 16);
const ST: usize = memory.data(<i32>DRBG_BYTES, 16);
const HASH: usize = memory.data(32, 16);

/** Loads a private key (32 big-endian bytes) into D; false unless 1 <= d <= n-1. */
export function loadPrivate(dst: usize, priv: usize): bool {
  if (!scFromBytes(dst, priv)) return false;
  return scIsZeroMask(dst) == 0;
}

/** pubOut (65 bytes, 04||x||y) for a private key. Returns OK or E_BAD_KEY. */
export function publicFromPrivate(pubOut: usize, priv: usize): i32 {
  if (!loadPrivate(D, priv)) return E_BAD_KEY;
  baseMul(RPT, D);
  store<u8>(pubOut, 4);
  feToBytes(pubOut + 1, RPT);
  feToBytes(pubOut + 33, RPT + 36);
  memory.fill(D, 0, 32);
  return OK;
}

/** The RFC 6979 nonce for (priv, digest) into kOut (32 bytes, big-endian); for tests. */
export function rfc6979Nonce(kOut: usize, priv: usize, digest: usize): i32 {
  if (!loadPrivate(D, priv)) return E_BAD_KEY;
  scFromBytes(Z, digest); scReduce(Z, Z); scToBytes(ZBYTES, Z);
  drbgInit(ST, priv, 32, ZBYTES, 32);
  while (true) {
    drbgOutput(ST, KBYTES, 32);              // RFC 6979 3.2 h.2
    if (scFromBytes(K, KBYTES) && scIsZeroMask(K) == 0) break;
    drbgUpdate(ST, 0, 0, 0, 0);              // h.3: K = HMAC_K(V || 0x00), V = HMAC_K(V)
  }
  memory.copy(kOut, KBYTES, 32);
  return OK;
}

/**
 * sigOut (64 bytes) = r||s over a 32-byte digest with the RFC 6979 nonce. lowS: normalise s to <= n/2.
 * Constant time in the key and nonce (the only branches are on events of probability ~2^-224).
 */
export function ecdsaSignDigest(sigOut: usize, priv: usize, digest: usize, lowS: bool): i32 {
  if (!loadPrivate(D, priv)) return E_BAD_KEY;
  scFromBytes(Z, digest); scReduce(Z, Z); scToBytes(ZBYTES, Z);
  drbgInit(ST, priv, 32, ZBYTES, 32);
  let ok = false;
  for (let attempt = 0; attempt < 64; attempt++) {
    if (attempt > 0) drbgUpdate(ST, 0, 0, 0, 0);  // RFC 6979 3.2 h.3 (only when a candidate is refused)
    drbgOutput(ST, KBYTES, 32);                     // h.2: V = HMAC_K(V), T = V
    if (!scFromBytes(K, KBYTES) || scIsZeroMask(K) != 0) continue;
    baseMul(RPT, K);
    feToBytes(XB, RPT); scFromBytes(R, XB);
    scReduce(R, R);                         // r = x mod n
    if (scIsZeroMask(R) != 0) continue;
    scInvModN(KINV, K);                     // k^-1
    scMulModN(T, D, R);                     // r d
    scAdd(T, T, Z);                         // z + r d
    scMulModN(S, KINV, T);                  // s = k^-1 (z + r d)
    if (scIsZeroMask(S) != 0) continue;
    ok = true;
    break;
  }
  if (ok) {
    if (lowS) { scNeg(T, S); scCmov(S, T, scIsHighMask(S)); }
    scToBytes(sigOut, R);
    scToBytes(sigOut + 32, S);
  }
  memory.fill(D, 0, 32); memory.fill(K, 0, 32); memory.fill(KBYTES, 0, 32); memory.fill(KINV, 0, 32);
  memory.fill(T, 0, 32); memory.fill(ST, 0, <i32>DRBG_BYTES);
  return ok ? OK : E_CRYPTO;
}

/**
 * The device's signature policy: every signature made with the device key (payment assertions, the pairing
 * self-attestation, agent mandates) is low-S, s <= (n-1)/2.
 *
 * Why: ECDSA signatures are malleable. If (r, s) verifies, so does (r, n-s), and anyone can compute it without
 * the key. WebAuthn verifiers (@simplewebauthn/server, the phone wallet) accept both forms, but a relying party
 * that dedups or logs signatures by their bytes, or a Bitcoin-style strict verifier, can be confused by the twin.
 * Emitting only the low-S form makes the device's signatures canonical, so a verifier may refuse high-S outright
 * (host/phone/wallet.ts `requireLowS`). The nonce is still RFC 6979's; only s is replaced by n-s when high, in
 * constant time, so a signature is RFC 6979's published one or its low-S twin (the vectors' sigP1363LowS).
 * ecdsaSignDigest(…, false) remains for reproducing published RFC 6979 vectors byte for byte (the crypto kernels
 * and the `crypto sign` tool, which sign with a key the caller gives); nothing signs with the device key that way.
 */
export const DEVICE_SIGNS_LOW_S: bool = true;

/** sigOut (64 bytes) = r||s over a digest with the device policy (low-S). Returns OK, E_BAD_KEY or E_CRYPTO. */
export function deviceSignDigest(sigOut: usize, priv: usize, digest: usize): i32 {
  return ecdsaSignDigest(sigOut, priv, digest, DEVICE_SIGNS_LOW_S);
}

/** Signs SHA-256(msg). */
export function ecdsaSign(sigOut: usize, priv: usize, msg: usize, msgLen: usize, lowS: bool): i32 {
  sha256(HASH, msg, msgLen);
  return ecdsaSignDigest(sigOut, priv, HASH, lowS);
}

const U1: usize = memory.data(32, 16);
const U2: usize = memory.data(32, 16);
const W: usize = memory.data(32, 16);
const RN: usize = memory.data(32, 16);
const RNB: usize = memory.data(32, 16);
const FR: usize = memory.data(36, 16);
const FZ2: usize = memory.data(36, 16);
const FT: usize = memory.data(36, 16);

/** Verifies raw r (32 B) and s (32 B) over a digest with an already validated affine key. */
export function ecdsaVerifyAffine(q: usize, digest: usize, r: usize, s: usize): bool {
  if (!scFromBytes(R, r) || scIsZeroMask(R) != 0) return false;
  if (!scFromBytes(S, s) || scIsZeroMask(S) != 0) return false;
  scFromBytes(Z, digest); scReduce(Z, Z);
  scInvModN(W, S);
  scMulModN(U1, W, Z);
  scMulModN(U2, W, R);
  doubleMulVar(JAC, U1, U2, q);
  if (feIsZeroMask(JAC + 72) != 0) return false;
  // x(R') mod n == r  <=>  X == r Z^2  or  X == (r + n) Z^2 when r + n < p
  feSqr(FZ2, JAC + 72);
  feFromBytes(FR, r);                      // r < n < p
  feMul(FT, FR, FZ2);
  if (feEqMask(FT, JAC) != 0) return true;
  let t: u64 = 0;
  for (let i: usize = 0; i < 32; i += 4) {
    t = (t >> 32) + <u64>load<u32>(R + i) + <u64>load<u32>(SC_N + i);
    store<u32>(RN + i, <u32>t);
  }
  if ((t >> 32) != 0) return false;
  scToBytes(RNB, RN);
  if (!feFromBytes(FR, RNB)) return false;  // r + n >= p
  feMul(FT, FR, FZ2);
  return feEqMask(FT, JAC) != 0;
}

/** Verifies a raw 64-byte r||s signature over a digest with a SEC1 public key. */
export function ecdsaVerifyDigest(pub: usize, pubLen: i32, digest: usize, sig64: usize): i32 {
  if (decodePoint(QAFF, pub, pubLen) != 0) return E_BAD_POINT;
  return ecdsaVerifyAffine(QAFF, digest, sig64, sig64 + 32) ? OK : 1;
}
