/**
 * The byte formats the glasses produce and the wallet checks. Every function here is the reference for
 * the firmware (README.md, "Wire format"): base64url, COSE_Key, authenticatorData, clientDataJSON,
 * challenge layout and the ES256 DER signature.
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { cborDecode, cborEncode } from './cbor.js';
import { COSE_ALG_ES256 } from './config.js';

// ---------------------------------------------------------------- base64url (RFC 4648 §5, no padding)

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

export function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Strict decode: alphabet A–Z a–z 0–9 - _, no padding, no whitespace, canonical (re-encodes to itself). */
export function fromB64u(s: string): Uint8Array | null {
  if (typeof s !== 'string' || !B64URL_RE.test(s) || s.length % 4 === 1) return null;
  const b = Buffer.from(s, 'base64url');
  if (b.toString('base64url') !== s) return null; // non-zero pad bits
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function isB64u(s: unknown): s is string {
  return typeof s === 'string' && fromB64u(s) !== null;
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

// ---------------------------------------------------------------- COSE_Key (RFC 9053 EC2, P-256, ES256)

/** {1:2, 3:-7, -1:1, -2:x(32), -3:y(32)} in that (CTAP2 canonical) order: 77 bytes, starts a5 01 02 03 26 20 01. */
export function encodeCoseKeyP256(x: Uint8Array, y: Uint8Array): Uint8Array<ArrayBuffer> {
  if (x.length !== 32 || y.length !== 32) throw new RangeError('P-256 coordinates are 32 bytes');
  return cborEncode(new Map<number, number | Uint8Array>([[1, 2], [3, COSE_ALG_ES256], [-1, 1], [-2, x], [-3, y]]));
}

export interface P256Point { x: Uint8Array; y: Uint8Array }

/** Parses an EC2 P-256 ES256 COSE_Key; returns null when it is anything else. */
export function decodeCoseKeyP256(cose: Uint8Array): P256Point | null {
  try {
    const { value } = cborDecode(cose);
    if (!(value instanceof Map)) return null;
    for (const k of value.keys()) if (![1, 3, -1, -2, -3].includes(k as number)) return null;
    const x = value.get(-2);
    const y = value.get(-3);
    if (value.get(1) !== 2 || value.get(3) !== COSE_ALG_ES256 || value.get(-1) !== 1) return null;
    if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) return null;
    return { x, y };
  } catch {
    return null;
  }
}

/** node:crypto key object for a P-256 point (throws if the point is not on the curve). */
export function p256KeyObject(pt: P256Point): KeyObject {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(pt.x), y: b64u(pt.y) }, format: 'jwk' });
}

// ---------------------------------------------------------------- authenticatorData

export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_BE = 0x08;
export const FLAG_BS = 0x10;
export const FLAG_AT = 0x40;
export const FLAG_ED = 0x80;

export interface AttestedCredentialData { aaguid: Uint8Array; credentialId: Uint8Array; publicKey: Uint8Array }

/** rpIdHash[32] | flags[1] | signCount[4, big-endian] [| aaguid[16] | credIdLen[2, BE] | credId | COSE_Key] */
export function buildAuthenticatorData(rpId: string, flags: number, signCount: number, attested?: AttestedCredentialData): Uint8Array {
  if (!Number.isInteger(signCount) || signCount < 0 || signCount > 0xffffffff) throw new RangeError('signCount is u32');
  const head = new Uint8Array(37);
  head.set(sha256(rpId), 0);
  head[32] = flags & 0xff;
  new DataView(head.buffer).setUint32(33, signCount >>> 0, false);
  if (!attested) return head;
  if (attested.aaguid.length !== 16) throw new RangeError('aaguid is 16 bytes');
  const len = new Uint8Array(2);
  new DataView(len.buffer).setUint16(0, attested.credentialId.length, false);
  return concat(head, attested.aaguid, len, attested.credentialId, attested.publicKey);
}

export interface ParsedAuthData {
  rpIdHash: Uint8Array;
  flags: number;
  up: boolean;
  uv: boolean;
  signCount: number;
  attested?: AttestedCredentialData;
  extensions?: Uint8Array;
}

