/**
 * A software stand-in for the glasses' authenticator, built from node:crypto. It produces byte-for-byte the
 * formats README.md specifies (and the firmware must produce), so tests and the `glasses pay` simulation
 * can talk to the wallet without a firmware build. ECDSA nonces here are random (node:crypto); the
 * firmware's are RFC 6979: both verify the same way.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { cborEncode, type CborValue } from './cbor.js';
import { COSE_ALG_ES256, ORIGIN, RP_ID } from './config.js';
import {
  FLAG_AT, FLAG_UP, FLAG_UV, agentRequestCanonical, b64u, buildAuthenticatorData, concat, encodeCoseKeyP256, fromB64u,
  mandateCanonical, paymentClientDataJSON, registrationClientDataJSON, sha256, type MandateFields, type SpcPayment,
} from './wire.js';

export interface AssertionOptions {
  /** flags.UV (voice check passed). Default true. */
  uv?: boolean;
  /** flags.UP (spoken "yes"). Default true. */
  up?: boolean;
  /** Use this signCount instead of incrementing the internal counter. */
  signCount?: number;
  /** clientDataJSON.type, default "payment.get". */
  type?: string;
  origin?: string;
  rpId?: string;
  /** Sign these exact clientDataJSON bytes instead of building them. */
  clientDataJSON?: string;
}

export class SoftAuthenticator {
  readonly credentialId: Uint8Array;
  readonly privateKey: KeyObject;
  readonly cosePublicKey: Uint8Array<ArrayBuffer>;
  signCount: number;

  constructor(opts: { credentialId?: Uint8Array; privateKey?: KeyObject; signCount?: number } = {}) {
    this.credentialId = opts.credentialId ?? new Uint8Array(randomBytes(32));
    if (opts.privateKey) {
      this.privateKey = opts.privateKey;
    } else {
      this.privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    }
    const jwk = this.privateKey.export({ format: 'jwk' });
    this.cosePublicKey = encodeCoseKeyP256(fromB64u(jwk.x!)!, fromB64u(jwk.y!)!);
    this.signCount = opts.signCount ?? 0;
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  /** ES256 over authData || SHA-256(clientDataJSON), ASN.1 DER. */
  signOver(authData: Uint8Array, clientDataJSON: Uint8Array): Uint8Array {
    return new Uint8Array(sign('sha256', concat(authData, sha256(clientDataJSON)), { key: this.privateKey, dsaEncoding: 'der' }));
  }

  /** ES256 over a message (digest SHA-256(message)), DER: how the glasses sign a mandate text. */
  signMessage(message: Uint8Array | string): Uint8Array {
    const m = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    return new Uint8Array(sign('sha256', m, { key: this.privateKey, dsaEncoding: 'der' }));
  }

  /** A signed MANDATE: the canonical text and the device's DER signature over it. */
  signMandate(fields: MandateFields): { text: string; signature: Uint8Array } {
    const text = mandateCanonical(fields);
    return { text, signature: this.signMessage(text) };
  }

  /** Registration response: attestationObject {"fmt","attStmt","authData"} with packed self attestation or none. */
  makeCredential(challenge: string, opts: { attestation?: 'packed' | 'none'; uv?: boolean; origin?: string; rpId?: string } = {}): RegistrationResponseJSON {
    const flags = FLAG_UP | FLAG_AT | (opts.uv ? FLAG_UV : 0);
    const authData = buildAuthenticatorData(opts.rpId ?? RP_ID, flags, this.signCount, {
      aaguid: new Uint8Array(16), credentialId: this.credentialId, publicKey: this.cosePublicKey,
    });
    const clientDataJSON = Buffer.from(registrationClientDataJSON(challenge, opts.origin ?? ORIGIN), 'utf8');
    const fmt = opts.attestation ?? 'packed';
    const attStmt = fmt === 'packed'
      ? new Map<CborValue, CborValue>([['alg', COSE_ALG_ES256], ['sig', this.signOver(authData, clientDataJSON)]])
      : new Map<CborValue, CborValue>();
    const attestationObject = cborEncode(new Map<CborValue, CborValue>([['fmt', fmt], ['attStmt', attStmt], ['authData', authData]]));
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject) },
    };
  }

  /** Payment assertion over an SPC clientDataJSON. Increments signCount unless opts.signCount is given. */
  getAssertion(challenge: string, payment: SpcPayment, opts: AssertionOptions = {}): AuthenticationResponseJSON {
    const count = opts.signCount ?? ++this.signCount;
    const flags = (opts.up === false ? 0 : FLAG_UP) | (opts.uv === false ? 0 : FLAG_UV);
    const authData = buildAuthenticatorData(opts.rpId ?? RP_ID, flags, count);
    const cdj = Buffer.from(
      opts.clientDataJSON ?? paymentClientDataJSON(challenge, opts.origin ?? ORIGIN, payment, opts.type ?? 'payment.get'), 'utf8');
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(cdj), authenticatorData: b64u(authData), signature: b64u(this.signOver(authData, cdj)) },
    };
  }
}

/** A software AI agent: a P-256 key whose public point goes into a mandate, signing requests raw r||s. */
export class SoftAgent {
  readonly privateKey: KeyObject;
  /** Uncompressed point 04||x||y, 130 lowercase hex characters (the mandate's "agent"). */
  readonly publicHex: string;

  constructor(privateKey?: KeyObject) {
    this.privateKey = privateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const jwk = this.privateKey.export({ format: 'jwk' });
    this.publicHex = '04' + Buffer.from(fromB64u(jwk.x!)!).toString('hex') + Buffer.from(fromB64u(jwk.y!)!).toString('hex');
  }

  /** ES256 over payload (digest SHA-256(payload)), raw r||s (64 bytes). */
  sign(payload: Uint8Array | string): Uint8Array {
    const m = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    return new Uint8Array(sign('sha256', m, { key: this.privateKey, dsaEncoding: 'ieee-p1363' }));
  }

  /** A payment request inside (or outside) a mandate: the canonical payload and its signature. */
  request(mandate: string, seq: number, payee: string, amount: string, currency: string): { payload: string; signature: Uint8Array } {
    const payload = agentRequestCanonical({ mandate, seq, payee, amount, currency });
    return { payload, signature: this.sign(payload) };
  }
}
