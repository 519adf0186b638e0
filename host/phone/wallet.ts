/**
 * The reference phone wallet: registers the glasses' credential, issues payment challenges, verifies the
 * glasses' SPC-shaped WebAuthn assertions and keeps bills in SQLite. Transport-neutral: server.ts puts it
 * on a loopback socket; the BLE link will call the same four methods.
 *
 *   register(reg)                  RegistrationResponseJSON (fmt "packed" self attestation or "none")
 *   createOrder(order)             → { orderId, challenge, expiresAt, userVerificationRequired, payment }
 *   verifyPayment(orderId, a)      AuthenticationResponseJSON → { ok, bill? , reason?, detail? }
 *   recent(n)                      last n bills, newest first, each with its credential's status today
 *   order(orderId)                 one order as the phone's confirmation dialog shows it (the ID the assertion names)
 *   disableDevice(credId)          the owner lost these glasses: refuse their payments (the link then tells them to wipe)
 *   isDisabled(credId)             … asked by the link on every contact
 *   credentials()                  every paired credential with its status (active / cloned / disabled)
 *   registerMandate(credId, text, sig)   an agent mandate the glasses signed → { ok, id?, reason? }
 *   createAgentOrder(req)          an agent's signed request inside a mandate → { ok, ...OrderCreated } or { ok: false, reason }
 *   mandates(credId)               the mandates of one credential, newest first
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { cborDecode } from './cbor.js';
import {
  AGENT_REQUEST_MAX_BYTES, ALLOW_NONE_ATTESTATION, COSE_ALG_ES256, CURRENCY_EXPONENTS, MANDATE_MAX_PAYEES,
  MANDATE_MAX_TEXT_BYTES, NONCE_BYTES, ORDER_TTL_MS, ORIGIN, PAYMENT_TYPE, QUICK_PAY_LIMITS,
  REGISTRATION_TTL_MS, REGISTRATION_TYPE, RP_ID, defaultDbPath,
} from './config.js';
import {
  WalletStore, credentialStatus, type BillRow, type CredentialRow, type CredentialStatus, type MandateRow, type OrderRow,
} from './store.js';
import {
  FLAG_AT, FLAG_ED, agentRequestCanonical, derSignatureS, isHighS, b64u, bytesEqual, decimalToMinor, decodeCoseKeyP256, fromB64u, isB64u,
  makeChallenge, mandateCanonical, minorToDecimal, p256FromHex, p256KeyObject, parseAuthenticatorData, sha256,
  verifyAssertionSignature, verifyEs256, type MandateFields, type PaymentInstrument, type SpcPayment,
} from './wire.js';

/** Why a payment was refused. The first nine are the issue's list; the rest cover the remaining checks. */
export type PaymentRefusal =
  | 'unknown_credential' | 'bad_signature' | 'replay' | 'counter_rollback' | 'amount_mismatch'
  | 'payee_mismatch' | 'expired' | 'uv_required' | 'bad_type'
  | 'unknown_order'        // orderId was never issued (or was pruned after expiry)
  | 'malformed'            // not a well-formed assertion / clientDataJSON / authenticatorData / payment member
  | 'challenge_mismatch'   // signed challenge is not this order's (and not a paid order's: that is "replay")
  | 'origin_mismatch'      // clientDataJSON.origin or payment.topOrigin is not ORIGIN, or crossOrigin/topOrigin set
  | 'rp_mismatch'          // rpIdHash or payment.rpId is not RP_ID
  | 'up_required'          // flags.UP not set
  | 'instrument_mismatch'  // payment.instrument differs from the order's
  | 'verification_failed'  // @simplewebauthn/server refused although every local check passed (should not happen)
  | 'cloned_authenticator' // this credential's signCount once went backwards (WebAuthn §6.1.1): refused until re-pairing
  | 'device_disabled'      // the owner disabled these glasses (disableDevice): refused for good
  // agent orders only, re-checked when the payment commits (the mandate may have changed since the order):
  | 'mandate_credential_mismatch' // the assertion is not from the glasses that signed the mandate
  | 'unknown_mandate' | 'mandate_expired' | 'replayed_request' | 'over_budget';

/** Why a mandate was not registered. */
export type MandateRefusal =
  | 'malformed' | 'unknown_credential' | 'bad_signature' | 'mandate_expired' | 'already_registered'
  | 'cloned_authenticator' | 'device_disabled';

/** Why an agent's payment request is outside its mandate (the glasses then ask the wearer). */
export type AgentRefusal =
  | 'unknown_mandate' | 'bad_agent_signature' | 'mandate_expired' | 'replayed_request' | 'currency_mismatch'
  | 'payee_not_allowed' | 'over_per_payment_limit' | 'over_budget' | 'malformed'
  | 'cloned_authenticator' | 'device_disabled';   // the mandate's glasses are flagged or disabled

export type RegistrationRefusal =
  | 'malformed' | 'unknown_challenge' | 'expired' | 'already_registered' | 'bad_attestation' | 'bad_key';

export interface OrderInput {
  /** Shown to the wearer and signed. An https origin ("https://shop.example") is matched against
   *  payment.payeeOrigin; anything else against payment.payeeName. */
  payee: string;
  /** Decimal string, e.g. "25.00": digits, optional "." and digits; no sign, no exponent, no leading zeros. */
  amount: string;
  /** ISO 4217 alphabetic code, upper case. */
  currency: string;
  /** SHA-256 of the scanned QR payload, base64url (43 chars). Give this or qrPayload (or both: they must agree). */
  qrHash?: string;
  qrPayload?: string;
  /** Force user verification even under the quick-pay limit. It can only tighten the policy. */
  requireUserVerification?: boolean;
  /** If given, the assertion must carry exactly this payment.instrument; if absent, it must carry none. */
  instrument?: PaymentInstrument;
}