/** Strict parse: exactly the bytes described by the flags (AT → attested credential data, ED → one CBOR map). */
export function parseAuthenticatorData(a: Uint8Array): ParsedAuthData | null {
  if (a.length < 37) return null;
  const flags = a[32];
  const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const out: ParsedAuthData = {
    rpIdHash: a.slice(0, 32), flags, up: (flags & FLAG_UP) !== 0, uv: (flags & FLAG_UV) !== 0, signCount: dv.getUint32(33, false),
  };
  let p = 37;
  try {
    if (flags & FLAG_AT) {
      if (p + 18 > a.length) return null;
      const aaguid = a.slice(p, p + 16);
      const n = dv.getUint16(p + 16, false);
      p += 18;
      if (n === 0 || p + n > a.length) return null;
      const credentialId = a.slice(p, p + n);
      p += n;
      const { end } = cborDecode(a.subarray(p), { allowTrailing: true });
      out.attested = { aaguid, credentialId, publicKey: a.slice(p, p + end) };
      p += end;
    }
    if (flags & FLAG_ED) {
      const { value, end } = cborDecode(a.subarray(p), { allowTrailing: true });
      if (!(value instanceof Map)) return null;
      out.extensions = a.slice(p, p + end);
      p += end;
    }
  } catch {
    return null;
  }
  return p === a.length ? out : null;
}

// ---------------------------------------------------------------- challenge

/** challenge bytes = wallet nonce (>= 16 bytes) || SHA-256(QR payload) (32 bytes); sent base64url. */
export function makeChallenge(nonce: Uint8Array, qrHash: Uint8Array): string {
  if (nonce.length < 16) throw new RangeError('wallet nonce must be at least 16 bytes');
  if (qrHash.length !== 32) throw new RangeError('qrHash is a SHA-256 digest');
  return b64u(concat(nonce, qrHash));
}

/** The last 32 bytes of a challenge: the glasses compare them with SHA-256 of the QR payload they scanned. */
export function challengeQrHash(challenge: string): Uint8Array | null {
  const b = fromB64u(challenge);
  return b && b.length >= 48 ? b.slice(b.length - 32) : null;
}

// ---------------------------------------------------------------- clientDataJSON (SPC "payment.get")

export interface PaymentCurrencyAmount { currency: string; value: string }
export interface PaymentInstrument { displayName: string; icon?: string }
export interface SpcPayment {
  rpId: string;
  topOrigin: string;
  payeeName?: string;
  payeeOrigin?: string;
  total: PaymentCurrencyAmount;
  instrument?: PaymentInstrument;
}

/**
 * The reference serialisation of the signed clientDataJSON, with the member order the firmware uses:
 * {"type","challenge","origin","payment":{"rpId","topOrigin","payeeName"|"payeeOrigin","total":{"currency","value"},
 * "instrument":{"displayName","icon"}}}. No whitespace; strings escaped as JSON.stringify does (", \ and
 * control characters escaped, other Unicode as raw UTF-8). The wallet parses the JSON, so key order is not
 * a verification rule, but the signature is over these exact bytes.
 */
export function paymentClientDataJSON(challenge: string, origin: string, payment: SpcPayment, type = 'payment.get'): string {
  const pm: Record<string, unknown> = { rpId: payment.rpId, topOrigin: payment.topOrigin };
  if (payment.payeeName !== undefined) pm.payeeName = payment.payeeName;
  if (payment.payeeOrigin !== undefined) pm.payeeOrigin = payment.payeeOrigin;
  pm.total = { currency: payment.total.currency, value: payment.total.value };
  if (payment.instrument !== undefined) {
    const ins: Record<string, unknown> = { displayName: payment.instrument.displayName };
    if (payment.instrument.icon !== undefined) ins.icon = payment.instrument.icon;
    pm.instrument = ins;
  }
  return JSON.stringify({ type, challenge, origin, payment: pm });
}

/** Registration clientDataJSON: {"type":"webauthn.create","challenge","origin"}. */
export function registrationClientDataJSON(challenge: string, origin: string): string {
  return JSON.stringify({ type: 'webauthn.create', challenge, origin });
}

// ---------------------------------------------------------------- ES256 signatures

/** ASN.1 DER Ecdsa-Sig-Value from raw r||s (64 bytes): minimal INTEGERs, 0x00 prefix when the top bit is set. */
export function rawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length !== 64) throw new RangeError('raw P-256 signature is 64 bytes');
  const int = (b: Uint8Array): number[] => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = Array.from(b.subarray(i));
    if (v[0] & 0x80) v.unshift(0);
    return [0x02, v.length, ...v];
  };
  const body = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** Order n of the P-256 group (FIPS 186-4 D.1.2.3). */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * s of a DER Ecdsa-Sig-Value (SEQUENCE { INTEGER r, INTEGER s }), or null when the bytes are not that shape.
 * Only the short-form lengths a P-256 signature uses are read.
 */
