// Phone wallet (host/phone): registration, orders, payment verification, bills in SQLite, loopback server.
// Run: node --import tsx --test tests/wallet.test.ts
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { connect } from 'node:net';
import Database from 'better-sqlite3';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { cborDecode, cborEncode, type CborValue } from '../host/phone/cbor.js';
import { ORIGIN, RP_ID } from '../host/phone/config.js';
import { SoftAuthenticator } from '../host/phone/soft-authenticator.js';
import { buildExample, es256Deterministic } from '../host/phone/make-example.js';
import { startWalletServer, WalletClient } from '../host/phone/server.js';
import { Wallet, compareDecimal, type OrderCreated, type OrderInput, type PaymentResult } from '../host/phone/wallet.js';
import {
  FLAG_AT, FLAG_UP, FLAG_UV, b64u, buildAuthenticatorData, challengeQrHash, concat, encodeCoseKeyP256, fromB64u,
  parseAuthenticatorData, paymentClientDataJSON, rawToDer, sha256, verifyAssertionSignature,
} from '../host/phone/wire.js';
import { sharedPath } from '../host/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'wallet-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let dbSeq = 0;
const freshDb = (): string => join(dir, `w${++dbSeq}`, 'wallet.sqlite');

const QR = '00020101021129370016A000000677010111011300668012345675802TH53037646304';
const qrHash = b64u(sha256(QR));
const coffee: OrderInput = { payee: 'Luckin Coffee', amount: '25.00', currency: 'HKD', qrHash };

/** A wallet with a controllable clock and one registered soft authenticator. */
async function setup(opts: { attestation?: 'packed' | 'none' } = {}) {
  const clock = { t: Date.UTC(2026, 10, 22, 3, 0, 0) };
  const dbPath = freshDb();
  const wallet = new Wallet({ dbPath, now: () => clock.t });
  const auth = new SoftAuthenticator();
  const { challenge } = wallet.beginRegistration();
  const reg = await wallet.register(auth.makeCredential(challenge, { attestation: opts.attestation ?? 'packed' }));
  assert.equal(reg.ok, true, JSON.stringify(reg));
  return { wallet, auth, clock, dbPath };
}

function refused(r: PaymentResult, reason: string): void {
  assert.equal(r.ok, false, `expected refusal ${reason}, got ${JSON.stringify(r)}`);
  assert.equal(r.reason, reason, JSON.stringify(r));
  assert.equal(r.bill, undefined);
}

function countBills(wallet: Wallet): number {
  return (wallet.store.db.prepare('SELECT COUNT(*) AS n FROM bills').get() as { n: number }).n;
}
function storedCount(wallet: Wallet, id: string): number {
  return (wallet.store.db.prepare('SELECT sign_count FROM credentials WHERE id = ?').get(id) as { sign_count: number }).sign_count;
}

// ---------------------------------------------------------------------------------------------- wire format

