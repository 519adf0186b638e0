// clientDataJSON for what the glasses sign (WebAuthn §5.8.1, SPC's payment.get). Every byte comes from the
// firmware's one escaping JSON writer (io/json.ts): no caller's text is pasted into the JSON, so a challenge
// or payee cannot close a string and add keys (a "last key wins" parser would read them as the real ones).
// Challenges are also checked before anything is signed: canonical base64url (RFC 4648 §5, no padding, zero
// trailing bits) of a bounded number of bytes.
import { Json } from "../io/json";

export const RP_ID = "glasses.local";
export const ORIGIN = "https://glasses.local";
export const INSTRUMENT_NAME = "Glasses wallet";
export const INSTRUMENT_ICON = "https://glasses.local/icon.png";

/** A registration challenge from the phone: 16–64 bytes (WebAuthn asks for at least 16). */
export const REG_CHALLENGE_MIN: i32 = 16;
export const REG_CHALLENGE_MAX: i32 = 64;
/** A payment challenge: the wallet's nonce (16–64 bytes) followed by SHA-256 of the scanned payload. */
export const PAY_CHALLENGE_MIN: i32 = 16 + 32;
export const PAY_CHALLENGE_MAX: i32 = 64 + 32;

function b64urlValue(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 45) return 62;
  if (c == 95) return 63;
  return -1;
}

/**
 * The number of bytes `text` decodes to when it is canonical unpadded base64url, else -1. Canonical: only the
 * URL-safe alphabet, no '=', a length that is not 1 mod 4, and unused trailing bits zero (one encoding per value).
 */
export function base64urlDecodedLength(text: string): i32 {
  const n = text.length;
  if (n == 0 || (n & 3) == 1) return -1;
  for (let i = 0; i < n; i++) if (b64urlValue(text.charCodeAt(i)) < 0) return -1;
  const last = b64urlValue(text.charCodeAt(n - 1));
  if ((n & 3) == 2 && (last & 15) != 0) return -1;
  if ((n & 3) == 3 && (last & 3) != 0) return -1;
  return (n >> 2) * 3 + ((n & 3) == 0 ? 0 : (n & 3) - 1);
}

/** True when `text` is canonical base64url of minBytes..maxBytes bytes. */
export function challengeValid(text: string, minBytes: i32, maxBytes: i32): bool {
  if (text.length > ((maxBytes + 2) / 3) * 4) return false;
  const n = base64urlDecodedLength(text);
  return n >= minBytes && n <= maxBytes;
}

/** SPC payment.get client data binding challenge, payee, total and currency. */
export function paymentClientData(challenge: string, payee: string, value: string, currency: string): string {
  const total = new Json().str("currency", currency).str("value", value).toString();
  const instrument = new Json().str("displayName", INSTRUMENT_NAME).str("icon", INSTRUMENT_ICON).toString();
  const payment = new Json().str("rpId", RP_ID).str("topOrigin", ORIGIN).str("payeeName", payee)
    .raw("total", total).raw("instrument", instrument).toString();
  return new Json().str("type", "payment.get").str("challenge", challenge).str("origin", ORIGIN)
    .raw("payment", payment).toString();
}

/** webauthn.create client data for pairing. */
export function registrationClientData(challenge: string): string {
  return new Json().str("type", "webauthn.create").str("challenge", challenge).str("origin", ORIGIN).toString();
}
