// Kernel exports for host tests and benchmarks: pointer-based, into buffers the module owns,
// no allocation per call. The host writes inputs into cryptoBuffer() and passes pointers.
// Every function returns a status from errors.ts (OK = 0) unless documented otherwise.
import { sha256 } from "./sha256";
import { hmacSha256, hmacVerify } from "./hmac";
import { hkdf } from "./hkdf";
import { randomBytes } from "./drbg";
import { ecdsaSign, ecdsaSignDigest, ecdsaVerifyDigest, publicFromPrivate, rfc6979Nonce, loadPrivate } from "./ecdsa";
import { ecdhShared, ecdhSharedSpki } from "./ecdh";
import { chachaPolySeal, chachaPolyOpen, poly1305, xchachaPolySeal, xchachaPolyOpen } from "./chacha20poly1305";
import { pbkdf2Sha256 } from "./pbkdf2";
import { aesCmac, aesCmacVerify } from "./aescmac";
import { aesCcmSeal, aesCcmOpen } from "./aesccm";
import { aesGcmSeal, aesGcmOpen } from "./aesgcm";
import { derEncodeSig, derDecodeSig } from "./der";
import { coseKeyFromSec1 } from "./cose";
import { sealWithLabel, openWithLabel, SEAL_OVERHEAD } from "./seal";
import { OK, E_BAD_SIGNATURE, E_AUTH_FAILED, E_CRYPTO } from "../errors";

const BUF_SIZE: i32 = 32 << 10; // 32 KiB: static (zero-initialised, not in the binary), RAM on the MCU board
const BUF: usize = memory.data(BUF_SIZE, 16);
const DIG: usize = memory.data(32, 16);
const RS: usize = memory.data(64, 16);
const SCR: usize = memory.data(32, 16);

/** Start of the 32 KiB exchange buffer. */
export function cryptoBuffer(): usize { return BUF; }
export function cryptoBufferSize(): i32 { return BUF_SIZE; }

export function cryptoSha256(out: usize, msg: usize, len: usize): i32 { sha256(out, msg, len); return OK; }
export function cryptoHmac(out: usize, key: usize, keyLen: usize, msg: usize, msgLen: usize): i32 {
  hmacSha256(out, key, keyLen, msg, msgLen); return OK;
}
/** OK when tag (tagLen 16..32 bytes, a prefix of the MAC) matches; E_AUTH_FAILED otherwise. */
export function cryptoHmacVerify(key: usize, keyLen: usize, msg: usize, msgLen: usize, tag: usize, tagLen: usize): i32 {
  return hmacVerify(key, keyLen, msg, msgLen, tag, tagLen) ? OK : E_AUTH_FAILED;
}
export function cryptoHkdf(out: usize, outLen: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize,
  info: usize, infoLen: usize): i32 {
  return hkdf(out, outLen, salt, saltLen, ikm, ikmLen, info, infoLen);
}
export function cryptoRandom(out: usize, len: usize): i32 { return randomBytes(out, len); }

/** Draws a private key from the DRBG and writes priv (32) and pub (65). */
export function cryptoKeygen(privOut: usize, pubOut: usize): i32 {
  for (let i = 0; i < 16; i++) {
    if (randomBytes(privOut, 32) != OK) return E_CRYPTO;
    if (loadPrivate(SCR, privOut)) return publicFromPrivate(pubOut, privOut);
  }
  return E_CRYPTO;
}

/** Public key (65 bytes) from a 32-byte private key. */
export function cryptoPublicKey(pubOut: usize, priv: usize): i32 { return publicFromPrivate(pubOut, priv); }

/** ECDSA-P256-SHA256 over msg: sigOut = r||s (64 bytes). */
export function cryptoSign(sigOut: usize, priv: usize, msg: usize, msgLen: usize, lowS: i32): i32 {
  return ecdsaSign(sigOut, priv, msg, msgLen, lowS != 0);
}
/** As cryptoSign but writes DER; returns the DER length (> 0) or minus a status. */
export function cryptoSignDer(derOut: usize, priv: usize, msg: usize, msgLen: usize, lowS: i32): i32 {
  const st = ecdsaSign(RS, priv, msg, msgLen, lowS != 0);
  if (st != OK) return -st;
  return derEncodeSig(derOut, RS);
}
export function cryptoSignDigest(sigOut: usize, priv: usize, digest: usize, lowS: i32): i32 {
  return ecdsaSignDigest(sigOut, priv, digest, lowS != 0);
}
/** OK when the raw r||s signature over SHA-256(msg) verifies; E_BAD_SIGNATURE when not; E_BAD_POINT for a bad key. */
export function cryptoVerify(pub: usize, pubLen: i32, msg: usize, msgLen: usize, sig64: usize): i32 {
  sha256(DIG, msg, msgLen);
  const st = ecdsaVerifyDigest(pub, pubLen, DIG, sig64);
  return st == 1 ? E_BAD_SIGNATURE : st;
}
/** Raw r||s over a 32-byte digest (bits2int already applied by the caller). */
export function cryptoVerifyDigest(pub: usize, pubLen: i32, digest: usize, sig64: usize): i32 {
  const st = ecdsaVerifyDigest(pub, pubLen, digest, sig64);
  return st == 1 ? E_BAD_SIGNATURE : st;
}
/** Like cryptoVerify with a strict-DER signature (BER or malformed -> E_BAD_SIGNATURE). */
export function cryptoVerifyDer(pub: usize, pubLen: i32, msg: usize, msgLen: usize, der: usize, derLen: i32): i32 {
  if (!derDecodeSig(RS, der, derLen)) return E_BAD_SIGNATURE;
  return cryptoVerify(pub, pubLen, msg, msgLen, RS);
}
/** Raw signature of sigLen bytes (must be 64; other lengths -> E_BAD_SIGNATURE). */
export function cryptoVerifyP1363(pub: usize, pubLen: i32, msg: usize, msgLen: usize, sig: usize, sigLen: i32): i32 {
  if (sigLen != 64) return E_BAD_SIGNATURE;
  return cryptoVerify(pub, pubLen, msg, msgLen, sig);
}
export function cryptoRfc6979K(kOut: usize, priv: usize, digest: usize): i32 { return rfc6979Nonce(kOut, priv, digest); }
export function cryptoEcdh(shared: usize, priv: usize, pub: usize, pubLen: i32): i32 {
  return ecdhShared(shared, priv, pub, pubLen);
}
/** ECDH with the peer key as a DER SubjectPublicKeyInfo (named curve P-256 only). */
export function cryptoEcdhSpki(shared: usize, priv: usize, spki: usize, spkiLen: i32): i32 {
  return ecdhSharedSpki(shared, priv, spki, spkiLen);
}
/** DER (<= 72 bytes) from raw r||s; returns the length. */
export function cryptoDerEncode(out: usize, rs: usize): i32 { return derEncodeSig(out, rs); }
/** raw r||s from strict DER; OK or E_BAD_SIGNATURE. */
export function cryptoDerDecode(rs: usize, der: usize, derLen: i32): i32 { return derDecodeSig(rs, der, derLen) ? OK : E_BAD_SIGNATURE; }
/** COSE_Key (77 bytes) from a 65-byte public key; returns 77 or -1. */
export function cryptoCoseKey(out: usize, pub: usize, pubLen: i32): i32 { return coseKeyFromSec1(out, pub, pubLen); }