export interface OrderCreated {
  orderId: string;
  challenge: string;
  expiresAt: number;
  userVerificationRequired: boolean;
  /** The exact clientDataJSON.payment member the glasses must sign for this order. */
  payment: SpcPayment;
}

export interface Bill {
  id: string;
  time: number;
  orderId: string;
  payee: string;
  amount: string;
  currency: string;
  credentialId: string;
  signCount: number;
  userVerified: boolean;
  status: string;
  qrHash: string;
  /** The agent mandate this payment ran under; null when the wearer approved it. */
  mandateId: string | null;
  /** The paying credential's status now: "cloned" or "disabled" tells the owner to look at this bill again. */
  credentialStatus: CredentialStatus;
}

/** A paired credential as the owner's credential list shows it. */
export interface CredentialInfo {
  id: string;
  status: CredentialStatus;
  signCount: number;
  fmt: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** When the counter went backwards, and how ("signed 9, stored 10"). */
  clonedAt: number | null;
  clonedDetail: string | null;
  disabledAt: number | null;
}

/** One order as the phone's confirmation dialog shows it. */
export interface OrderView {
  orderId: string;
  payee: string;
  amount: string;
  currency: string;
  status: 'pending' | 'paid';
  expiresAt: number;
  mandateId: string | null;
}

/** A registered agent mandate (what the HUD lists). Amounts are decimal strings with the currency's exponent. */
export interface Mandate {
  id: string;
  credentialId: string;
  agent: string;
  currency: string;
  perPayment: string;
  budget: string;
  spent: string;
  remaining: string;
  payees: string[];
  expires: number;
  lastSeq: number;
  created: number;
}

export interface MandateResult { ok: boolean; id?: string; mandate?: Mandate; reason?: MandateRefusal; detail?: string }

/** An agent's payment request as the glasses forward it (PAY_REQUEST keys 2–5 and 7–9). */
export interface AgentOrderInput {
  /** The agent's canonical request text: {"mandate","seq","payee","amount","currency"} (UTF-8 bytes or string). */
  payload: Uint8Array | string;
  payee: string;
  amount: string;
  currency: string;
  mandateId: string;
  seq: number;
  /** ES256 by the agent key over the payload, raw r||s (64 bytes). */
  agentSignature: Uint8Array;
  instrument?: PaymentInstrument;
}

export type AgentOrderResult = ({ ok: true } & OrderCreated) | { ok: false; reason: AgentRefusal; detail?: string };

export interface PaymentResult { ok: boolean; bill?: Bill; reason?: PaymentRefusal; detail?: string }
export interface RegistrationResult { ok: boolean; credentialId?: string; fmt?: string; reason?: RegistrationRefusal; detail?: string }

export interface WalletOptions {
  /** SQLite file; default config.defaultDbPath() (data/wallet.sqlite under the working directory). */
  dbPath?: string;
  /** Clock in ms since the epoch (tests inject one). */
  now?: () => number;
  /** Randomness for challenges and nonces (default node:crypto randomBytes; tests inject fixed bytes). */
  random?: (n: number) => Uint8Array;
  orderTtlMs?: number;
  registrationTtlMs?: number;
  quickPayLimits?: Readonly<Record<string, string>>;
  allowNoneAttestation?: boolean;
  /**
   * Refuse high-S signatures (s > (n-1)/2) as bad_signature. Default false: WebAuthn verifiers accept both forms
   * and so does this wallet; the firmware always signs low-S (assembly/crypto/ecdsa.ts), so a wallet paired only
   * with this firmware may turn it on to refuse malleated twins of its signatures.
   */
  requireLowS?: boolean;
}

