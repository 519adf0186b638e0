// HKDF-SHA-256 (RFC 5869).
import { hmacInit, hmacUpdate, hmacFinal, hmacSha256, HMAC_CTX_BYTES } from "./hmac";
import { OK, E_ARGS } from "../errors";

const CTX: usize = memory.data(<i32>HMAC_CTX_BYTES, 16);
const T: usize = memory.data(32, 16);
const CNT: usize = memory.data(4, 4);
const ZSALT: usize = memory.data(32, 16);

/** prk (32 bytes) = HMAC(salt, ikm); an empty salt means 32 zero bytes. */
export function hkdfExtract(prk: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize): void {
  if (saltLen == 0) hmacSha256(prk, ZSALT, 32, ikm, ikmLen);
  else hmacSha256(prk, salt, saltLen, ikm, ikmLen);
}

/** out (L bytes) = HKDF-Expand(prk, info, L). L > 255*32 returns E_ARGS. */
export function hkdfExpand(out: usize, outLen: usize, prk: usize, prkLen: usize, info: usize, infoLen: usize): i32 {
  if (outLen > 255 * 32) return E_ARGS;
  let done: usize = 0;
  let i: u32 = 1;
  while (done < outLen) {
    hmacInit(CTX, prk, prkLen);
    if (i > 1) hmacUpdate(CTX, T, 32);
    hmacUpdate(CTX, info, infoLen);
    store<u8>(CNT, <u8>i);
    hmacUpdate(CTX, CNT, 1);
    hmacFinal(CTX, T);
    const take = outLen - done < 32 ? outLen - done : 32;
    memory.copy(out + done, T, take);
    done += take; i++;
  }
  memory.fill(T, 0, 32);
  memory.fill(CTX, 0, <i32>HMAC_CTX_BYTES);
  return OK;
}

const PRK: usize = memory.data(32, 16);
/** One-shot HKDF (extract + expand). */
export function hkdf(out: usize, outLen: usize, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize,
  info: usize, infoLen: usize): i32 {
  if (outLen > 255 * 32) return E_ARGS;
  hkdfExtract(PRK, salt, saltLen, ikm, ikmLen);
  const st = hkdfExpand(out, outLen, PRK, 32, info, infoLen);
  memory.fill(PRK, 0, 32);
  return st;
}
