// The device identity: a P-256 key made on first boot, a random credential id, and the WebAuthn
// signature counter. The key never leaves the firmware; only its public half and the COSE_Key are exported.
// The counter is persisted before any signature that uses it leaves the device, so a crash can lose a
// signature but never reuse a count.
import { OK, E_BAD_KEY, E_CRYPTO } from "../errors";
import { randomBytes } from "../crypto/drbg";
import { publicFromPrivate } from "../crypto/ecdsa";
import { coseKeyFromSec1, COSE_KEY_BYTES } from "../crypto/cose";
import { stateGet, stateSet, stateClear } from "../state/blob";
import { SECTION_IDENTITY, SECTION_COUNTER } from "./sections";

export const CRED_ID_BYTES: i32 = 16;

const key: usize = memory.data(32, 16);
const credId: usize = memory.data(CRED_ID_BYTES, 16);
const pub: usize = memory.data(65, 16);
const cose: usize = memory.data(COSE_KEY_BYTES, 16);
const rec: usize = memory.data(32 + CRED_ID_BYTES, 16);
let ready: bool = false;
let counter: u32 = 0;

/** Loads the identity from the state, or makes a new one (first boot). Returns OK or a crypto status. */
export function identityEnsure(): i32 {
  if (stateGet(SECTION_IDENTITY, rec, 32 + CRED_ID_BYTES) == 32 + CRED_ID_BYTES) {
    memory.copy(key, rec, 32);
    memory.copy(credId, rec + 32, CRED_ID_BYTES);
    if (publicFromPrivate(pub, key) != OK) return E_BAD_KEY;
  } else {
    // A random scalar is out of range with probability ~2^-32; draw again in that case.
    let tries = 0;
    do {
      if (randomBytes(key, 32) != OK) return E_CRYPTO;
      tries++;
    } while (publicFromPrivate(pub, key) != OK && tries < 8);
    if (tries >= 8) return E_CRYPTO;
    if (randomBytes(credId, CRED_ID_BYTES) != OK) return E_CRYPTO;
    memory.copy(rec, key, 32);
    memory.copy(rec + 32, credId, CRED_ID_BYTES);
    stateSet(SECTION_IDENTITY, rec, 32 + CRED_ID_BYTES);
    memory.fill(rec, 0, 32);
  }
  const c = new Uint8Array(4);
  counter = stateGet(SECTION_COUNTER, c.dataStart, 4) == 4 ? load<u32>(c.dataStart) : 0;
  coseKeyFromSec1(cose, pub, 65);
  ready = true;
  return OK;
}

export function identityReady(): bool { return ready; }
export function devicePrivateKey(): usize { return key; }
export function devicePublicKey(): usize { return pub; }
export function credentialId(): usize { return credId; }
export function coseKey(): usize { return cose; }
export function signCount(): u32 { return counter; }

/** Advances the counter in the live state and returns the new value; the caller saves the state. */
export function nextSignCount(): u32 {
  counter++;
  const c = new Uint8Array(4);
  store<u32>(c.dataStart, counter);
  stateSet(SECTION_COUNTER, c.dataStart, 4);
  return counter;
}

/**
 * Forgets everything the glasses hold for their owner (unpairing, or the wallet disabled them): every
 * state section (keys, counter, voice profile, mandates, receipts, policy, pairing) is cleared and a new
 * identity is made, so nothing signed before can be linked to what is signed after.
 */
export function identityWipe(): i32 {
  memory.fill(key, 0, 32);
  stateClear();
  ready = false;
  counter = 0;
  return identityEnsure();
}