describe('wire format', () => {
  test('CBOR round-trips the WebAuthn subset', () => {
    const v = new Map<CborValue, CborValue>([[1, 2], [-7, 'x'], ['k', new Uint8Array([1, 2, 3])], ['a', [true, false, null, 70000, -300]]]);
    const e = cborEncode(v);
    const d = cborDecode(e).value as Map<CborValue, CborValue>;
    assert.deepEqual([...d.keys()], [1, -7, 'k', 'a']);
    assert.deepEqual(d.get('a'), [true, false, null, 70000, -300]);
    assert.deepEqual(d.get('k'), new Uint8Array([1, 2, 3]));
    assert.throws(() => cborDecode(Uint8Array.from([0x5f])), /indefinite/);
    assert.throws(() => cborDecode(Uint8Array.from([0x01, 0x02])), /trailing/);
  });

  test('COSE_Key is 77 bytes in CTAP2 canonical order', () => {
    const x = new Uint8Array(32).fill(0x11);
    const y = new Uint8Array(32).fill(0x22);
    const k = encodeCoseKeyP256(x, y);
    assert.equal(k.length, 77);
    assert.equal(Buffer.from(k.subarray(0, 10)).toString('hex'), 'a5010203262001215820');
    assert.equal(Buffer.from(k.subarray(42, 45)).toString('hex'), '225820');
  });

  test('authenticatorData layout: rpIdHash | flags | signCount BE32 [| attested credential data]', () => {
    const a = buildAuthenticatorData(RP_ID, FLAG_UP | FLAG_UV, 0x01020304);
    assert.equal(a.length, 37);
    assert.deepEqual(a.subarray(0, 32), new Uint8Array(createHash('sha256').update('glasses.local').digest()));
    assert.equal(a[32], 0x05);
    assert.equal(Buffer.from(a.subarray(33)).toString('hex'), '01020304');
    const p = parseAuthenticatorData(a)!;
    assert.equal(p.signCount, 0x01020304);
    assert.ok(p.up && p.uv);
    const cose = encodeCoseKeyP256(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    const credId = new Uint8Array(32).fill(9);
    const r = buildAuthenticatorData(RP_ID, FLAG_UP | FLAG_AT, 0, { aaguid: new Uint8Array(16), credentialId: credId, publicKey: cose });
    assert.equal(r.length, 37 + 16 + 2 + 32 + 77);
    assert.equal(Buffer.from(r.subarray(53, 55)).toString('hex'), '0020');
    const q = parseAuthenticatorData(r)!;
    assert.deepEqual(q.attested!.credentialId, credId);
    assert.deepEqual(q.attested!.publicKey, cose);
    assert.equal(parseAuthenticatorData(r.subarray(0, r.length - 1)), null);
    assert.equal(parseAuthenticatorData(a.subarray(0, 36)), null);
  });

  test('base64url is strict: no padding, URL alphabet, canonical', () => {
    assert.equal(b64u(Uint8Array.from([0xfb, 0xff])), '-_8');
    assert.deepEqual(fromB64u('-_8'), Uint8Array.from([0xfb, 0xff]));
    assert.equal(fromB64u('-_8='), null);
    assert.equal(fromB64u('+/8'), null);
    assert.equal(fromB64u('-_9'), null); // non-zero pad bits
    assert.equal(fromB64u('a'), null);
  });

  test('raw r||s → DER: minimal INTEGERs, 0x00 before a set top bit; verifies (firmware signs raw, sends DER)', () => {
    const raw = new Uint8Array(64);
    raw.set([0x00, 0x00, 0x7f], 0); raw[31] = 0x01;   // r has two leading zero bytes: dropped (30-byte INTEGER)
    raw[32] = 0x80; raw[63] = 0x02;                     // s has its top bit set: gets a 0x00 prefix
    const der = rawToDer(raw);
    assert.equal(Buffer.from(der.subarray(0, 4)).toString('hex'), '3043021e');
    assert.equal(der[2 + 2 + 30], 0x02);
    assert.equal(der[2 + 2 + 30 + 1], 0x21);
    assert.equal(der[2 + 2 + 30 + 2], 0x00);
    assert.equal(der.length, 2 + 2 + 30 + 2 + 33);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const j = publicKey.export({ format: 'jwk' });
    const cose = encodeCoseKeyP256(fromB64u(j.x!)!, fromB64u(j.y!)!);
    const cdj = Buffer.from('{"type":"payment.get"}');
    for (let i = 0; i < 200; i++) {
      const ad = buildAuthenticatorData(RP_ID, FLAG_UP, i);
      const sig = cryptoSign('sha256', Buffer.concat([ad, sha256(cdj)]), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const d = rawToDer(new Uint8Array(sig));
      assert.ok(verifyAssertionSignature(cose, ad, cdj, d), `iteration ${i}`);
      assert.ok(!verifyAssertionSignature(cose, ad, Buffer.from('{"type":"payment.get" }'), d));
    }
  });

  test('challenge = nonce(16) || SHA-256(QR payload), base64url (64 chars)', async () => {
    const { wallet } = await setup();
    const o = wallet.createOrder(coffee);
    assert.equal(o.challenge.length, 64);
    assert.equal(fromB64u(o.challenge)!.length, 48);
    assert.equal(b64u(challengeQrHash(o.challenge)!), qrHash);
    const o2 = wallet.createOrder({ ...coffee, qrHash: undefined, qrPayload: QR });
    assert.equal(b64u(challengeQrHash(o2.challenge)!), qrHash);
    assert.notEqual(o.challenge.slice(0, 22), o2.challenge.slice(0, 22), 'nonces differ');
    wallet.close();
  });

  test('compareDecimal is exact', () => {
    assert.equal(compareDecimal('200.00', '200'), 0);
    assert.equal(compareDecimal('200.01', '200.00'), 1);
    assert.equal(compareDecimal('0.1', '0.10'), 0);
    assert.equal(compareDecimal('99999999999999999999.99', '99999999999999999999.98'), 1);
  });
});

// ---------------------------------------------------------------------------------------------- registration

describe('registration', () => {
  test('packed self attestation is accepted and the credential stored in SQLite', async () => {
    const { wallet, auth, dbPath } = await setup();
    wallet.close();
    const db = new Database(dbPath, { readonly: true });
    const row = db.prepare('SELECT * FROM credentials').get() as { id: string; public_key: Buffer; sign_count: number; fmt: string };
    db.close();
    assert.equal(row.id, auth.id);
    assert.deepEqual(new Uint8Array(row.public_key), auth.cosePublicKey);
    assert.equal(row.sign_count, 0);
    assert.equal(row.fmt, 'packed');
  });

  test('attestation "none" is accepted', async () => {
    const { wallet } = await setup({ attestation: 'none' });
    assert.equal((wallet.store.db.prepare('SELECT fmt FROM credentials').get() as { fmt: string }).fmt, 'none');
    wallet.close();
  });

  test('refusals: reused/unknown challenge, duplicate, bad self-attestation signature, wrong origin, x5c, expired', async () => {
    const clock = { t: 1_800_000_000_000 };
    const wallet = new Wallet({ dbPath: freshDb(), now: () => clock.t });
    const a = new SoftAuthenticator();
    const c1 = wallet.beginRegistration().challenge;
    const reg = a.makeCredential(c1);
    assert.equal((await wallet.register(reg)).ok, true);
    assert.equal((await wallet.register(reg)).reason, 'unknown_challenge'); // challenge is one-shot
    const dup = a.makeCredential(wallet.beginRegistration().challenge);
    assert.equal((await wallet.register(dup)).reason, 'already_registered');

    const b = new SoftAuthenticator();
    const forged = b.makeCredential(wallet.beginRegistration().challenge);
    // flip one byte of the packed signature inside the attestationObject
    const ao = cborDecode(fromB64u(forged.response.attestationObject)!).value as Map<CborValue, CborValue>;
    const st = ao.get('attStmt') as Map<CborValue, CborValue>;
    const sig = (st.get('sig') as Uint8Array).slice();
    sig[sig.length - 1] ^= 1;
    st.set('sig', sig);
    forged.response.attestationObject = b64u(cborEncode(ao));
    assert.equal((await wallet.register(forged)).reason, 'bad_attestation');

    const wrongOrigin = b.makeCredential(wallet.beginRegistration().challenge, { origin: 'https://evil.example' });
    assert.equal((await wallet.register(wrongOrigin)).reason, 'bad_attestation');
    const wrongRp = b.makeCredential(wallet.beginRegistration().challenge, { rpId: 'evil.example' });
    assert.equal((await wallet.register(wrongRp)).reason, 'bad_attestation');

    const withX5c = b.makeCredential(wallet.beginRegistration().challenge);
    const ao2 = cborDecode(fromB64u(withX5c.response.attestationObject)!).value as Map<CborValue, CborValue>;
    (ao2.get('attStmt') as Map<CborValue, CborValue>).set('x5c', [new Uint8Array(10)]);
    withX5c.response.attestationObject = b64u(cborEncode(ao2));
    assert.equal((await wallet.register(withX5c)).reason, 'bad_attestation');

    const late = b.makeCredential(wallet.beginRegistration().challenge);
    clock.t += 301_000;
    assert.equal((await wallet.register(late)).reason, 'expired');
    clock.t += 1;
    assert.equal((await wallet.register(b.makeCredential(wallet.beginRegistration().challenge))).ok, true);
    assert.equal((wallet.store.db.prepare('SELECT COUNT(*) AS n FROM credentials').get() as { n: number }).n, 2);
    wallet.close();
  });
});

// ---------------------------------------------------------------------------------------------- payments

describe('payments', () => {
  test('happy path: paid, bill stored in the SQLite file, counter updated, readable after reopening', async () => {
    const { wallet, auth, dbPath, clock } = await setup();
    const o = wallet.createOrder(coffee);
    assert.equal(o.userVerificationRequired, false);
    assert.deepEqual(o.payment, {
      rpId: RP_ID, topOrigin: ORIGIN, payeeName: 'Luckin Coffee', total: { currency: 'HKD', value: '25.00' },
    });
    const r = await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.bill!.amount, '25.00');
    assert.equal(r.bill!.signCount, 1);
    clock.t += 1000;
    const o2 = wallet.createOrder({ payee: 'https://shop.example', amount: '300.00', currency: 'HKD', qrPayload: 'upi://x' });
    assert.equal(o2.userVerificationRequired, true);
    assert.equal(o2.payment.payeeOrigin, 'https://shop.example');
    assert.equal(o2.payment.payeeName, undefined);
    const r2 = await wallet.verifyPayment(o2.orderId, auth.getAssertion(o2.challenge, o2.payment, { uv: true }));
    assert.equal(r2.ok, true, JSON.stringify(r2));
    wallet.close();

    // read the file back with a separate connection
    const db = new Database(dbPath, { readonly: true });
    const bills = db.prepare('SELECT * FROM bills ORDER BY time').all() as Record<string, unknown>[];
    const cred = db.prepare('SELECT sign_count FROM credentials WHERE id = ?').get(auth.id) as { sign_count: number };
    const orders = db.prepare("SELECT COUNT(*) AS n FROM orders WHERE status = 'paid'").get() as { n: number };
    db.close();
    assert.equal(bills.length, 2);
    assert.deepEqual(
      { payee: bills[0].payee, amount: bills[0].amount, currency: bills[0].currency, credential_id: bills[0].credential_id,
        sign_count: bills[0].sign_count, status: bills[0].status, qr_hash: bills[0].qr_hash, user_verified: bills[0].user_verified },
      { payee: 'Luckin Coffee', amount: '25.00', currency: 'HKD', credential_id: auth.id, sign_count: 1, status: 'paid', qr_hash: qrHash,
        user_verified: 1 },
    );
    assert.equal(bills[1].payee, 'https://shop.example');
    assert.equal(cred.sign_count, 2);
    assert.equal(orders.n, 2);

    // and through a new Wallet on the same file: recent() newest first
    const again = new Wallet({ dbPath });
    const recent = again.recent(5);
    assert.deepEqual(recent.map((b) => b.amount), ['300.00', '25.00']);
    assert.equal(again.recent(1).length, 1);
    again.close();
  });

  test('non-ASCII and JSON-escaped payee names (raw UTF-8 in clientDataJSON)', async () => {
    const { wallet, auth } = await setup();
    for (const payee of ['最佳运输', 'Café "Le Bon" \\ Ltd', 'Tab\there']) {
      const o = wallet.createOrder({ ...coffee, payee });
      const a = auth.getAssertion(o.challenge, o.payment);
      const text = Buffer.from(a.response.clientDataJSON, 'base64url').toString('utf8');
      assert.ok(text.includes(JSON.stringify(payee)), text);
      const r = await wallet.verifyPayment(o.orderId, a);
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.bill!.payee, payee);
    }
    assert.ok(Buffer.from(paymentClientDataJSON('c', ORIGIN, { rpId: RP_ID, topOrigin: ORIGIN, payeeName: '最', total: { currency: 'CNY', value: '1' } }))
      .includes(Buffer.from('最', 'utf8')));
    wallet.close();
  });

  test('tampered amount (glasses signed a different amount or currency) → amount_mismatch', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, total: { currency: 'HKD', value: '2.50' } })), 'amount_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, total: { currency: 'USD', value: '25.00' } })), 'amount_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, total: { currency: 'HKD', value: '25' } })), 'amount_mismatch');
    assert.equal(countBills(wallet), 0);
    // the order is still payable with the right amount (refusals do not consume it)
    assert.equal((await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment))).ok, true);
    wallet.close();
  });

  test('tampered payee → payee_mismatch (name changed, or origin instead of name)', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, payeeName: 'Evil Coffee' })), 'payee_mismatch');
    const { payeeName: _n, ...noName } = o.payment;
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...noName, payeeOrigin: 'https://luckin.example' })), 'payee_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, payeeOrigin: 'https://luckin.example' })), 'payee_mismatch');
    assert.equal(countBills(wallet), 0);
    wallet.close();
  });

  test('bytes tampered in transit after signing → bad_signature', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    const a = auth.getAssertion(o.challenge, o.payment);
    const text = Buffer.from(a.response.clientDataJSON, 'base64url').toString('utf8').replace('"25.00"', '"2.50"');
    refused(await wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, clientDataJSON: b64u(Buffer.from(text)) } }), 'bad_signature');
    const ad = fromB64u(a.response.authenticatorData)!.slice();
    ad[32] |= FLAG_UV; ad[36] ^= 0x10;
    refused(await wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, authenticatorData: b64u(ad) } }), 'bad_signature');
    wallet.close();
  });

  test('bad signature: other key, flipped bit, garbage, empty', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    const a = auth.getAssertion(o.challenge, o.payment);
    const other = new SoftAuthenticator({ credentialId: auth.credentialId }); // same id, different key
    refused(await wallet.verifyPayment(o.orderId, other.getAssertion(o.challenge, o.payment)), 'bad_signature');
    const sig = fromB64u(a.response.signature)!.slice();
    sig[sig.length - 3] ^= 0x01;
    refused(await wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, signature: b64u(sig) } }), 'bad_signature');
    refused(await wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, signature: b64u(new Uint8Array(64)) } }), 'bad_signature');
    refused(await wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, signature: '' } }), 'bad_signature');
    assert.equal(storedCount(wallet, auth.id), 0);
    assert.equal((await wallet.verifyPayment(o.orderId, a)).ok, true);
    wallet.close();
  });

  test('wrong clientDataJSON type → bad_type', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { type: 'webauthn.get' })), 'bad_type');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { type: 'webauthn.create' })), 'bad_type');
    wallet.close();
  });

  test('replayed assertion → replay (same order, another order, concurrent double submit)', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    const a = auth.getAssertion(o.challenge, o.payment);
    assert.equal((await wallet.verifyPayment(o.orderId, a)).ok, true);
    refused(await wallet.verifyPayment(o.orderId, a), 'replay');
    const o2 = wallet.createOrder(coffee); // same QR, new nonce
    refused(await wallet.verifyPayment(o2.orderId, a), 'replay');
    // a fresh assertion bound to o's challenge cannot pay o again either
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment)), 'replay');

    const o3 = wallet.createOrder(coffee);
    const a3 = auth.getAssertion(o3.challenge, o3.payment);
    const both = await Promise.all([wallet.verifyPayment(o3.orderId, a3), wallet.verifyPayment(o3.orderId, a3)]);
    assert.deepEqual(both.map((r) => r.ok).sort(), [false, true]);
    assert.equal(both.find((r) => !r.ok)!.reason, 'replay');
    assert.equal(countBills(wallet), 2);
    wallet.close();
  });

  test('counter rollback → counter_rollback (lower, equal, zero); zero-counter authenticators allowed per WebAuthn', async () => {
    // each rollback on its own wallet: the first one flags the credential as cloned (tests/wallet-trust.test.ts)
    for (const stale of [9, 10, 0]) {
      const { wallet, auth } = await setup();
      const o1 = wallet.createOrder(coffee);
      assert.equal((await wallet.verifyPayment(o1.orderId, auth.getAssertion(o1.challenge, o1.payment, { signCount: 10 }))).ok, true);
      const o2 = wallet.createOrder(coffee);
      refused(await wallet.verifyPayment(o2.orderId, auth.getAssertion(o2.challenge, o2.payment, { signCount: stale })), 'counter_rollback');
      assert.equal(storedCount(wallet, auth.id), 10);
      wallet.close();
    }

    const z = await setup();
    for (let i = 0; i < 2; i++) {
      const o = z.wallet.createOrder(coffee);
      assert.equal((await z.wallet.verifyPayment(o.orderId, z.auth.getAssertion(o.challenge, o.payment, { signCount: 0 }))).ok, true);
    }
    z.wallet.close();
  });

  test('unknown credential → unknown_credential', async () => {
    const { wallet } = await setup();
    const stranger = new SoftAuthenticator();
    const o = wallet.createOrder(coffee);
    refused(await wallet.verifyPayment(o.orderId, stranger.getAssertion(o.challenge, o.payment)), 'unknown_credential');
    wallet.close();
  });

  test('UV missing when required → uv_required (above quick-pay limit, order demands it, unlisted currency)', async () => {
    const { wallet, auth } = await setup();
    const big = wallet.createOrder({ ...coffee, amount: '200.01' });
    assert.equal(big.userVerificationRequired, true);
    refused(await wallet.verifyPayment(big.orderId, auth.getAssertion(big.challenge, big.payment, { uv: false })), 'uv_required');
    const demanded = wallet.createOrder({ ...coffee, requireUserVerification: true });
    refused(await wallet.verifyPayment(demanded.orderId, auth.getAssertion(demanded.challenge, demanded.payment, { uv: false })), 'uv_required');
    const xau = wallet.createOrder({ ...coffee, amount: '1', currency: 'BRL' });
    assert.equal(xau.userVerificationRequired, true);
    refused(await wallet.verifyPayment(xau.orderId, auth.getAssertion(xau.challenge, xau.payment, { uv: false })), 'uv_required');
    // at the limit (not above) and without UV: quick pay
    const atLimit = wallet.createOrder({ ...coffee, amount: '200.00' });
    assert.equal(atLimit.userVerificationRequired, false);
    assert.equal((await wallet.verifyPayment(atLimit.orderId, auth.getAssertion(atLimit.challenge, atLimit.payment, { uv: false }))).ok, true);
    // the refused order is still pending and pays with UV
    const paid = await wallet.verifyPayment(big.orderId, auth.getAssertion(big.challenge, big.payment, { uv: true }));
    assert.equal(paid.ok, true);
    assert.equal(paid.bill!.userVerified, true);
    wallet.close();
  });

  test('expired order → expired', async () => {
    const { wallet, auth, clock } = await setup();
    const o = wallet.createOrder(coffee);
    const a = auth.getAssertion(o.challenge, o.payment);
    clock.t = o.expiresAt + 1;
    refused(await wallet.verifyPayment(o.orderId, a), 'expired');
    assert.equal(wallet.prune(), 1);
    refused(await wallet.verifyPayment(o.orderId, a), 'unknown_order');
    wallet.close();
  });

  test('other refusals: unknown order, challenge of another order, origin, rpId, UP, instrument, malformed', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    const other = wallet.createOrder(coffee);
    refused(await wallet.verifyPayment('no-such-order', auth.getAssertion(o.challenge, o.payment)), 'unknown_order');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(other.challenge, other.payment)), 'challenge_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { origin: 'https://evil.example' })), 'origin_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, topOrigin: 'https://evil.example' })), 'origin_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { rpId: 'evil.example' })), 'rp_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, rpId: 'evil.example' })), 'rp_mismatch');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { up: false })), 'up_required');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, { ...o.payment, instrument: { displayName: 'Card ***1' } })), 'instrument_mismatch');
    const noPayment = JSON.stringify({ type: 'payment.get', challenge: o.challenge, origin: ORIGIN });
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { clientDataJSON: noPayment })), 'malformed');
    const a = auth.getAssertion(o.challenge, o.payment);
    refused(await wallet.verifyPayment(o.orderId, { ...a, rawId: 'AAAA' }), 'malformed');
    refused(await wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, signature: 'not base64url!' } }), 'malformed');
    refused(await wallet.verifyPayment(o.orderId, null as never), 'malformed');

    const withCard = wallet.createOrder({ ...coffee, instrument: { displayName: 'Octopus ***42', icon: 'https://glasses.local/octopus.png' } });
    refused(await wallet.verifyPayment(withCard.orderId, auth.getAssertion(withCard.challenge, { ...withCard.payment, instrument: { displayName: 'Octopus ***42' } })), 'instrument_mismatch');
    assert.equal((await wallet.verifyPayment(withCard.orderId, auth.getAssertion(withCard.challenge, withCard.payment))).ok, true);
    // `a` was signed before the later assertions, so its counter is now stale: a fresh signature with an old
    // counter means two authenticators hold the key (WebAuthn §6.1.1), and the credential stays refused
    refused(await wallet.verifyPayment(o.orderId, a), 'counter_rollback');
    refused(await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment)), 'cloned_authenticator');
    wallet.close();
  });

  test('counter and bill are written in one transaction: a failing bill insert leaves counter and order untouched', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    wallet.store.db.exec("CREATE TEMP TRIGGER fail_bill BEFORE INSERT ON bills BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await assert.rejects(wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { signCount: 5 })), /disk full/);
    assert.equal(storedCount(wallet, auth.id), 0);
    assert.equal(countBills(wallet), 0);
    assert.equal(wallet.store.getOrder(o.orderId)!.status, 'pending');
    wallet.store.db.exec('DROP TRIGGER fail_bill');
    assert.equal((await wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, { signCount: 6 }))).ok, true);
    assert.equal(storedCount(wallet, auth.id), 6);
    wallet.close();
  });

  test('every single-byte change to authenticatorData, clientDataJSON or signature is refused', async () => {
    const { wallet, auth } = await setup();
    const o = wallet.createOrder(coffee);
    const a = auth.getAssertion(o.challenge, o.payment);
    const reasons = new Map<string, number>();
    for (const field of ['authenticatorData', 'clientDataJSON', 'signature'] as const) {
      const bytes = fromB64u(a.response[field])!;
      for (let i = 0; i < bytes.length; i++) {
        const m = bytes.slice();
        m[i] ^= 0x01;
        const r = await wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, [field]: b64u(m) } });
        assert.equal(r.ok, false, `${field}[${i}] accepted`);
        reasons.set(r.reason!, (reasons.get(r.reason!) ?? 0) + 1);
      }
    }
    assert.deepEqual([...reasons.keys()], ['bad_signature']);
    assert.equal(countBills(wallet), 0);
    assert.equal((await wallet.verifyPayment(o.orderId, a)).ok, true);
    wallet.close();
  });

  test('createOrder validates its input', async () => {
    const { wallet } = await setup();
    for (const bad of [
      { ...coffee, amount: '25,00' }, { ...coffee, amount: '-1' }, { ...coffee, amount: '0' }, { ...coffee, amount: '025' },
      { ...coffee, amount: '1e3' }, { ...coffee, currency: 'hkd' }, { ...coffee, payee: '' }, { ...coffee, qrHash: 'abc' },
      { ...coffee, qrHash: undefined }, { ...coffee, qrPayload: 'something else' },
    ]) {
      assert.throws(() => wallet.createOrder(bad as OrderInput), TypeError, JSON.stringify(bad));
    }
    wallet.close();
  });

  test('the stand-in assertion also passes @simplewebauthn/server directly (payment.get, UV)', async () => {
    const { wallet, auth } = await setup();
    const o: OrderCreated = wallet.createOrder(coffee);
    const a = auth.getAssertion(o.challenge, o.payment);
    const v = await verifyAuthenticationResponse({
      response: a, expectedChallenge: o.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, expectedType: 'payment.get',
      credential: { id: auth.id, publicKey: auth.cosePublicKey, counter: 0 }, requireUserVerification: true,
    });
    assert.equal(v.verified, true);
    assert.equal(v.authenticationInfo.newCounter, 1);
    assert.equal(Buffer.from(a.response.clientDataJSON, 'base64url').toString(), paymentClientDataJSON(o.challenge, ORIGIN, o.payment));
    wallet.close();
  });
});

