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

/**
 * ISO 4217 minor-unit exponents (same list as the firmware's currency table): an agent mandate's amounts
 * must carry exactly this many decimals ("50.00" HKD, "3000" JPY, "1.500" KWD).
 */
const CURRENCY_TABLE =
  'AED2 AFN2 ALL2 AMD2 AOA2 ARS2 AUD2 AWG2 AZN2 BAM2 BBD2 BDT2 BGN2 BHD3 BIF0 BMD2 BND2 BOB2 BOV2 BRL2 ' +
  'BSD2 BTN2 BWP2 BYN2 BZD2 CAD2 CDF2 CHE2 CHF2 CHW2 CLF4 CLP0 CNY2 COP2 COU2 CRC2 CUP2 CVE2 CZK2 DJF0 ' +
  'DKK2 DOP2 DZD2 EGP2 ERN2 ETB2 EUR2 FJD2 FKP2 GBP2 GEL2 GHS2 GIP2 GMD2 GNF0 GTQ2 GYD2 HKD2 HNL2 HTG2 ' +
  'HUF2 IDR2 ILS2 INR2 IQD3 IRR2 ISK0 JMD2 JOD3 JPY0 KES2 KGS2 KHR2 KMF0 KPW2 KRW0 KWD3 KYD2 KZT2 LAK2 ' +
  'LBP2 LKR2 LRD2 LSL2 LYD3 MAD2 MDL2 MGA2 MKD2 MMK2 MNT2 MOP2 MRU2 MUR2 MVR2 MWK2 MXN2 MXV2 MYR2 MZN2 ' +
  'NAD2 NGN2 NIO2 NOK2 NPR2 NZD2 OMR3 PAB2 PEN2 PGK2 PHP2 PKR2 PLN2 PYG0 QAR2 RON2 RSD2 RUB2 RWF0 SAR2 ' +
  'SBD2 SCR2 SDG2 SEK2 SGD2 SHP2 SLE2 SOS2 SRD2 SSP2 STN2 SVC2 SYP2 SZL2 THB2 TJS2 TMT2 TND3 TOP2 TRY2 ' +
  'TTD2 TWD2 TZS2 UAH2 UGX0 USD2 USN2 UYI0 UYU2 UYW4 UZS2 VED2 VES2 VND0 VUV0 WST2 XAF0 XCD2 XCG2 XOF0 ' +
  'XPF0 YER2 ZAR2 ZMW2 ZWG2';
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(CURRENCY_TABLE.split(' ').map((r) => [r.slice(0, 3), Number(r[3])])),
);

/** Agent mandates (AP2 open payment mandates): size bounds of what the glasses send. */
export const MANDATE_MAX_TEXT_BYTES = 4096;
export const MANDATE_MAX_PAYEES = 32;
export const AGENT_REQUEST_MAX_BYTES = 1024;
