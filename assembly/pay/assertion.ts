// What the glasses sign: a WebAuthn assertion shaped as Secure Payment Confirmation (design.md §4,
// host/phone/README.md for the wallet's side).
//   authenticatorData = SHA-256(rpId) | flags (UP 0x01 spoken yes, UV 0x04 voice verified) | signCount BE32
//   clientDataJSON    = {"type":"payment.get","challenge":b64url(nonce ‖ SHA-256(QR payload)),"origin":ORIGIN,
//                        "payment":{"rpId":RP_ID,"topOrigin":ORIGIN,"payeeName":..,"total":{"currency":..,"value":..},
//                        "instrument":{"displayName":..,"icon":..}}}
//   signature         = ES256 over authenticatorData ‖ SHA-256(clientDataJSON), DER
// Registration: authenticatorData with AT (attested credential data) and a "packed" self attestation.
import { OK, E_FORMAT } from "../errors";
import { sha256 } from "../crypto/sha256";
import { deviceSignDigest } from "../crypto/ecdsa";
import { derEncodeSig } from "../crypto/der";
import { COSE_KEY_BYTES } from "../crypto/cose";
import { paymentClientData, registrationClientData, challengeValid, REG_CHALLENGE_MIN, REG_CHALLENGE_MAX,
  PAY_CHALLENGE_MIN, PAY_CHALLENGE_MAX } from "./client_data";
import { devicePrivateKey, credentialId, coseKey, CRED_ID_BYTES } from "./identity";

export { RP_ID, ORIGIN, INSTRUMENT_NAME, INSTRUMENT_ICON, paymentClientData } from "./client_data";
import { RP_ID } from "./client_data";

export const FLAG_UP: u8 = 0x01;
export const FLAG_UV: u8 = 0x04;
export const FLAG_AT: u8 = 0x40;

export const AUTH_DATA_BYTES: i32 = 37;
export const REG_AUTH_DATA_BYTES: i32 = 37 + 16 + 2 + CRED_ID_BYTES + COSE_KEY_BYTES;

const digest: usize = memory.data(32, 16);
const signed: usize = memory.data(REG_AUTH_DATA_BYTES + 32, 16);
const rs: usize = memory.data(64, 16);

export class Signed {
  authenticatorData: Uint8Array = new Uint8Array(0);
  clientDataJSON: string = "";
  signature: Uint8Array = new Uint8Array(0);  // DER
  status: i32 = OK;
}

function rpIdHash(out: usize): void {
  const rp = String.UTF8.encode(RP_ID);
  sha256(out, changetype<usize>(rp), <usize>rp.byteLength);
}

function signOver(out: Signed, authLen: i32, clientData: string): Signed {
  const cd = String.UTF8.encode(clientData);
  sha256(signed + authLen, changetype<usize>(cd), <usize>cd.byteLength);
  sha256(digest, signed, <usize>(authLen + 32));
  out.status = deviceSignDigest(rs, devicePrivateKey(), digest);
  if (out.status != OK) return out;
  const der = new Uint8Array(72);
  const n = derEncodeSig(der.dataStart, rs);
  out.signature = der.slice(0, n);
  out.authenticatorData = new Uint8Array(authLen);
  memory.copy(out.authenticatorData.dataStart, signed, authLen);
  out.clientDataJSON = clientData;
  memory.fill(rs, 0, 64);
  return out;
}

function refused(): Signed { const s = new Signed(); s.status = E_FORMAT; return s; }

/** Signs a payment assertion with the given flags and counter (E_FORMAT for a malformed challenge). */
export function signPayment(challenge: string, payee: string, value: string, currency: string, flags: u8, count: u32): Signed {
  if (!challengeValid(challenge, PAY_CHALLENGE_MIN, PAY_CHALLENGE_MAX)) return refused();
  rpIdHash(signed);
  store<u8>(signed + 32, flags);
  store<u32>(signed + 33, bswap<u32>(count));
  return signOver(new Signed(), AUTH_DATA_BYTES, paymentClientData(challenge, payee, value, currency));
}

/** Signs a registration (self attestation, fmt "packed"): the authData carries the credential and COSE_Key. */
export function signRegistration(challenge: string): Signed {
  if (!challengeValid(challenge, REG_CHALLENGE_MIN, REG_CHALLENGE_MAX)) return refused();
  rpIdHash(signed);
  store<u8>(signed + 32, FLAG_UP | FLAG_AT);
  store<u32>(signed + 33, 0);
  memory.fill(signed + 37, 0, 16);                       // aaguid: zeros (self attestation)
  store<u8>(signed + 53, <u8>(CRED_ID_BYTES >> 8));
  store<u8>(signed + 54, <u8>(CRED_ID_BYTES & 0xff));
  memory.copy(signed + 55, credentialId(), CRED_ID_BYTES);
  memory.copy(signed + 55 + CRED_ID_BYTES, coseKey(), COSE_KEY_BYTES);
  return signOver(new Signed(), REG_AUTH_DATA_BYTES, registrationClientData(challenge));
}

/** The device's DER signature over SHA-256(text) (an agent mandate); empty on failure. */
export function signMandate(text: string): Uint8Array {
  const t = String.UTF8.encode(text);
  sha256(digest, changetype<usize>(t), <usize>t.byteLength);
  if (deviceSignDigest(rs, devicePrivateKey(), digest) != OK) return new Uint8Array(0);
  const der = new Uint8Array(72);
  const n = derEncodeSig(der.dataStart, rs);
  memory.fill(rs, 0, 64);
  return der.slice(0, n);
}
