// HMAC-DRBG with SHA-256 (NIST SP 800-90A §10.1.2), state in caller-owned memory (DRBG_BYTES):
// K (32) | V (32) | reseed counter u32 | pad | HMAC key setup for the current K (ipad/opad states),
// so every HMAC under the same K costs no key-schedule compressions.
// The same construction drives RFC 6979 nonces (ecdsa.ts); the module's random source
// (randomBytes) is an instance seeded and periodically reseeded from WASI random_get.
import { random_get } from "bindings/wasi_snapshot_preview1";
import { hmacInit, hmacUpdate, hmacFinal, HMAC_CTX_BYTES } from "./hmac";
import { OK, E_CRYPTO } from "../errors";

const KCTX_OFF: usize = 80;
export const DRBG_BYTES: usize = KCTX_OFF + HMAC_CTX_BYTES;
const CTX: usize = memory.data(<i32>HMAC_CTX_BYTES, 16);
const SEP: usize = memory.data(2, 4);

// CTX = HMAC context keyed with the current K (copied from the cached key setup)
// @ts-ignore: decorator
@inline function keyed(st: usize): void { memory.copy(CTX, st + KCTX_OFF, HMAC_CTX_BYTES); }
// recompute the cached key setup after K changed
// @ts-ignore: decorator
@inline function rekey(st: usize): void { hmacInit(st + KCTX_OFF, st, 32); }

/** K = HMAC(K, V || sep || data); V = HMAC(K, V) */
function step(st: usize, sep: u8, d1: usize, l1: usize, d2: usize, l2: usize): void {
  keyed(st);
  hmacUpdate(CTX, st + 32, 32);
  store<u8>(SEP, sep);
  hmacUpdate(CTX, SEP, 1);
  if (l1 > 0) hmacUpdate(CTX, d1, l1);
  if (l2 > 0) hmacUpdate(CTX, d2, l2);
  hmacFinal(CTX, st);
  rekey(st);
  keyed(st);
  hmacUpdate(CTX, st + 32, 32);
  hmacFinal(CTX, st + 32);
}

/** HMAC_DRBG_Update with provided data d1 || d2 (either may be empty). */
export function drbgUpdate(st: usize, d1: usize, l1: usize, d2: usize, l2: usize): void {
  step(st, 0, d1, l1, d2, l2);
  if (l1 + l2 > 0) step(st, 1, d1, l1, d2, l2);
  memory.fill(CTX, 0, <i32>HMAC_CTX_BYTES);   // working copy of the keyed state
}

/** Instantiate: K = 0^32, V = 1^32, Update(seed1 || seed2). */
export function drbgInit(st: usize, d1: usize, l1: usize, d2: usize, l2: usize): void {
  memory.fill(st, 0, 32);
  memory.fill(st + 32, 1, 32);
  store<u32>(st, 1, 64);
  rekey(st);
  drbgUpdate(st, d1, l1, d2, l2);
}

/** The output loop of Generate: V = HMAC(K, V) repeated, len bytes, without the final Update. */
export function drbgOutput(st: usize, out: usize, len: usize): void {
  let done: usize = 0;
  while (done < len) {
    keyed(st);
    hmacUpdate(CTX, st + 32, 32);
    hmacFinal(CTX, st + 32);
    const take = len - done < 32 ? len - done : 32;
    memory.copy(out + done, st + 32, take);
    done += take;
  }
  memory.fill(CTX, 0, <i32>HMAC_CTX_BYTES);
}

/** Generate len bytes (no additional input), then Update(). */
export function drbgGenerate(st: usize, out: usize, len: usize): void {
  drbgOutput(st, out, len);
  drbgUpdate(st, 0, 0, 0, 0);
  store<u32>(st, load<u32>(st, 64) + 1, 64);
}

// ---------------------------------------------------------------- module random source
const SYS: usize = memory.data(<i32>DRBG_BYTES, 16);
const SEED: usize = memory.data(48, 16);
const PERS: usize = memory.data<u8>([0x67, 0x6c, 0x61, 0x73, 0x73, 0x65, 0x73, 0x2d, 0x64, 0x72, 0x62, 0x67]); // "glasses-drbg"
let sysSeeded = false;
const RESEED_INTERVAL: u32 = 4096;

function seedSys(): i32 {
  if (random_get(SEED, 48) != 0) return E_CRYPTO;
  if (!sysSeeded) drbgInit(SYS, SEED, 48, PERS, 12);
  else drbgUpdate(SYS, SEED, 48, 0, 0);
  memory.fill(SEED, 0, 48);
  sysSeeded = true;
  store<u32>(SYS, 1, 64);
  return OK;
}

/** Fills out[0..len) from the HMAC-DRBG seeded from WASI random_get. Returns OK or E_CRYPTO. */
export function randomBytes(out: usize, len: usize): i32 {
  if (!sysSeeded || load<u32>(SYS, 64) > RESEED_INTERVAL) {
    const st = seedSys();
    if (st != OK) return st;
  }
  drbgGenerate(SYS, out, len);
  return OK;
}

/** Mixes fresh WASI entropy into the module DRBG now (e.g. before generating a long-term key). */
export function reseedRandom(): i32 { return seedSys(); }
