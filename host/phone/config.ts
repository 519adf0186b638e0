/**
 * Phone-wallet constants: the one place the relying-party identity and the wallet policy defaults live.
 * The firmware must use exactly these rpId / origin strings (see README.md, "Wire format").
 */
import { join, resolve } from 'node:path';

/** WebAuthn RP ID. authenticatorData starts with SHA-256 of these UTF-8 bytes. */
export const RP_ID = 'glasses.local';
/** clientDataJSON.origin and clientDataJSON.payment.topOrigin. Compared as exact strings. */
export const ORIGIN = 'https://glasses.local';

/** clientDataJSON.type of a payment assertion (W3C Secure Payment Confirmation). */
export const PAYMENT_TYPE = 'payment.get';
/** clientDataJSON.type of a registration (WebAuthn create). */
export const REGISTRATION_TYPE = 'webauthn.create';

/** COSE algorithm accepted for device credentials: ES256 (ECDSA P-256 SHA-256). */
export const COSE_ALG_ES256 = -7;

/** Random wallet-nonce bytes at the front of every payment challenge (>= 16). */
export const NONCE_BYTES = 16;
/** Lifetime of a pending payment order and of a registration challenge, in milliseconds. */
export const ORDER_TTL_MS = 120_000;
export const REGISTRATION_TTL_MS = 300_000;

/** Accept attestation fmt "none" (no proof of key possession at registration; trust comes from pairing). */
export const ALLOW_NONE_ATTESTATION = true;

/**
 * Quick-pay limits per ISO 4217 alpha currency, as decimal strings. A payment whose amount is strictly
 * above the limit requires user verification (flags.UV = 1, the voice check). A currency that is not
 * listed has no quick-pay allowance: every payment in it requires UV.
 */
export const QUICK_PAY_LIMITS: Readonly<Record<string, string>> = Object.freeze({
  HKD: '200.00',
  CNY: '200.00',
  USD: '25.00',
  EUR: '25.00',
  GBP: '20.00',
  SGD: '30.00',
  THB: '1000.00',
  INR: '2000.00',
  JPY: '3000',
});

/** Default data directory and database file (override with GLASSES_DATA_DIR / GLASSES_WALLET_DB). */
export function defaultDataDir(): string {
  return resolve(process.env.GLASSES_DATA_DIR ?? join(process.cwd(), 'data'));
}
export function defaultDbPath(): string {
  return resolve(process.env.GLASSES_WALLET_DB ?? join(defaultDataDir(), 'wallet.sqlite'));
}

/** Loopback server bounds. */
export const SERVER_HOST = '127.0.0.1';
export const SERVER_MAX_LINE_BYTES = 64 * 1024;
export const SERVER_IDLE_TIMEOUT_MS = 30_000;
export const SERVER_REQUEST_TIMEOUT_MS = 10_000;
export const SERVER_MAX_CONNECTIONS = 8;