const AMOUNT_RE = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const CURRENCY_RE = /^[A-Z]{3}$/;
const ORIGIN_RE = /^https:\/\/[^/?#\s]+$/;

/** Compares two non-negative decimal strings exactly (no floating point). */
export function compareDecimal(a: string, b: string): number {
  const [ai, af = ''] = a.split('.');
  const [bi, bf = ''] = b.split('.');
  const w = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(w, '0'));
  const y = BigInt(bi + bf.padEnd(w, '0'));
  return x < y ? -1 : x > y ? 1 : 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkInstrument(i: unknown): PaymentInstrument | undefined {
  if (i === undefined) return undefined;
  if (!isPlainObject(i) || typeof i.displayName !== 'string' || (i.icon !== undefined && typeof i.icon !== 'string')
    || Object.keys(i).some((k) => k !== 'displayName' && k !== 'icon')) {
    throw new TypeError('order.instrument: {displayName, icon?}');
  }
  return i.icon === undefined ? { displayName: i.displayName } : { displayName: i.displayName, icon: i.icon as string };
}

function refuse(reason: PaymentRefusal, detail?: string): PaymentResult {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

function billFromRow(r: BillRow): Bill {
  return {
    id: r.id, time: r.time, orderId: r.order_id, payee: r.payee, amount: r.amount, currency: r.currency,
    credentialId: r.credential_id, signCount: r.sign_count, userVerified: r.user_verified === 1, status: r.status, qrHash: r.qr_hash,
    mandateId: r.mandate_id ?? null,
    credentialStatus: r.cred_cloned_at === undefined && r.cred_disabled_at === undefined
      ? 'active' : credentialStatus({ cloned_at: r.cred_cloned_at ?? null, disabled_at: r.cred_disabled_at ?? null }),
  };
}

function credentialInfo(c: CredentialRow): CredentialInfo {
  return {
    id: c.id, status: credentialStatus(c), signCount: c.sign_count, fmt: c.fmt, createdAt: c.created_at, lastUsedAt: c.last_used_at,
    clonedAt: c.cloned_at ?? null, clonedDetail: c.cloned_detail ?? null, disabledAt: c.disabled_at ?? null,
  };
}

/** The refusal for a flagged credential, or null when it may pay. */
function flaggedRefusal(c: CredentialRow): { reason: 'device_disabled' | 'cloned_authenticator'; detail: string } | null {
  const st = credentialStatus(c);
  if (st === 'disabled') return { reason: 'device_disabled', detail: 'the owner disabled these glasses' };
  if (st === 'cloned') {
    return { reason: 'cloned_authenticator', detail: `signature counter went backwards (${c.cloned_detail ?? ''}); pair the glasses again` };
  }
  return null;
}

function mandateFromRow(r: MandateRow): Mandate {
  const e = CURRENCY_EXPONENTS[r.currency];
  const remaining = decimalToMinor(r.budget, e)! - decimalToMinor(r.spent, e)!;
  return {
    id: r.id, credentialId: r.credential_id, agent: r.agent_pub, currency: r.currency, perPayment: r.per_payment,
    budget: r.budget, spent: r.spent, remaining: minorToDecimal(remaining < 0n ? 0n : remaining, e),
    payees: JSON.parse(r.payees) as string[], expires: r.expires, lastSeq: r.last_seq, created: r.created,
  };
}

const MANDATE_KEYS = ['v', 'id', 'agent', 'currency', 'perPayment', 'budget', 'payees', 'expires'];
const REQUEST_KEYS = ['mandate', 'seq', 'payee', 'amount', 'currency'];
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
const utf8 = (b: Uint8Array): string | null => {
  try { return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b); } catch { return null; }
};
function sameKeys(o: Record<string, unknown>, keys: string[]): boolean {
  const k = Object.keys(o);
  return k.length === keys.length && k.every((x, i) => x === keys[i]);
}

/** Strict parse of a canonical mandate text; returns the fields or a reason it is malformed. */
function parseMandate(text: string): { m: MandateFields; e: number } | string {
  let o: unknown;
  try { o = JSON.parse(text); } catch { return 'not JSON'; }
  if (!isPlainObject(o) || !sameKeys(o, MANDATE_KEYS)) return `keys must be ${MANDATE_KEYS.join(',')} in this order`;
  if (o.v !== 1) return 'v must be 1';
  if (typeof o.id !== 'string' || !/^[0-9a-f]{16}$/.test(o.id)) return 'id: 16 lowercase hex';
  if (typeof o.agent !== 'string' || !/^04[0-9a-f]{128}$/.test(o.agent)) return 'agent: 130 lowercase hex, uncompressed point';
  if (!p256FromHex(o.agent)) return 'agent key is not a point on P-256';
  if (typeof o.currency !== 'string' || !CURRENCY_RE.test(o.currency)) return 'currency: ISO 4217 alpha';
  const e = CURRENCY_EXPONENTS[o.currency];
  if (e === undefined) return `unknown currency ${o.currency}`;
  for (const k of ['perPayment', 'budget'] as const) {
    const v = o[k];
    const minor = typeof v === 'string' ? decimalToMinor(v, e) : null;
    if (minor === null) return `${k}: decimal string with ${e} decimals`;
    if (minor <= 0n) return `${k} must be positive`;
  }
  const p = o.payees;
  if (!Array.isArray(p) || p.length === 0 || p.length > MANDATE_MAX_PAYEES) return `payees: 1..${MANDATE_MAX_PAYEES} names`;
  for (const n of p) if (typeof n !== 'string' || n.length === 0 || n.length > 256 || CONTROL_RE.test(n)) return 'payee names: 1..256 chars, no control characters';
  if (new Set(p).size !== p.length) return 'duplicate payee';
  if (typeof o.expires !== 'number' || !Number.isSafeInteger(o.expires) || o.expires <= 0) return 'expires: ms since epoch';
  const m = o as unknown as MandateFields;
  if (mandateCanonical(m) !== text) return 'not canonical (whitespace, escaping or number form)';
  return { m, e };
}

export class Wallet {
  readonly store: WalletStore;
  private readonly now: () => number;
  private readonly random: (n: number) => Uint8Array;
  private readonly orderTtlMs: number;
  private readonly registrationTtlMs: number;
  private readonly quickPayLimits: Readonly<Record<string, string>>;
  private readonly allowNone: boolean;
  private readonly requireLowS: boolean;
  private readonly rpIdHash = sha256(RP_ID);

  constructor(opts: WalletOptions = {}) {
    this.store = new WalletStore(opts.dbPath ?? defaultDbPath());
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
    this.orderTtlMs = opts.orderTtlMs ?? ORDER_TTL_MS;
    this.registrationTtlMs = opts.registrationTtlMs ?? REGISTRATION_TTL_MS;
    this.quickPayLimits = opts.quickPayLimits ?? QUICK_PAY_LIMITS;
    this.allowNone = opts.allowNoneAttestation ?? ALLOW_NONE_ATTESTATION;
    this.requireLowS = opts.requireLowS ?? false;
  }

  close(): void {
    this.store.close();
  }

  // ------------------------------------------------------------------------------------------ registration

  /** Step 1 of pairing: a one-time challenge the glasses put into their registration clientDataJSON. */
  beginRegistration(): { challenge: string; rpId: string; origin: string; expiresAt: number } {
    const challenge = b64u(this.random(32));
    const expiresAt = this.now() + this.registrationTtlMs;
    this.store.insertRegChallenge(challenge, expiresAt);
    return { challenge, rpId: RP_ID, origin: ORIGIN, expiresAt };
  }

  /** Step 2: verify the registration response (self "packed" or "none" attestation) and store the credential. */
  async register(reg: RegistrationResponseJSON): Promise<RegistrationResult> {
    const bad = (reason: RegistrationRefusal, detail?: string): RegistrationResult =>
      detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
    if (!isPlainObject(reg) || !isPlainObject(reg.response)) return bad('malformed', 'not a registration response');
    const { id, rawId, type, response } = reg;
    if (!isB64u(id) || id.length === 0 || rawId !== id || type !== 'public-key') return bad('malformed', 'id/rawId/type');
    if (!isB64u(response.clientDataJSON) || !isB64u(response.attestationObject)) return bad('malformed', 'clientDataJSON/attestationObject');

    let challenge: unknown;
    try {
      challenge = JSON.parse(Buffer.from(fromB64u(response.clientDataJSON)!).toString('utf8')).challenge;
    } catch {
      return bad('malformed', 'clientDataJSON is not JSON');
    }
    if (typeof challenge !== 'string') return bad('malformed', 'clientDataJSON.challenge');
    const expiresAt = this.store.takeRegChallenge(challenge); // one-shot, consumed even if the rest fails
    if (expiresAt === undefined) return bad('unknown_challenge');
    if (this.now() > expiresAt) return bad('expired');
    if (this.store.getCredential(id)) return bad('already_registered');

    // The attestation statement must be self attestation (packed, alg -7, sig, no x5c) or none.
    let fmt: string;
    try {
      const { value } = cborDecode(fromB64u(response.attestationObject)!);
      if (!(value instanceof Map)) return bad('malformed', 'attestationObject is not a map');
      const f = value.get('fmt');
      const attStmt = value.get('attStmt');
      if (typeof f !== 'string' || !(attStmt instanceof Map)) return bad('malformed', 'attestationObject fmt/attStmt');
      fmt = f;
      if (fmt === 'packed') {
        const keys = [...attStmt.keys()].sort().join(',');
        if (keys !== 'alg,sig' || attStmt.get('alg') !== COSE_ALG_ES256 || !(attStmt.get('sig') instanceof Uint8Array)) {
          return bad('bad_attestation', 'packed attestation must be self attestation: {alg: -7, sig} without x5c');
        }
      } else if (fmt === 'none') {
        if (!this.allowNone) return bad('bad_attestation', 'attestation "none" not accepted by this wallet');
        if (attStmt.size !== 0) return bad('bad_attestation', 'none attestation with a statement');
      } else {
        return bad('bad_attestation', `unsupported attestation format "${fmt}"`);
      }
    } catch (e) {
      return bad('malformed', `attestationObject: ${(e as Error).message}`);
    }

    let info;
    try {
      const v = await verifyRegistrationResponse({
        response: reg,
        expectedChallenge: challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        expectedType: REGISTRATION_TYPE,
        requireUserPresence: true,
        requireUserVerification: false,
        supportedAlgorithmIDs: [COSE_ALG_ES256],
      });
      if (!v.verified) return bad('bad_attestation', 'attestation signature did not verify');
      info = v.registrationInfo;
    } catch (e) {
      return bad('bad_attestation', (e as Error).message);
    }
    if (info.credential.id !== id) return bad('malformed', 'credential id in authenticatorData differs from response id');
    const pt = decodeCoseKeyP256(info.credential.publicKey);
    if (!pt) return bad('bad_key', 'credential public key is not an EC2 P-256 ES256 COSE_Key');
    try {
      p256KeyObject(pt);
    } catch {
      return bad('bad_key', 'public key is not a point on P-256');
    }
    try {
      this.store.insertCredential({
        id, public_key: Buffer.from(info.credential.publicKey), sign_count: info.credential.counter, fmt,
        aaguid: info.aaguid, created_at: this.now(),
      });
    } catch (e) {
      if (String((e as Error).message).includes('UNIQUE')) return bad('already_registered');
      throw e;
    }
    return { ok: true, credentialId: id, fmt };
  }

  // ------------------------------------------------------------------------------------------ orders

  /** Policy: UV is required above the currency's quick-pay limit, for unlisted currencies, or on demand. */
  userVerificationRequired(amount: string, currency: string, demanded = false): boolean {
    if (demanded) return true;
    const limit = this.quickPayLimits[currency];
    if (limit === undefined) return true;
    return compareDecimal(amount, limit) > 0;
  }

  createOrder(order: OrderInput): OrderCreated {
    if (!isPlainObject(order)) throw new TypeError('order must be an object');
    const { payee, amount, currency } = order;
    if (typeof payee !== 'string' || payee.length === 0 || payee.length > 256) throw new TypeError('order.payee: 1..256 chars');
    if (typeof amount !== 'string' || amount.length > 20 || !AMOUNT_RE.test(amount) || compareDecimal(amount, '0') <= 0) {
      throw new TypeError('order.amount: positive decimal string like "25.00"');
    }
    if (typeof currency !== 'string' || !CURRENCY_RE.test(currency)) throw new TypeError('order.currency: ISO 4217 alpha code');
    // An amount finer than the currency's minor unit ("0.001" HKD, "5.5" JPY) cannot be settled: refuse it.
    // Fewer decimals stay allowed ("25" HKD), since an EMV tag 54 may carry them and the glasses sign that text.
    const exponent = CURRENCY_EXPONENTS[currency];
    const decimals = amount.includes('.') ? amount.length - amount.indexOf('.') - 1 : 0;
    if (exponent !== undefined && decimals > exponent) {
      throw new TypeError(`order.amount: ${currency} has ${exponent} decimal${exponent === 1 ? '' : 's'}; "${amount}" is finer than its minor unit`);
    }
    let qrHash: Uint8Array | undefined;
    if (order.qrPayload !== undefined) {
      if (typeof order.qrPayload !== 'string') throw new TypeError('order.qrPayload must be a string');
      qrHash = sha256(Buffer.from(order.qrPayload, 'utf8'));
    }
    if (order.qrHash !== undefined) {
      const h = fromB64u(order.qrHash);
      if (!h || h.length !== 32) throw new TypeError('order.qrHash: base64url SHA-256 (32 bytes)');
      if (qrHash && !bytesEqual(h, qrHash)) throw new TypeError('order.qrHash does not match order.qrPayload');
      qrHash = h;
    }
    if (!qrHash) throw new TypeError('order.qrHash or order.qrPayload is required');
    const instrument = checkInstrument(order.instrument);
    const uv = this.userVerificationRequired(amount, currency, order.requireUserVerification === true);
    return this.issueOrder({ payee, amount, currency, qrHash, instrument, uv, mandateId: null, seq: null });
  }

  private issueOrder(o: {
    payee: string; amount: string; currency: string; qrHash: Uint8Array; instrument: PaymentInstrument | undefined; uv: boolean;
    mandateId: string | null; seq: number | null;
  }): OrderCreated {
    const { payee, amount, currency, qrHash, instrument, uv } = o;
    const now = this.now();
    const row: OrderRow = {
      id: randomUUID(),
      challenge: makeChallenge(this.random(Math.max(16, NONCE_BYTES)), qrHash),
      payee, amount, currency, qr_hash: b64u(qrHash),
      instrument: instrument ? JSON.stringify(instrument) : null,
      require_uv: uv ? 1 : 0, status: 'pending', created_at: now, expires_at: now + this.orderTtlMs, bill_id: null,
      mandate_id: o.mandateId, mandate_seq: o.seq,
    };
    this.store.insertOrder(row);
    return {
      orderId: row.id, challenge: row.challenge, expiresAt: row.expires_at, userVerificationRequired: uv,
      payment: this.expectedPayment(row),
    };
  }

  private expectedPayment(o: OrderRow): SpcPayment {
    // member order as the firmware serialises it: rpId, topOrigin, payeeName|payeeOrigin, total, instrument
    const p = { rpId: RP_ID, topOrigin: ORIGIN } as SpcPayment;
    if (ORIGIN_RE.test(o.payee)) p.payeeOrigin = o.payee;
    else p.payeeName = o.payee;
    p.total = { currency: o.currency, value: o.amount };
    if (o.instrument) p.instrument = JSON.parse(o.instrument) as PaymentInstrument;
    return p;
  }

  // ------------------------------------------------------------------------------------------ agent mandates

  /**
   * Registers an open mandate the glasses signed after the wearer's verified "yes" (link message MANDATE).
   * mandateText: the canonical JSON (README, "Agent mandates"); derSig: DER ES256 by the credential key,
   * digest SHA-256(mandateText bytes). Checks in order: shape → unknown_credential → bad_signature →
   * malformed (strict canonical parse, agent point on P-256) → mandate_expired → already_registered.
   */
  registerMandate(credentialId: string, mandateText: Uint8Array | string, derSig: Uint8Array | string): MandateResult {
    const bad = (reason: MandateRefusal, detail?: string): MandateResult =>
      detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
    if (!isB64u(credentialId) || credentialId.length === 0) return bad('malformed', 'credentialId must be base64url');
    const textBytes = typeof mandateText === 'string' ? new Uint8Array(Buffer.from(mandateText, 'utf8'))
      : mandateText instanceof Uint8Array ? mandateText : null;
    if (!textBytes || textBytes.length === 0 || textBytes.length > MANDATE_MAX_TEXT_BYTES) return bad('malformed', 'mandate text size');
    const sig = typeof derSig === 'string' ? fromB64u(derSig) : derSig instanceof Uint8Array ? derSig : null;
    if (!sig || sig.length < 8 || sig.length > 72) return bad('malformed', 'signature must be DER (8..72 bytes)');

    const cred = this.store.getCredential(credentialId);
    if (!cred) return bad('unknown_credential');
    const flagged = flaggedRefusal(cred);
    if (flagged) return bad(flagged.reason, flagged.detail);
    const pt = decodeCoseKeyP256(new Uint8Array(cred.public_key));
    if (!pt || !verifyEs256(p256KeyObject(pt), textBytes, sig, 'der')) return bad('bad_signature');

    const text = utf8(textBytes);
    if (text === null) return bad('malformed', 'mandate text is not UTF-8');
    const parsed = parseMandate(text);
    if (typeof parsed === 'string') return bad('malformed', parsed);
    const { m, e } = parsed;
    const now = this.now();
    if (now >= m.expires) return bad('mandate_expired');
    if (this.store.getMandate(m.id)) return bad('already_registered');
    const row: MandateRow = {
      id: m.id, credential_id: credentialId, agent_pub: m.agent, currency: m.currency, per_payment: m.perPayment,
      budget: m.budget, spent: minorToDecimal(0n, e), payees: JSON.stringify(m.payees), expires: m.expires, last_seq: 0,
      created: now, mandate_text: text, device_sig: Buffer.from(sig),
    };
    try {
      this.store.insertMandate(row);
    } catch (err) {
      if (String((err as Error).message).includes('UNIQUE')) return bad('already_registered');
      throw err;
    }
    return { ok: true, id: m.id, mandate: mandateFromRow(row) };
  }

  /** The mandates one credential registered, newest first. */
  mandates(credentialId: string): Mandate[] {
    if (typeof credentialId !== 'string') return [];
    return this.store.mandatesOf(credentialId).map(mandateFromRow);
  }

  /**
   * An agent's payment request forwarded by the glasses (PAY_REQUEST with keys 7–9). Inside its mandate it
   * becomes an agent order (challenge = nonce || SHA-256(payload), no UP/UV needed); outside, the reason.
   * Checks in order (first failure wins): shape → unknown_mandate (unknown, or its credential is gone)
   * → bad_agent_signature → malformed (payload not canonical or differs from the forwarded fields)
   * → mandate_expired → replayed_request (seq <= last_seq) → currency_mismatch → payee_not_allowed
   * → malformed (amount not in the currency's exponent) → over_per_payment_limit → over_budget.
   * Nothing is reserved here: spent and last_seq change only when the payment commits.
   */
  createAgentOrder(req: AgentOrderInput): AgentOrderResult {
    const no = (reason: AgentRefusal, detail?: string): AgentOrderResult =>
      detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
    if (!isPlainObject(req)) return no('malformed', 'request must be an object');
    const { payee, amount, currency, mandateId, seq, agentSignature } = req;
    const payload = typeof req.payload === 'string' ? new Uint8Array(Buffer.from(req.payload, 'utf8'))
      : req.payload instanceof Uint8Array ? req.payload : null;
    if (!payload || payload.length === 0 || payload.length > AGENT_REQUEST_MAX_BYTES) return no('malformed', 'payload size');
    if (typeof payee !== 'string' || typeof amount !== 'string' || typeof currency !== 'string' || typeof mandateId !== 'string') {
      return no('malformed', 'payee, amount, currency and mandate id are text');
    }
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return no('malformed', 'seq is an unsigned integer');
    if (!(agentSignature instanceof Uint8Array) || agentSignature.length !== 64) return no('malformed', 'agent signature is raw r||s (64 bytes)');
    let instrument: PaymentInstrument | undefined;
    try { instrument = checkInstrument(req.instrument); } catch (e) { return no('malformed', (e as Error).message); }

    const m = this.store.getMandate(mandateId);
    if (!m) return no('unknown_mandate');
    const mandateCred = this.store.getCredential(m.credential_id);
    if (!mandateCred) return no('unknown_mandate', 'the mandate\'s credential is not registered');
    const flagged = flaggedRefusal(mandateCred);
    if (flagged) return no(flagged.reason, flagged.detail);
    const agentKey = p256FromHex(m.agent_pub);
    if (!agentKey || !verifyEs256(agentKey, payload, agentSignature, 'ieee-p1363')) return no('bad_agent_signature');

    const text = utf8(payload);
    if (text === null) return no('malformed', 'payload is not UTF-8');
    let r: unknown;
    try { r = JSON.parse(text); } catch { return no('malformed', 'payload is not JSON'); }
    if (!isPlainObject(r) || !sameKeys(r, REQUEST_KEYS)) return no('malformed', `payload keys must be ${REQUEST_KEYS.join(',')}`);
    if (typeof r.mandate !== 'string' || typeof r.seq !== 'number' || typeof r.payee !== 'string' || typeof r.amount !== 'string'
      || typeof r.currency !== 'string') {
      return no('malformed', 'payload field types');
    }
    if (agentRequestCanonical(r as unknown as { mandate: string; seq: number; payee: string; amount: string; currency: string }) !== text) {
      return no('malformed', 'payload is not canonical');
    }
    if (r.mandate !== mandateId || r.seq !== seq || r.payee !== payee || r.amount !== amount || r.currency !== currency) {
      return no('malformed', 'forwarded fields differ from the signed payload');
    }
    if (payee.length === 0 || payee.length > 256) return no('malformed', 'payee: 1..256 chars');
    if (!AMOUNT_RE.test(amount) || amount.length > 20 || compareDecimal(amount, '0') <= 0) return no('malformed', 'amount: positive decimal');

    if (this.now() >= m.expires) return no('mandate_expired');
    if (seq <= m.last_seq) return no('replayed_request', `seq ${seq}, last ${m.last_seq}`);
    if (currency !== m.currency) return no('currency_mismatch', `${currency}, mandate ${m.currency}`);
    if (!(JSON.parse(m.payees) as string[]).includes(payee)) return no('payee_not_allowed');
    const e = CURRENCY_EXPONENTS[m.currency];
    const minor = decimalToMinor(amount, e);
    if (minor === null) return no('malformed', `amount must have ${e} decimals for ${m.currency}`);
    if (minor > decimalToMinor(m.per_payment, e)!) return no('over_per_payment_limit', `${amount} > ${m.per_payment}`);
    if (decimalToMinor(m.spent, e)! + minor > decimalToMinor(m.budget, e)!) {
      return no('over_budget', `spent ${m.spent} + ${amount} > ${m.budget}`);
    }
    const created = this.issueOrder({
      payee, amount, currency, qrHash: sha256(payload), instrument, uv: false, mandateId: m.id, seq,
    });
    return { ok: true, ...created };
  }

  /** Re-checks an agent order against its mandate's current state (inside the commit transaction too). */
  private mandateAllows(order: OrderRow, m: MandateRow | undefined, now: number): PaymentResult | null {
    if (!m) return refuse('unknown_mandate');
    if (now >= m.expires) return refuse('mandate_expired');
    if (order.mandate_seq === null || order.mandate_seq <= m.last_seq) return refuse('replayed_request', `seq ${order.mandate_seq}, last ${m.last_seq}`);
    const e = CURRENCY_EXPONENTS[m.currency];
    const minor = decimalToMinor(order.amount, e);
    if (minor === null || decimalToMinor(m.spent, e)! + minor > decimalToMinor(m.budget, e)!) {
      return refuse('over_budget', `spent ${m.spent} + ${order.amount} > ${m.budget}`);
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------ payments

  /**
   * Verifies one assertion against one order. Checks, in order (the first failure is the reason):
   * shape → order exists → credential registered → ES256 signature over authData||SHA-256(clientDataJSON)
   * → clientDataJSON parses → type "payment.get" → challenge (this order's; a paid order's → replay)
   * → order still pending (else replay) → origin → authenticatorData (37 bytes, rpIdHash, UP) → payment
   * member (rpId, topOrigin, payee, total, instrument) → expiry → UV policy → signCount
   * → @simplewebauthn/server verifyAuthenticationResponse (run on every assertion whose credential is known)
   * → one SQLite transaction: re-check order pending + counter, store counter, insert bill, mark order paid.
   */
  async verifyPayment(orderId: string, assertion: AuthenticationResponseJSON): Promise<PaymentResult> {
    // shape
    if (typeof orderId !== 'string') return refuse('malformed', 'orderId');
    if (!isPlainObject(assertion) || !isPlainObject(assertion.response)) return refuse('malformed', 'not an assertion');
    const { id, rawId, type: credType, response } = assertion;
    if (!isB64u(id) || id.length === 0 || rawId !== id || credType !== 'public-key') return refuse('malformed', 'id/rawId/type');
    const cdjBytes = fromB64u(response.clientDataJSON);
    const authData = fromB64u(response.authenticatorData);
    const sig = fromB64u(response.signature);
    if (!cdjBytes || !authData || !sig) return refuse('malformed', 'clientDataJSON/authenticatorData/signature must be base64url');
    if (response.userHandle !== undefined && response.userHandle !== null && !isB64u(response.userHandle)) {
      return refuse('malformed', 'userHandle');
    }

    const order = this.store.getOrder(orderId);
    if (!order) return refuse('unknown_order');
    const cred = this.store.getCredential(id);
    if (!cred) return refuse('unknown_credential');
    const flagged = flaggedRefusal(cred);
    if (flagged) return refuse(flagged.reason, flagged.detail);
    const uvRequired = order.require_uv === 1;
    // An agent order runs under a mandate: nobody was present, so UP and UV are not required (flags 0x00).
    const agent = order.mandate_id !== null && order.mandate_id !== undefined;

    // The library's verdict, computed for every assertion whose credential we know. Local checks below
    // give the explicit reason; the library must also agree before anything is stored.
    let libraryError: string | undefined;
    let libraryCounter = -1;
    try {
      const v = await verifyAuthenticationResponse({
        response: assertion,
        expectedChallenge: order.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        expectedType: PAYMENT_TYPE,
        credential: { id: cred.id, publicKey: new Uint8Array(cred.public_key), counter: cred.sign_count },
        requireUserVerification: agent ? false : uvRequired,
        ...(agent ? { advancedFIDOConfig: { userVerification: 'discouraged' as const } } : {}),
      });
      if (v.verified) libraryCounter = v.authenticationInfo.newCounter;
      else libraryError = 'signature did not verify';
    } catch (e) {
      libraryError = (e as Error).message;
    }

    // signature first: every later reason is about data the glasses really signed
    if (!verifyAssertionSignature(new Uint8Array(cred.public_key), authData, cdjBytes, sig)) return refuse('bad_signature');
    if (this.requireLowS) {
      const s = derSignatureS(sig);
      if (s === null || isHighS(s)) return refuse('bad_signature', 'high-S signature (this wallet requires low-S)');
    }
    const mandate = agent ? this.store.getMandate(order.mandate_id!) : undefined;
    if (agent && mandate && mandate.credential_id !== cred.id) return refuse('mandate_credential_mismatch');

    let cd: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(cdjBytes));
      if (!isPlainObject(parsed)) return refuse('malformed', 'clientDataJSON is not an object');
      cd = parsed;
    } catch {
      return refuse('malformed', 'clientDataJSON is not UTF-8 JSON');
    }
    if (cd.type !== PAYMENT_TYPE) return refuse('bad_type', `type ${JSON.stringify(cd.type)}`);
    if (cd.challenge !== order.challenge) {
      const other = typeof cd.challenge === 'string' ? this.store.getOrderByChallenge(cd.challenge) : undefined;
      if (other && other.status === 'paid') return refuse('replay', 'challenge of an already paid order');
      return refuse('challenge_mismatch');
    }
    if (order.status !== 'pending') return refuse('replay', 'order already paid');
    if (cd.origin !== ORIGIN) return refuse('origin_mismatch', `origin ${JSON.stringify(cd.origin)}`);
    if (cd.crossOrigin !== undefined && cd.crossOrigin !== false) return refuse('origin_mismatch', 'crossOrigin');
    if (cd.topOrigin !== undefined) return refuse('origin_mismatch', 'top-level topOrigin');

    const ad = parseAuthenticatorData(authData);
    if (!ad || (ad.flags & (FLAG_AT | FLAG_ED)) !== 0 || authData.length !== 37) {
      return refuse('malformed', 'authenticatorData must be 37 bytes: rpIdHash|flags|signCount');
    }
    if (!bytesEqual(ad.rpIdHash, this.rpIdHash)) return refuse('rp_mismatch', 'rpIdHash');
    if (!ad.up && !agent) return refuse('up_required');

    const pm = cd.payment;
    if (!isPlainObject(pm)) return refuse('malformed', 'clientDataJSON.payment missing');
    for (const k of Object.keys(pm)) {
      if (!['rpId', 'topOrigin', 'payeeName', 'payeeOrigin', 'total', 'instrument'].includes(k)) {
        return refuse('malformed', `unknown payment member "${k}"`);
      }
    }
    if (pm.rpId !== RP_ID) return refuse('rp_mismatch', 'payment.rpId');
    if (pm.topOrigin !== ORIGIN) return refuse('origin_mismatch', 'payment.topOrigin');
    const exp = this.expectedPayment(order);
    if (pm.payeeName !== exp.payeeName || pm.payeeOrigin !== exp.payeeOrigin) {
      return refuse('payee_mismatch', `signed ${JSON.stringify(pm.payeeName ?? pm.payeeOrigin)}, order ${JSON.stringify(order.payee)}`);
    }
    const total = pm.total;
    if (!isPlainObject(total) || Object.keys(total).length !== 2 || typeof total.value !== 'string' || typeof total.currency !== 'string') {
      return refuse('malformed', 'payment.total must be {currency, value} strings');
    }
    if (total.value !== order.amount || total.currency !== order.currency) {
      return refuse('amount_mismatch', `signed ${total.value} ${total.currency}, order ${order.amount} ${order.currency}`);
    }
    const a = pm.instrument;
    const b = exp.instrument;
    const sameInstrument = a === undefined
      ? b === undefined
      : isPlainObject(a) && b !== undefined && Object.keys(a).every((k) => k === 'displayName' || k === 'icon')
        && a.displayName === b.displayName && a.icon === b.icon;
    if (!sameInstrument) return refuse('instrument_mismatch');

    if (this.now() > order.expires_at) return refuse('expired');
    if (agent) {
      const outside = this.mandateAllows(order, mandate, this.now());
      if (outside) return outside;
    }
    if (uvRequired && !ad.uv) return refuse('uv_required');
    if ((ad.signCount > 0 || cred.sign_count > 0) && ad.signCount <= cred.sign_count) {
      // A fresh signature (this order's challenge, the real key) with an old counter: two authenticators hold the
      // key, e.g. an older sealed state was restored (WebAuthn §6.1.1). Flag it; later payments are refused.
      const detail = `signed ${ad.signCount}, stored ${cred.sign_count}`;
      this.store.flagCloned(cred.id, this.now(), detail);
      return refuse('counter_rollback', detail);
    }
    if (libraryError !== undefined) return refuse('verification_failed', libraryError);
    if (libraryCounter !== ad.signCount) return refuse('verification_failed', 'counter disagreement');

    // commit: counter + bill + order state in one transaction, re-checking what a concurrent call could change
    const bill: BillRow = {
      id: randomUUID(), time: this.now(), order_id: order.id, payee: order.payee, amount: order.amount, currency: order.currency,
      credential_id: cred.id, sign_count: ad.signCount, user_verified: ad.uv ? 1 : 0, status: 'paid', qr_hash: order.qr_hash,
      mandate_id: agent ? order.mandate_id : null,
    };
    const db = this.store.db;
    const commit = db.transaction((): PaymentResult | null => {
      const o = db.prepare('SELECT status FROM orders WHERE id = ?').get(order.id) as { status: string } | undefined;
      if (!o || o.status !== 'pending') return refuse('replay', 'order already paid');
      const c = this.store.getCredential(cred.id)!;
      const nowFlagged = flaggedRefusal(c);
      if (nowFlagged) return refuse(nowFlagged.reason, nowFlagged.detail);
      if ((ad.signCount > 0 || c.sign_count > 0) && ad.signCount <= c.sign_count) {
        const detail = `signed ${ad.signCount}, stored ${c.sign_count}`;
        this.store.flagCloned(cred.id, bill.time, detail);
        return refuse('counter_rollback', detail);
      }
      if (agent) {
        const m = this.store.getMandate(order.mandate_id!);
        const outside = this.mandateAllows(order, m, bill.time);
        if (outside) return outside;
        const e = CURRENCY_EXPONENTS[m!.currency];
        const spent = minorToDecimal(decimalToMinor(m!.spent, e)! + decimalToMinor(order.amount, e)!, e);
        db.prepare('UPDATE mandates SET spent = ?, last_seq = ? WHERE id = ?').run(spent, order.mandate_seq, m!.id);
      }
      db.prepare('UPDATE credentials SET sign_count = ?, last_used_at = ? WHERE id = ?').run(ad.signCount, bill.time, cred.id);
      db.prepare(
        `INSERT INTO bills (id, time, order_id, payee, amount, currency, credential_id, sign_count, user_verified, status, qr_hash, mandate_id)
         VALUES (@id, @time, @order_id, @payee, @amount, @currency, @credential_id, @sign_count, @user_verified, @status, @qr_hash, @mandate_id)`,
      ).run(bill);
      db.prepare("UPDATE orders SET status = 'paid', bill_id = ? WHERE id = ? AND status = 'pending'").run(bill.id, order.id);
      return null;
    });
    const refused = commit.immediate();
    if (refused) return refused;
    return { ok: true, bill: billFromRow(bill) };
  }

  // ------------------------------------------------------------------------------------------ queries

  /** The last n bills (1..100), newest first: what the HUD shows as "recent payments". */
  recent(n = 5): Bill[] {
    const k = Math.max(1, Math.min(100, Math.floor(Number.isFinite(n) ? n : 5)));
    return this.store.recentBills(k).map(billFromRow);
  }

  /**
   * One order by its ID, for the phone's confirmation dialog: it must show the order the assertion names,
   * never merely the latest one (two open orders would otherwise let "Jeweller 1900.00" show as "Cafe 5.00").
   */
  order(orderId: string): OrderView | undefined {
    if (typeof orderId !== 'string') return undefined;
    const o = this.store.getOrder(orderId);
    if (!o) return undefined;
    return {
      orderId: o.id, payee: o.payee, amount: o.amount, currency: o.currency, status: o.status, expiresAt: o.expires_at,
      mandateId: o.mandate_id ?? null,
    };
  }

  /** Every paired credential, newest first, with its status (what the owner's device list shows). */
  credentials(): CredentialInfo[] {
    return this.store.listCredentials().map(credentialInfo);
  }

  credential(credentialId: string): CredentialInfo | undefined {
    if (typeof credentialId !== 'string') return undefined;
    const c = this.store.getCredential(credentialId);
    return c ? credentialInfo(c) : undefined;
  }

  /**
   * The owner lost these glasses: from now on their payments, mandates and agent orders are refused
   * (device_disabled), persisted in SQLite. The link (glasses-link.ts) asks isDisabled on every contact and tells
   * the glasses to wipe. Idempotent; there is no enable: the owner pairs the glasses again (a new credential).
   * Throws a TypeError for an unknown credential ID.
   */
  disableDevice(credentialId: string): void {
    if (!isB64u(credentialId) || credentialId.length === 0) throw new TypeError('credentialId must be base64url');
    if (!this.store.disableCredential(credentialId, this.now())) throw new TypeError(`no paired credential ${credentialId}`);
  }

  /** True when the owner disabled this credential. False for an unknown one (the link refuses those anyway). */
  isDisabled(credentialId: string): boolean {
    if (typeof credentialId !== 'string') return false;
    const c = this.store.getCredential(credentialId);
    return c !== undefined && c.disabled_at !== null && c.disabled_at !== undefined;
  }

  /** Drops expired pending orders and registration challenges; returns how many rows went. */
  prune(): number {
    return this.store.pruneExpired(this.now());
  }
}