// ---------------------------------------------------------------------------------------------- golden example

describe('host/phone/wire-example.json (deterministic golden exchange for the firmware)', () => {
  const file = JSON.parse(readFileSync(new URL('../host/phone/wire-example.json', import.meta.url), 'utf8'));

  test('the file is current (regenerated bytes are identical, RFC 6979 signatures included)', () => {
    assert.deepEqual(buildExample(), file);
  });

  test('the wallet registers the example credential and accepts the example payment', async () => {
    const feed = [Buffer.from(file.registration.challengeBytes, 'hex'), Buffer.from(file.payment.nonce, 'hex')];
    const wallet = new Wallet({ dbPath: freshDb(), random: (n) => { const b = feed.shift()!; assert.equal(b.length, n); return new Uint8Array(b); } });
    const rc = wallet.beginRegistration();
    assert.equal(rc.challenge, file.registration.challenge);
    const reg = await wallet.register(file.registration.response);
    assert.deepEqual(reg, { ok: true, credentialId: file.key.credentialId, fmt: 'packed' });
    const o = wallet.createOrder(file.payment.order);
    assert.equal(o.challenge, file.payment.challenge);
    assert.equal(paymentClientDataJSON(o.challenge, ORIGIN, o.payment), file.payment.clientDataJSONText);
    const r = await wallet.verifyPayment(o.orderId, file.payment.response);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.bill!.signCount, 1);
    refused(await wallet.verifyPayment(o.orderId, file.payment.response), 'replay');
    wallet.close();
  });
});