/** out = ct || tag(16). */
export function cryptoChachaSeal(out: usize, key: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize,
  msg: usize, msgLen: usize): i32 {
  return chachaPolySeal(out, key, nonce, nonceLen, aad, aadLen, msg, msgLen);
}
export function cryptoChachaOpen(out: usize, key: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize,
  ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  return chachaPolyOpen(out, key, nonce, nonceLen, aad, aadLen, ct, ctLen, tag, tagLen);
}
export function cryptoXChachaSeal(out: usize, key: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize,
  msg: usize, msgLen: usize): i32 {
  return xchachaPolySeal(out, key, nonce, nonceLen, aad, aadLen, msg, msgLen);
}
export function cryptoXChachaOpen(out: usize, key: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize,
  ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  return xchachaPolyOpen(out, key, nonce, nonceLen, aad, aadLen, ct, ctLen, tag, tagLen);
}
/** out = ct || tag(tagLen); nonce 7..13 bytes, tag 4..16 (even). */
export function cryptoAesCcmSeal(out: usize, key: usize, keyLen: usize, nonce: usize, nonceLen: usize, tagLen: usize,
  aad: usize, aadLen: usize, msg: usize, msgLen: usize): i32 {
  return aesCcmSeal(out, key, keyLen, nonce, nonceLen, tagLen, aad, aadLen, msg, msgLen);
}
export function cryptoAesCcmOpen(out: usize, key: usize, keyLen: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize,
  ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  return aesCcmOpen(out, key, keyLen, nonce, nonceLen, aad, aadLen, ct, ctLen, tag, tagLen);
}
export function cryptoAesCmac(out: usize, key: usize, keyLen: usize, msg: usize, msgLen: usize): i32 {
  return aesCmac(out, key, keyLen, msg, msgLen);
}
export function cryptoAesCmacVerify(key: usize, keyLen: usize, msg: usize, msgLen: usize, tag: usize, tagLen: usize): i32 {
  return aesCmacVerify(key, keyLen, msg, msgLen, tag, tagLen);
}
export function cryptoPbkdf2(out: usize, dkLen: usize, pw: usize, pwLen: usize, salt: usize, saltLen: usize, iterations: u32): i32 {
  return pbkdf2Sha256(out, dkLen, pw, pwLen, salt, saltLen, iterations);
}
export function cryptoPoly1305(out: usize, key: usize, msg: usize, len: usize): i32 { poly1305(out, key, msg, len); return OK; }
/** out = ct || tag(16); key 16/24/32 bytes. */
export function cryptoAesGcmSeal(out: usize, key: usize, keyLen: usize, iv: usize, ivLen: usize, aad: usize, aadLen: usize,
  msg: usize, msgLen: usize): i32 {
  return aesGcmSeal(out, key, keyLen, iv, ivLen, aad, aadLen, msg, msgLen);
}
export function cryptoAesGcmOpen(out: usize, key: usize, keyLen: usize, iv: usize, ivLen: usize, aad: usize, aadLen: usize,
  ct: usize, ctLen: usize, tag: usize, tagLen: usize): i32 {
  return aesGcmOpen(out, key, keyLen, iv, ivLen, aad, aadLen, ct, ctLen, tag, tagLen);
}
/** Sealed state blob (ptLen + 29 bytes) under a device secret; label may be empty ("state"). */
export function cryptoSeal(out: usize, secret: usize, secretLen: i32, label: usize, labelLen: i32, pt: usize, ptLen: i32): i32 {
  return sealWithLabel(out, secret, secretLen, label, labelLen, pt, ptLen);
}
export function cryptoOpen(out: usize, secret: usize, secretLen: i32, label: usize, labelLen: i32, blob: usize, blobLen: i32): i32 {
  return openWithLabel(out, secret, secretLen, label, labelLen, blob, blobLen);
}
export function cryptoSealOverhead(): i32 { return SEAL_OVERHEAD; }
