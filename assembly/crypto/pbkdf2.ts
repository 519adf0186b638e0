// PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2), for a PIN- or passphrase-derived key if one is ever needed.
// The password's HMAC key setup is computed once and reused for every iteration.
import { hmacInit, hmacUpdate, hmacFinal, HMAC_CTX_BYTES } from "./hmac";
import { OK, E_ARGS } from "../errors";

const KEYED: usize = memory.data(<i32>HMAC_CTX_BYTES, 16);
const CTX: usize = memory.data(<i32>HMAC_CTX_BYTES, 16);
const U: usize = memory.data(32, 16);
const T: usize = memory.data(32, 16);
const IDX: usize = memory.data(4, 4);

/** out (dkLen bytes) = PBKDF2(password, salt, iterations, dkLen). iterations >= 1, dkLen >= 1. */
export function pbkdf2Sha256(out: usize, dkLen: usize, pw: usize, pwLen: usize, salt: usize, saltLen: usize,
  iterations: u32): i32 {
  if (iterations == 0 || dkLen == 0) return E_ARGS;
  hmacInit(KEYED, pw, pwLen);
  let done: usize = 0;
  let block: u32 = 1;
  while (done < dkLen) {
    memory.copy(CTX, KEYED, HMAC_CTX_BYTES);
    hmacUpdate(CTX, salt, saltLen);
    store<u32>(IDX, bswap<u32>(block));
    hmacUpdate(CTX, IDX, 4);
    hmacFinal(CTX, U);
    memory.copy(T, U, 32);
    for (let i: u32 = 1; i < iterations; i++) {
      memory.copy(CTX, KEYED, HMAC_CTX_BYTES);
      hmacUpdate(CTX, U, 32);
      hmacFinal(CTX, U);
      for (let j: usize = 0; j < 32; j += 8) store<u64>(T + j, load<u64>(T + j) ^ load<u64>(U + j));
    }
    const take = dkLen - done < 32 ? dkLen - done : 32;
    memory.copy(out + done, T, take);
    done += take; block++;
  }
  memory.fill(KEYED, 0, <i32>HMAC_CTX_BYTES); memory.fill(CTX, 0, <i32>HMAC_CTX_BYTES);
  memory.fill(U, 0, 32); memory.fill(T, 0, 32);
  return OK;
}