// ---------------------------------------------------------------------------------------------- W3C vectors

describe('W3C WebAuthn ES256 test vectors (webauthn.get: signature + authenticatorData parsing only)', () => {
  interface Vec {
    tcId: number; title: string; credentialPublicKey: string; authenticatorData: string; clientDataJSON: string;
    clientDataJSONText: string; signatureDer: string; highS: boolean;
  }
  const vectors = (JSON.parse(readFileSync(sharedPath('vectors', 'webauthn', 'es256_assertions.json'), 'utf8')) as { tests: Vec[] }).tests;
  const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

  test('there are vectors, including high-S signatures', () => {
    assert.ok(vectors.length >= 10);
    assert.ok(vectors.some((v) => v.highS));
  });

  for (const v of vectors) {
    test(`tc${v.tcId} ${v.title}`, async () => {
      const pub = hex(v.credentialPublicKey);
      assert.equal(pub.length, 65);
      const cose = encodeCoseKeyP256(pub.subarray(1, 33), pub.subarray(33));
      const ad = hex(v.authenticatorData);
      const cdj = hex(v.clientDataJSON);
      const sig = hex(v.signatureDer);
      // our signature path (node:crypto over authData || SHA-256(clientDataJSON), DER)
      assert.equal(verifyAssertionSignature(cose, ad, cdj, sig), true);
      const flipped = ad.slice(); flipped[33] ^= 1;
      assert.equal(verifyAssertionSignature(cose, flipped, cdj, sig), false);
      // our authenticatorData parser
      const p = parseAuthenticatorData(ad);
      assert.ok(p, 'parses');
      assert.deepEqual(p!.rpIdHash, sha256('example.org'));
      assert.equal(p!.flags, ad[32]);
      // and the library accepts it as the webauthn.get it is
      const cd = JSON.parse(v.clientDataJSONText) as { challenge: string; origin: string; topOrigin?: string; type: string };
      assert.equal(cd.type, 'webauthn.get');
      const r = await verifyAuthenticationResponse({
        response: {
          id: 'dGVzdA', rawId: 'dGVzdA', type: 'public-key', clientExtensionResults: {},
          response: { clientDataJSON: b64u(cdj), authenticatorData: b64u(ad), signature: b64u(sig) },
        },
        expectedChallenge: cd.challenge, expectedOrigin: cd.origin, expectedRPID: 'example.org', expectedType: 'webauthn.get',
        ...(cd.topOrigin ? { expectedTopOrigin: cd.topOrigin } : {}),
        credential: { id: 'dGVzdA', publicKey: cose, counter: 0 }, requireUserVerification: false,
      });
      assert.equal(r.verified, true);
      // the golden-example generator (RFC 6979, lowS:false, DER) reproduces the W3C signature exactly
      const priv = (v as Vec & { credentialPrivateKey: string }).credentialPrivateKey;
      assert.equal(Buffer.from(es256Deterministic(hex(priv), concat(ad, sha256(cdj)))).toString('hex'), v.signatureDer);
    });
  }
});