export function derSignatureS(der: Uint8Array): bigint | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || der[2] !== 0x02) return null;
  const rLen = der[3];
  const sAt = 4 + rLen;
  if (sAt + 2 > der.length || der[sAt] !== 0x02 || sAt + 2 + der[sAt + 1] !== der.length) return null;
  const sBytes = der.subarray(sAt + 2);
  if (sBytes.length === 0) return null;
  return BigInt('0x' + Buffer.from(sBytes).toString('hex'));
}

/** True when s > (n-1)/2: the "high-S" twin of a signature; the low-S form (n - s) verifies the same. */
export function isHighS(s: bigint): boolean {
  return s > (P256_N - 1n) / 2n;
}

/** True iff sig (DER) is a valid ES256 signature by the COSE key over authData || SHA-256(clientDataJSON). */
export function verifyAssertionSignature(coseKey: Uint8Array, authData: Uint8Array, clientDataJSON: Uint8Array, derSig: Uint8Array): boolean {
  const pt = decodeCoseKeyP256(coseKey);
  if (!pt) return false;
  try {
    const key = p256KeyObject(pt);
    return cryptoVerify('sha256', concat(authData, sha256(clientDataJSON)), { key, dsaEncoding: 'der' }, derSig);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- agent mandates (AP2 open payment mandates)

/** The fields of an open mandate, in canonical key order. Amounts are decimal strings with the currency's exponent. */
export interface MandateFields {
  v: 1;
  id: string;          // 16 lowercase hex
  agent: string;       // 130 lowercase hex: uncompressed P-256 point 04||x||y
  currency: string;
  perPayment: string;
  budget: string;
  payees: string[];
  expires: number;     // ms since epoch
}

/** Canonical mandate text (what the glasses sign): JSON, no whitespace, keys v,id,agent,currency,perPayment,budget,payees,expires. */
export function mandateCanonical(m: MandateFields): string {
  return JSON.stringify({
    v: m.v, id: m.id, agent: m.agent, currency: m.currency, perPayment: m.perPayment, budget: m.budget,
    payees: [...m.payees], expires: m.expires,
  });
}

export interface AgentRequestFields { mandate: string; seq: number; payee: string; amount: string; currency: string }

/** Canonical agent request text (what the agent signs): {"mandate","seq","payee","amount","currency"}. */
export function agentRequestCanonical(r: AgentRequestFields): string {
  return JSON.stringify({ mandate: r.mandate, seq: r.seq, payee: r.payee, amount: r.amount, currency: r.currency });
}

/** node:crypto key for an uncompressed SEC1 P-256 point given as 130 lowercase hex chars; null if malformed or off the curve. */
export function p256FromHex(hex: string): KeyObject | null {
  if (typeof hex !== 'string' || !/^04[0-9a-f]{128}$/.test(hex)) return null;
  const b = Buffer.from(hex, 'hex');
  try {
    return p256KeyObject({ x: b.subarray(1, 33), y: b.subarray(33, 65) });
  } catch {
    return null;
  }
}

/** ES256 (ECDSA P-256, digest SHA-256(message)) verification; sig is DER or raw r||s (64 bytes, 'ieee-p1363'). */
export function verifyEs256(key: KeyObject, message: Uint8Array, sig: Uint8Array, encoding: 'der' | 'ieee-p1363'): boolean {
  if (encoding === 'ieee-p1363' && sig.length !== 64) return false;
  try {
    return cryptoVerify('sha256', message, { key, dsaEncoding: encoding }, sig);
  } catch {
    return false;
  }
}

/**
 * Exact decimal ↔ integer minor units. toMinor("25.00", 2) = 2500n; null unless the string has exactly
 * `exponent` decimals (none for exponent 0), no sign, no exponent, no leading zeros.
 */
export function decimalToMinor(value: string, exponent: number): bigint | null {
  const re = exponent === 0 ? /^(0|[1-9][0-9]*)$/ : new RegExp(`^(0|[1-9][0-9]*)\\.[0-9]{${exponent}}$`);
  if (typeof value !== 'string' || value.length > 24 || !re.test(value)) return null;
  return BigInt(value.replace('.', ''));
}

export function minorToDecimal(minor: bigint, exponent: number): string {
  if (minor < 0n) throw new RangeError('negative amount');
  if (exponent === 0) return minor.toString();
  const s = minor.toString().padStart(exponent + 1, '0');
  return `${s.slice(0, -exponent)}.${s.slice(-exponent)}`;
}
