// Sealing helper for persistent state: AEAD (ChaCha20-Poly1305) under a key derived from the
// device secret with HKDF-SHA-256, and a fresh random nonce per blob.
//
// Blob: version (1 byte, 0x01) | nonce (12) | ciphertext (n) | tag (16)   -> n + SEAL_OVERHEAD bytes.
// The version byte is the AEAD's associated data; the caller's label is bound through the key:
// key = HKDF-SHA-256(salt = "glasses-seal-v1", ikm = deviceSecret, info = label), label defaulting to
// "state". So a blob opens only with the same secret and the exact same label bytes: a caller may pass
// a header it stores next to the blob (assembly/state/blob.ts passes its header) and any change to
// those bytes makes open() fail with E_STATE_AUTH, exactly as associated data would.
// open() refuses a short blob with E_TRUNCATED, an unknown version with E_STATE_VERSION and any
// modification (or a wrong secret/label) with E_STATE_AUTH, and then writes no plaintext.
import { hkdf } from "./hkdf";
import { chachaPolySeal, chachaPolyOpen } from "./chacha20poly1305";
import { randomBytes } from "./drbg";
import { OK, E_ARGS, E_TRUNCATED, E_STATE_AUTH, E_STATE_VERSION, E_AUTH_FAILED } from "../errors";

export const SEAL_VERSION: u8 = 1;
export const SEAL_NONCE: i32 = 12;
export const SEAL_TAG: i32 = 16;
export const SEAL_OVERHEAD: i32 = 1 + SEAL_NONCE + SEAL_TAG;

const KEY: usize = memory.data(32, 16);
const SALT: usize = memory.data<u8>([0x67, 0x6c, 0x61, 0x73, 0x73, 0x65, 0x73, 0x2d, 0x73, 0x65, 0x61, 0x6c, 0x2d, 0x76, 0x31]); // "glasses-seal-v1"
const STATE_LABEL: usize = memory.data<u8>([0x73, 0x74, 0x61, 0x74, 0x65]); // "state"

function deriveKey(secret: usize, secretLen: i32, label: usize, labelLen: i32): void {
  hkdf(KEY, 32, SALT, 15, secret, <usize>secretLen, label, <usize>labelLen);
}

/** Size of the blob for n plaintext bytes. */
export function sealedLength(n: i32): i32 { return n + SEAL_OVERHEAD; }

/**
 * out (sealedLength(ptLen) bytes) = seal(secret, plaintext) with label (may be 0/0 for "state").
 * The secret must be at least 16 bytes. out must not overlap pt.
 */
export function sealWithLabel(out: usize, secret: usize, secretLen: i32, label: usize, labelLen: i32,
  pt: usize, ptLen: i32): i32 {
  if (secretLen < 16 || ptLen < 0) return E_ARGS;
  if (labelLen == 0) { label = STATE_LABEL; labelLen = 5; }
  deriveKey(secret, secretLen, label, labelLen);
  store<u8>(out, SEAL_VERSION);
  let st = randomBytes(out + 1, SEAL_NONCE);
  if (st == OK) st = chachaPolySeal(out + 1 + SEAL_NONCE, KEY, out + 1, SEAL_NONCE, out, 1, pt, <usize>ptLen);
  memory.fill(KEY, 0, 32);
  return st;
}

/** out (blobLen - SEAL_OVERHEAD bytes) = open(secret, blob). See the statuses above. */
export function openWithLabel(out: usize, secret: usize, secretLen: i32, label: usize, labelLen: i32,
  blob: usize, blobLen: i32): i32 {
  if (secretLen < 16) return E_ARGS;
  if (blobLen < SEAL_OVERHEAD) return E_TRUNCATED;
  if (load<u8>(blob) != SEAL_VERSION) return E_STATE_VERSION;
  if (labelLen == 0) { label = STATE_LABEL; labelLen = 5; }
  deriveKey(secret, secretLen, label, labelLen);
  const n = blobLen - SEAL_OVERHEAD;
  const st = chachaPolyOpen(out, KEY, blob + 1, SEAL_NONCE, blob, 1, blob + 1 + SEAL_NONCE, <usize>n,
    blob + 1 + SEAL_NONCE + n, SEAL_TAG);
  memory.fill(KEY, 0, 32);
  if (st == E_AUTH_FAILED) return E_STATE_AUTH;
  return st;
}

/** seal(deviceSecret, plaintext) with the default "state" label. */
export function seal(out: usize, secret: usize, secretLen: i32, pt: usize, ptLen: i32): i32 {
  return sealWithLabel(out, secret, secretLen, 0, 0, pt, ptLen);
}

/** open(deviceSecret, blob) with the default "state" label. */
export function open(out: usize, secret: usize, secretLen: i32, blob: usize, blobLen: i32): i32 {
  return openWithLabel(out, secret, secretLen, 0, 0, blob, blobLen);
}

/** Result of the byte-array helpers: status and (on OK) the output bytes. */
export class SealResult {
  constructor(public status: i32, public data: Uint8Array) {}
}

/** Convenience for the state module: seal(secret, pt) as a new array (allocates once per save). */
export function sealBytes(secret: Uint8Array, pt: Uint8Array): SealResult {
  const out = new Uint8Array(sealedLength(pt.length));
  const st = seal(out.dataStart, secret.dataStart, secret.length, pt.dataStart, pt.length);
  return new SealResult(st, st == OK ? out : new Uint8Array(0));
}

/** Convenience for the state module: open(secret, blob) as a new array. */
export function openBytes(secret: Uint8Array, blob: Uint8Array): SealResult {
  if (blob.length < SEAL_OVERHEAD) return new SealResult(E_TRUNCATED, new Uint8Array(0));
  const out = new Uint8Array(blob.length - SEAL_OVERHEAD);
  const st = open(out.dataStart, secret.dataStart, secret.length, blob.dataStart, blob.length);
  return new SealResult(st, st == OK ? out : new Uint8Array(0));
}