// ---------------------------------------------------------------------------------------------- loopback server

describe('loopback server (JSON lines)', () => {
  let wallet: Wallet;
  let srv: Awaited<ReturnType<typeof startWalletServer>>;
  before(async () => {
    wallet = new Wallet({ dbPath: freshDb() });
    srv = await startWalletServer(wallet, { idleTimeoutMs: 2000, maxLineBytes: 16 * 1024 });
  });
  after(async () => {
    await srv.close();
    wallet.close();
  });

  test('binds 127.0.0.1 on an ephemeral port; refuses non-loopback hosts', async () => {
    assert.equal(srv.host, '127.0.0.1');
    assert.ok(srv.port > 0);
    await assert.rejects(startWalletServer(wallet, { host: '0.0.0.0' }), /loopback/);
  });

  test('register → createOrder → verifyPayment → replay refused → recent', async () => {
    const c = new WalletClient(srv.port, '127.0.0.1', 5000);
    await c.connect();
    assert.deepEqual(await c.call('ping'), { pong: true });
    const auth = new SoftAuthenticator();
    const { challenge } = await c.call<{ challenge: string }>('beginRegistration');
    const reg = await c.call<{ ok: boolean }>('register', { registration: auth.makeCredential(challenge) });
    assert.equal(reg.ok, true);
    const o = await c.call<OrderCreated>('createOrder', { order: coffee });
    const a = auth.getAssertion(o.challenge, o.payment);
    const r = await c.call<PaymentResult>('verifyPayment', { orderId: o.orderId, assertion: a });
    assert.equal(r.ok, true, JSON.stringify(r));
    const again = await c.call<PaymentResult>('verifyPayment', { orderId: o.orderId, assertion: a });
    assert.equal(again.reason, 'replay');
    const { bills } = await c.call<{ bills: { amount: string; payee: string }[] }>('recent', { n: 3 });
    assert.equal(bills.length, 1);
    assert.equal(bills[0].payee, 'Luckin Coffee');
    await assert.rejects(c.call('createOrder', { order: { ...coffee, amount: 'lots' } }), /bad_request/);
    await assert.rejects(c.call('selfDestruct'), /unknown_op/);
    c.close();
  });

  test('server.ts runs standalone and prints its port', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'host/phone/server.ts', '--db', freshDb()], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((res, rej) => {
        let out = '';
        const t = setTimeout(() => rej(new Error('no output')), 15000);
        child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) { clearTimeout(t); res(out.split('\n')[0]); } });
        child.on('exit', (c) => { clearTimeout(t); rej(new Error(`exited ${c}`)); });
      });
      const { listening } = JSON.parse(line) as { listening: { host: string; port: number } };
      assert.equal(listening.host, '127.0.0.1');
      const c = new WalletClient(listening.port);
      await c.connect();
      assert.deepEqual(await c.call('ping'), { pong: true });
      c.close();
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('bad JSON gets an error line; an over-long line closes the connection; idle sockets are closed', async () => {
    const talk = (payload: string, waitClose: boolean): Promise<string> => new Promise((res, rej) => {
      const s = connect({ port: srv.port, host: '127.0.0.1' });
      let got = '';
      const t = setTimeout(() => { s.destroy(); rej(new Error('timeout')); }, 5000);
      s.on('data', (d) => {
        got += d.toString();
        if (!waitClose && got.includes('\n')) { clearTimeout(t); s.destroy(); res(got); }
      });
      s.on('close', () => { clearTimeout(t); res(got); });
      s.on('error', rej);
      s.write(payload);
    });
    const bad = JSON.parse((await talk('{nope\n', false)).trim());
    assert.equal(bad.error.code, 'bad_json');
    const long = JSON.parse((await talk('x'.repeat(20 * 1024), true)).trim());
    assert.equal(long.error.code, 'line_too_long');
    const t0 = Date.now();
    assert.equal(await talk('', true), '');
    assert.ok(Date.now() - t0 >= 1500, 'closed by the idle timeout');
  });
});
