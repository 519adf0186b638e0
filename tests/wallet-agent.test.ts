// Agent payments in the phone wallet (host/phone): open mandates the glasses sign, agent requests inside a
// mandate paid without the wearer (UP=0, UV=0), everything outside refused with its reason.
// Run: node --import tsx --test tests/wallet.test.ts tests/wallet-agent.test.ts
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import Database from 'better-sqlite3';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { cborDecode, cborEncode, type CborValue } from '../host/phone/cbor.js';
import { ORIGIN, RP_ID } from '../host/phone/config.js';
import { CMD_MSG, PhoneLink, Reassembler, T, fragment } from '../host/phone/glasses-link.js';
import { SoftAgent, SoftAuthenticator } from '../host/phone/soft-authenticator.js';
import { startWalletServer, WalletClient } from '../host/phone/server.js';
import { Wallet, type AgentOrderResult, type PaymentResult } from '../host/phone/wallet.js';
import {
  agentRequestCanonical, challengeQrHash, decimalToMinor, fromB64u, mandateCanonical, minorToDecimal, sha256,
  type MandateFields,
} from '../host/phone/wire.js';

const dir = mkdtempSync(join(tmpdir(), 'wallet-agent-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let dbSeq = 0;
const freshDb = (): string => join(dir, `w${++dbSeq}`, 'wallet.sqlite');

const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
const MID = '0123456789abcdef';

async function setup() {
  const clock = { t: T0 };
  const dbPath = freshDb();
  const wallet = new Wallet({ dbPath, now: () => clock.t });
  const auth = new SoftAuthenticator();
  const { challenge } = wallet.beginRegistration();
  const reg = await wallet.register(auth.makeCredential(challenge));
  assert.equal(reg.ok, true, JSON.stringify(reg));
  const agent = new SoftAgent();
  after(() => wallet.close());
  return { wallet, auth, agent, clock, dbPath };
}

function fields(agent: SoftAgent, over: Partial<MandateFields> = {}): MandateFields {
  return {
    v: 1, id: MID, agent: agent.publicHex, currency: 'HKD', perPayment: '50.00', budget: '200.00',
    payees: ['Luckin Coffee', '7-Eleven'], expires: T0 + 3_600_000, ...over,
  };
}

async function withMandate(over: Partial<MandateFields> = {}) {
  const s = await setup();
  const { text, signature } = s.auth.signMandate(fields(s.agent, over));
  const r = s.wallet.registerMandate(s.auth.id, text, signature);
  assert.equal(r.ok, true, JSON.stringify(r));
  return s;
}

type S = Awaited<ReturnType<typeof setup>>;

/** The agent asks; the glasses forward; the wallet answers with an order or a reason. */
function ask(s: S, seq: number, payee: string, amount: string, currency = 'HKD', mandateId = MID): AgentOrderResult {
  const { payload, signature } = s.agent.request(mandateId, seq, payee, amount, currency);
  return s.wallet.createAgentOrder({ payload, payee, amount, currency, mandateId, seq, agentSignature: signature });
}

/** The glasses sign an agent order with nobody present: authenticatorData flags 0x00. */
async function payAgent(s: S, seq: number, payee: string, amount: string, signer = s.auth): Promise<PaymentResult> {
  const o = ask(s, seq, payee, amount);
  assert.equal(o.ok, true, JSON.stringify(o));
  if (!o.ok) throw new Error('unreachable');
  return s.wallet.verifyPayment(o.orderId, signer.getAssertion(o.challenge, o.payment, { up: false, uv: false }));
}

function outside(r: AgentOrderResult, reason: string): void {
  assert.equal(r.ok, false, `expected ${reason}, got ${JSON.stringify(r)}`);
  if (!r.ok) assert.equal(r.reason, reason, JSON.stringify(r));
}

function refused(r: PaymentResult, reason: string): void {
  assert.equal(r.ok, false, `expected refusal ${reason}, got ${JSON.stringify(r)}`);
  assert.equal(r.reason, reason, JSON.stringify(r));
}

const mandateRow = (w: Wallet) => w.mandates(w.store.db.prepare('SELECT credential_id FROM mandates').pluck().get() as string)[0];
const billCount = (w: Wallet): number => w.store.db.prepare('SELECT COUNT(*) FROM bills').pluck().get() as number;

// ---------------------------------------------------------------------------------------------- formats

describe('agent mandate formats', () => {
  test('canonical mandate text is byte-identical to the wire format in the issue', () => {
    const agent = '04' + 'ab'.repeat(64);
    const text = mandateCanonical({
      v: 1, id: MID, agent, currency: 'HKD', perPayment: '50.00', budget: '200.00', payees: ['Luckin Coffee', '7-Eleven'], expires: 1800000000000,
    });
    assert.equal(text, `{"v":1,"id":"${MID}","agent":"${agent}","currency":"HKD","perPayment":"50.00","budget":"200.00",`
      + '"payees":["Luckin Coffee","7-Eleven"],"expires":1800000000000}');
    assert.equal(agentRequestCanonical({ mandate: MID, seq: 3, payee: '7-Eleven', amount: '25.00', currency: 'HKD' }),
      `{"mandate":"${MID}","seq":3,"payee":"7-Eleven","amount":"25.00","currency":"HKD"}`);
  });

  test('exact decimal ↔ minor units (no floats)', () => {
    assert.equal(decimalToMinor('0.10', 2), 10n);
    assert.equal(decimalToMinor('200.00', 2), 20000n);
    assert.equal(decimalToMinor('3000', 0), 3000n);
    assert.equal(decimalToMinor('1.500', 3), 1500n);
    for (const bad of ['25', '25.0', '25.000', '-1.00', '01.00', '1e2', ' 1.00', '1.00 ', '.50']) assert.equal(decimalToMinor(bad, 2), null, bad);
    assert.equal(decimalToMinor('25.00', 0), null);
    assert.equal(minorToDecimal(30n, 2), '0.30');
    assert.equal(minorToDecimal(0n, 2), '0.00');
    assert.equal(minorToDecimal(123456789012345678901n, 2), '1234567890123456789.01');
    assert.equal(minorToDecimal(7n, 0), '7');
  });
});

// ---------------------------------------------------------------------------------------------- registration

describe('mandate registration (MANDATE, signed on the glasses)', () => {
  test('a signed mandate is registered and listed; stored in SQLite with spent 0 and last_seq 0', async () => {
    const s = await setup();
    const { text, signature } = s.auth.signMandate(fields(s.agent));
    const r = s.wallet.registerMandate(s.auth.id, text, signature);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.id, MID);
    const list = s.wallet.mandates(s.auth.id);
    assert.equal(list.length, 1);
    assert.deepEqual(
      { ...list[0], created: 0 },
      { id: MID, credentialId: s.auth.id, agent: s.agent.publicHex, currency: 'HKD', perPayment: '50.00', budget: '200.00',
        spent: '0.00', remaining: '200.00', payees: ['Luckin Coffee', '7-Eleven'], expires: T0 + 3_600_000, lastSeq: 0, created: 0 },
    );
    assert.deepEqual(s.wallet.mandates('nobody'), []);
    const row = s.wallet.store.db.prepare('SELECT * FROM mandates WHERE id = ?').get(MID) as Record<string, unknown>;
    assert.equal(row.mandate_text, text);
    assert.equal(row.spent, '0.00');
    assert.equal(row.last_seq, 0);
    assert.equal(row.payees, '["Luckin Coffee","7-Eleven"]');
    // the same bytes as a base64url signature string are accepted too; re-registering the id is refused
    refusedMandate(s.wallet.registerMandate(s.auth.id, text, Buffer.from(signature).toString('base64url')), 'already_registered');
  });

  test('tampered text, wrong signer, unknown credential → bad_signature / unknown_credential', async () => {
    const s = await setup();
    const { text, signature } = s.auth.signMandate(fields(s.agent));
    // the budget raised after the wearer said yes
    refusedMandate(s.wallet.registerMandate(s.auth.id, text.replace('"200.00"', '"900.00"'), signature), 'bad_signature');
    // another glasses (registered) signed it, presented under this credential
    const other = new SoftAuthenticator();
    const { challenge } = s.wallet.beginRegistration();
    assert.equal((await s.wallet.register(other.makeCredential(challenge))).ok, true);
    refusedMandate(s.wallet.registerMandate(s.auth.id, text, other.signMessage(text)), 'bad_signature');
    // the agent signs its own mandate
    const agentDer = new Uint8Array(cryptoSign('sha256', Buffer.from(text), { key: s.agent.privateKey, dsaEncoding: 'der' }));
    refusedMandate(s.wallet.registerMandate(s.auth.id, text, agentDer), 'bad_signature');
    // double hashing (signature over SHA-256(SHA-256(text))) is not the format
    refusedMandate(s.wallet.registerMandate(s.auth.id, text, s.auth.signMessage(sha256(text))), 'bad_signature');
    // an unpaired device
    const stranger = new SoftAuthenticator();
    refusedMandate(s.wallet.registerMandate(stranger.id, text, stranger.signMessage(text)), 'unknown_credential');
    // garbage signature / ids
    refusedMandate(s.wallet.registerMandate(s.auth.id, text, new Uint8Array(3)), 'malformed');
    refusedMandate(s.wallet.registerMandate('not base64url!', text, signature), 'malformed');
    assert.equal(s.wallet.mandates(s.auth.id).length, 0);
    assert.equal(s.wallet.registerMandate(s.auth.id, text, signature).ok, true);
  });

  test('expired at registration → mandate_expired', async () => {
    const s = await setup();
    for (const expires of [T0 - 1, T0]) {
      const { text, signature } = s.auth.signMandate(fields(s.agent, { expires }));
      refusedMandate(s.wallet.registerMandate(s.auth.id, text, signature), 'mandate_expired');
    }
    const { text, signature } = s.auth.signMandate(fields(s.agent, { expires: T0 + 1 }));
    assert.equal(s.wallet.registerMandate(s.auth.id, text, signature).ok, true);
  });

  test('malformed mandate texts (correctly signed) are refused', async () => {
    const s = await setup();
    const good = mandateCanonical(fields(s.agent));
    const obj = JSON.parse(good) as Record<string, unknown>;
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const x = Buffer.from(fromB64u(jwk.x!)!).toString('hex');
    const y = Buffer.from(fromB64u(jwk.y!)!).toString('hex');
    const yBad = (BigInt('0x' + y) ^ 1n).toString(16).padStart(64, '0');
    const withField = (k: string, v: unknown): string => JSON.stringify({ ...obj, [k]: v });
    const cases: [string, string | Uint8Array][] = [
      ['whitespace', JSON.stringify(obj, null, 1)],
      ['keys reordered', JSON.stringify({ id: obj.id, v: 1, ...obj })],
      ['key missing', JSON.stringify({ ...obj, budget: undefined })],
      ['extra key', JSON.stringify({ ...obj, note: 'x' })],
      ['v 2', withField('v', 2)],
      ['v "1"', withField('v', '1')],
      ['id upper case', withField('id', MID.toUpperCase())],
      ['id short', withField('id', MID.slice(1))],
      ['agent upper case', withField('agent', s.agent.publicHex.toUpperCase())],
      ['agent compressed', withField('agent', '02' + x)],
      ['agent not on curve', withField('agent', '04' + x + yBad)],
      ['agent zero point', withField('agent', '04' + '00'.repeat(64))],
      ['currency lower case', withField('currency', 'hkd')],
      ['currency unknown', withField('currency', 'XXX')],
      ['perPayment without decimals', withField('perPayment', '50')],
      ['perPayment one decimal', withField('perPayment', '50.0')],
      ['budget number', withField('budget', 200)],
      ['budget negative', withField('budget', '-200.00')],
      ['perPayment zero', withField('perPayment', '0.00')],
      ['payees empty', withField('payees', [])],
      ['payees not strings', withField('payees', ['Luckin Coffee', 7])],
      ['payee duplicate', withField('payees', ['7-Eleven', '7-Eleven'])],
      ['payee control char', withField('payees', ['7-Eleven\n'])],
      ['expires string', withField('expires', String(T0 + 3_600_000))],
      ['expires fractional', withField('expires', T0 + 0.5)],
      ['escaped where raw is canonical', good.replace('"Luckin Coffee"', '"\\u004cuckin Coffee"')],
      ['not JSON', good.slice(0, -1)],
      ['array', '[1]'],
      ['invalid UTF-8', Uint8Array.from([...Buffer.from(good.slice(0, 20)), 0xff, ...Buffer.from(good.slice(20))])],
    ];
    for (const [what, text] of cases) {
      const r = s.wallet.registerMandate(s.auth.id, text, s.auth.signMessage(text));
      assert.equal(r.ok, false, what);
      assert.equal(r.reason, 'malformed', `${what}: ${JSON.stringify(r)}`);
    }
    assert.equal(s.wallet.mandates(s.auth.id).length, 0);
    // a zero-exponent currency takes integer amounts
    const jpy = s.auth.signMandate(fields(s.agent, { currency: 'JPY', perPayment: '3000', budget: '10000' }));
    assert.equal(s.wallet.registerMandate(s.auth.id, jpy.text, jpy.signature).ok, true);
    assert.equal(s.wallet.mandates(s.auth.id)[0].spent, '0');
  });
});

function refusedMandate(r: { ok: boolean; reason?: string }, reason: string): void {
  assert.equal(r.ok, false, `expected ${reason}, got ${JSON.stringify(r)}`);
  assert.equal(r.reason, reason, JSON.stringify(r));
}

// ---------------------------------------------------------------------------------------------- agent payments

describe('agent payments inside and outside the mandate', () => {
  test('inside: approved without the wearer (flags 0x00), bill carries the mandate id, spent and last_seq updated', async () => {
    const s = await withMandate();
    const { payload, signature } = s.agent.request(MID, 1, 'Luckin Coffee', '25.00', 'HKD');
    const o = s.wallet.createAgentOrder({ payload: Buffer.from(payload), payee: 'Luckin Coffee', amount: '25.00', currency: 'HKD',
      mandateId: MID, seq: 1, agentSignature: signature });
    assert.equal(o.ok, true, JSON.stringify(o));
    if (!o.ok) return;
    assert.equal(o.userVerificationRequired, false);
    assert.deepEqual(challengeQrHash(o.challenge), sha256(payload)); // nonce || SHA-256(payload)
    assert.equal(fromB64u(o.challenge)!.length, 48);
    assert.deepEqual(o.payment.total, { currency: 'HKD', value: '25.00' });
    assert.equal(o.payment.payeeName, 'Luckin Coffee');
    const a = s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: false });
    assert.equal(fromB64u(a.response.authenticatorData)![32], 0x00);
    // nothing is spent before the payment commits
    assert.equal(mandateRow(s.wallet).spent, '0.00');
    const r = await s.wallet.verifyPayment(o.orderId, a);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.bill!.mandateId, MID);
    assert.equal(r.bill!.userVerified, false);
    assert.equal(r.bill!.amount, '25.00');
    const m = mandateRow(s.wallet);
    assert.equal(m.spent, '25.00');
    assert.equal(m.remaining, '175.00');
    assert.equal(m.lastSeq, 1);
    assert.equal(s.wallet.store.db.prepare('SELECT mandate_id FROM bills').pluck().get(), MID);
    assert.equal(s.wallet.recent(1)[0].mandateId, MID);
    // the same assertion again → replay; the agent's next request works
    refused(await s.wallet.verifyPayment(o.orderId, a), 'replay');
    assert.equal((await payAgent(s, 2, '7-Eleven', '50.00')).ok, true);
    assert.equal(mandateRow(s.wallet).spent, '75.00');
    assert.equal(mandateRow(s.wallet).lastSeq, 2);
  });

  test('a human order paid with UP=0 is still refused up_required; human bills have mandateId null', async () => {
    const s = await withMandate();
    const qrHash = Buffer.from(sha256('QR')).toString('base64url');
    const o = s.wallet.createOrder({ payee: 'Luckin Coffee', amount: '25.00', currency: 'HKD', qrHash });
    refused(await s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: false })), 'up_required');
    refused(await s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: true })), 'up_required');
    const ok = await s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, o.payment));
    assert.equal(ok.ok, true);
    assert.equal(ok.bill!.mandateId, null);
    // the library agrees: UP=0 on a human order fails its default rules
    const o2 = s.wallet.createOrder({ payee: 'Luckin Coffee', amount: '5.00', currency: 'HKD', qrHash });
    const a2 = s.auth.getAssertion(o2.challenge, o2.payment, { up: false, uv: false });
    await assert.rejects(verifyAuthenticationResponse({
      response: a2, expectedChallenge: o2.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, expectedType: 'payment.get',
      credential: { id: s.auth.id, publicKey: s.auth.cosePublicKey, counter: 0 }, requireUserVerification: false,
    }), /User not present/);
  });

  test('payee outside the list → payee_not_allowed', async () => {
    const s = await withMandate();
    outside(ask(s, 1, 'Starbucks', '10.00'), 'payee_not_allowed');
    outside(ask(s, 1, 'luckin coffee', '10.00'), 'payee_not_allowed');
    assert.equal((await payAgent(s, 1, 'Luckin Coffee', '10.00')).ok, true);
  });

  test('above the per-payment limit → over_per_payment_limit (the limit itself is inside)', async () => {
    const s = await withMandate();
    outside(ask(s, 1, '7-Eleven', '50.01'), 'over_per_payment_limit');
    outside(ask(s, 1, '7-Eleven', '1000.00'), 'over_per_payment_limit');
    assert.equal((await payAgent(s, 1, '7-Eleven', '50.00')).ok, true);
  });

  test('budget exhausted after two payments → over_budget (exact decimals: 0.10 + 0.20 fits 0.30)', async () => {
    const s = await withMandate({ perPayment: '0.20', budget: '0.30' });
    assert.equal((await payAgent(s, 1, '7-Eleven', '0.10')).ok, true);
    assert.equal((await payAgent(s, 2, '7-Eleven', '0.20')).ok, true); // 0.1 + 0.2 > 0.3 in floating point
    assert.equal(mandateRow(s.wallet).spent, '0.30');
    assert.equal(mandateRow(s.wallet).remaining, '0.00');
    outside(ask(s, 3, '7-Eleven', '0.01'), 'over_budget');
    const s2 = await withMandate({ perPayment: '50.00', budget: '80.00' });
    assert.equal((await payAgent(s2, 1, 'Luckin Coffee', '40.00')).ok, true);
    assert.equal((await payAgent(s2, 2, 'Luckin Coffee', '40.00')).ok, true);
    outside(ask(s2, 3, 'Luckin Coffee', '0.01'), 'over_budget');
    assert.equal(billCount(s2.wallet), 2);
  });

  test('budget is re-checked when the payment commits: two open orders cannot both spend the rest', async () => {
    const s = await withMandate({ perPayment: '50.00', budget: '60.00' });
    const a = ask(s, 1, '7-Eleven', '40.00');
    const b = ask(s, 2, '7-Eleven', '40.00');
    assert.ok(a.ok && b.ok);
    if (!a.ok || !b.ok) return;
    assert.equal((await s.wallet.verifyPayment(b.orderId, s.auth.getAssertion(b.challenge, b.payment, { up: false, uv: false }))).ok, true);
    refused(await s.wallet.verifyPayment(a.orderId, s.auth.getAssertion(a.challenge, a.payment, { up: false, uv: false })), 'replayed_request');
    const c = ask(s, 3, '7-Eleven', '20.01');
    outside(c, 'over_budget');
    const d = ask(s, 3, '7-Eleven', '20.00');
    const e = ask(s, 4, '7-Eleven', '20.00');
    assert.ok(d.ok && e.ok);
    if (!d.ok || !e.ok) return;
    assert.equal((await s.wallet.verifyPayment(e.orderId, s.auth.getAssertion(e.challenge, e.payment, { up: false, uv: false }))).ok, true);
    // d's seq 3 is now below last_seq 4 → replay; a fresh seq over the budget → over_budget at commit
    refused(await s.wallet.verifyPayment(d.orderId, s.auth.getAssertion(d.challenge, d.payment, { up: false, uv: false })), 'replayed_request');
    assert.equal(mandateRow(s.wallet).spent, '60.00');
  });

  test('over_budget at commit when another payment spent the budget first', async () => {
    const s = await withMandate({ perPayment: '50.00', budget: '60.00' });
    const first = ask(s, 2, '7-Eleven', '40.00');
    const second = ask(s, 3, '7-Eleven', '40.00');
    assert.ok(first.ok && second.ok);
    if (!first.ok || !second.ok) return;
    assert.equal((await s.wallet.verifyPayment(first.orderId, s.auth.getAssertion(first.challenge, first.payment, { up: false, uv: false }))).ok, true);
    refused(await s.wallet.verifyPayment(second.orderId, s.auth.getAssertion(second.challenge, second.payment, { up: false, uv: false })), 'over_budget');
    assert.equal(mandateRow(s.wallet).spent, '40.00');
    assert.equal(mandateRow(s.wallet).lastSeq, 2);
    assert.equal(billCount(s.wallet), 1);
  });

  test('the commit transaction re-reads the mandate (another process may have spent it after the checks)', async () => {
    const s = await withMandate({ perPayment: '50.00', budget: '60.00' });
    const first = ask(s, 1, '7-Eleven', '40.00');
    const second = ask(s, 2, '7-Eleven', '40.00');
    assert.ok(first.ok && second.ok);
    if (!first.ok || !second.ok) return;
    const stale = s.wallet.store.getMandate(MID)!;
    // "another process" (a second Wallet on the same file) pays the first order
    const other = new Wallet({ dbPath: s.dbPath, now: () => s.clock.t });
    assert.equal((await other.verifyPayment(first.orderId, s.auth.getAssertion(first.challenge, first.payment, { up: false, uv: false }))).ok, true);
    other.close();
    // this wallet's pre-commit checks still see the old row once; the transaction must not
    const real = s.wallet.store.getMandate.bind(s.wallet.store);
    let calls = 0;
    s.wallet.store.getMandate = (id: string) => (calls++ === 0 ? stale : real(id));
    refused(await s.wallet.verifyPayment(second.orderId, s.auth.getAssertion(second.challenge, second.payment, { up: false, uv: false })), 'over_budget');
    assert.ok(calls >= 2);
    assert.equal(mandateRow(s.wallet).spent, '40.00');
    assert.equal(billCount(s.wallet), 1);
  });

  test('expired mandate → mandate_expired (at request time and at commit)', async () => {
    const s = await withMandate({ expires: T0 + 60_000 });
    const o = ask(s, 1, '7-Eleven', '10.00');
    assert.equal(o.ok, true);
    s.clock.t = T0 + 60_000;
    outside(ask(s, 2, '7-Eleven', '10.00'), 'mandate_expired');
    if (!o.ok) return;
    refused(await s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: false })), 'mandate_expired');
    assert.equal(billCount(s.wallet), 0);
  });

  test('replayed or stale seq → replayed_request', async () => {
    const s = await withMandate();
    outside(ask(s, 0, '7-Eleven', '10.00'), 'replayed_request');
    assert.equal((await payAgent(s, 5, '7-Eleven', '10.00')).ok, true);
    outside(ask(s, 5, '7-Eleven', '10.00'), 'replayed_request');
    outside(ask(s, 4, '7-Eleven', '10.00'), 'replayed_request');
    // the exact same signed request forwarded again
    const again = s.agent.request(MID, 5, '7-Eleven', '10.00', 'HKD');
    outside(s.wallet.createAgentOrder({ payload: again.payload, payee: '7-Eleven', amount: '10.00', currency: 'HKD', mandateId: MID,
      seq: 5, agentSignature: again.signature }), 'replayed_request');
    assert.equal((await payAgent(s, 6, '7-Eleven', '10.00')).ok, true);
  });

  test('bad agent signature: another key, tampered payload, the glasses\' key → bad_agent_signature', async () => {
    const s = await withMandate();
    const intruder = new SoftAgent();
    const r = intruder.request(MID, 1, '7-Eleven', '10.00', 'HKD');
    outside(s.wallet.createAgentOrder({ payload: r.payload, payee: '7-Eleven', amount: '10.00', currency: 'HKD', mandateId: MID, seq: 1,
      agentSignature: r.signature }), 'bad_agent_signature');
    const g = s.agent.request(MID, 1, '7-Eleven', '10.00', 'HKD');
    const tampered = g.payload.replace('10.00', '40.00');
    outside(s.wallet.createAgentOrder({ payload: tampered, payee: '7-Eleven', amount: '40.00', currency: 'HKD', mandateId: MID, seq: 1,
      agentSignature: g.signature }), 'bad_agent_signature');
    const flipped = Uint8Array.from(g.signature);
    flipped[10] ^= 1;
    outside(s.wallet.createAgentOrder({ payload: g.payload, payee: '7-Eleven', amount: '10.00', currency: 'HKD', mandateId: MID, seq: 1,
      agentSignature: flipped }), 'bad_agent_signature');
    const glassesRaw = new Uint8Array(cryptoSign('sha256', Buffer.from(g.payload), { key: s.auth.privateKey, dsaEncoding: 'ieee-p1363' }));
    outside(s.wallet.createAgentOrder({ payload: g.payload, payee: '7-Eleven', amount: '10.00', currency: 'HKD', mandateId: MID, seq: 1,
      agentSignature: glassesRaw }), 'bad_agent_signature');
    // DER instead of raw r||s is malformed (64 bytes exactly)
    const der = new Uint8Array(cryptoSign('sha256', Buffer.from(g.payload), { key: s.agent.privateKey, dsaEncoding: 'der' }));
    outside(s.wallet.createAgentOrder({ payload: g.payload, payee: '7-Eleven', amount: '10.00', currency: 'HKD', mandateId: MID, seq: 1,
      agentSignature: der }), 'malformed');
    assert.equal(s.wallet.createAgentOrder({ payload: g.payload, payee: '7-Eleven', amount: '10.00', currency: 'HKD', mandateId: MID, seq: 1,
      agentSignature: g.signature }).ok, true);
  });

  test('other currency → currency_mismatch; unknown mandate → unknown_mandate', async () => {
    const s = await withMandate();
    outside(ask(s, 1, '7-Eleven', '10.00', 'USD'), 'currency_mismatch');
    outside(ask(s, 1, '7-Eleven', '10', 'JPY'), 'currency_mismatch');
    outside(ask(s, 1, '7-Eleven', '10.00', 'HKD', 'fedcba9876543210'), 'unknown_mandate');
  });

  test('payload and forwarded fields must agree; payload canonical; amount in the currency exponent → malformed', async () => {
    const s = await withMandate();
    const g = s.agent.request(MID, 1, '7-Eleven', '10.00', 'HKD');
    const base = { payload: g.payload, payee: '7-Eleven', amount: '10.00', currency: 'HKD', mandateId: MID, seq: 1, agentSignature: g.signature };
    outside(s.wallet.createAgentOrder({ ...base, amount: '1.00' }), 'malformed');
    outside(s.wallet.createAgentOrder({ ...base, payee: 'Luckin Coffee' }), 'malformed');
    outside(s.wallet.createAgentOrder({ ...base, seq: 2 }), 'malformed');
    outside(s.wallet.createAgentOrder({ ...base, currency: 'USD' }), 'malformed');
    const signed = (payload: string) => ({ ...base, payload, agentSignature: s.agent.sign(payload) });
    outside(s.wallet.createAgentOrder(signed(JSON.stringify(JSON.parse(g.payload), null, 1))), 'malformed');
    outside(s.wallet.createAgentOrder(signed(`{"seq":1,"mandate":"${MID}","payee":"7-Eleven","amount":"10.00","currency":"HKD"}`)), 'malformed');
    outside(s.wallet.createAgentOrder(signed(`{"mandate":"${MID}","seq":"1","payee":"7-Eleven","amount":"10.00","currency":"HKD"}`)), 'malformed');
    outside(s.wallet.createAgentOrder(signed(`{"mandate":"${MID}","seq":1,"payee":"7-Eleven","amount":"10.00","currency":"HKD","x":1}`)), 'malformed');
    outside(s.wallet.createAgentOrder(signed('not json')), 'malformed');
    outside(ask(s, 1, '7-Eleven', '10'), 'malformed');
    outside(ask(s, 1, '7-Eleven', '10.0'), 'malformed');
    outside(ask(s, 1, '7-Eleven', '0.00'), 'malformed');
    outside(ask(s, 1, '7-Eleven', '-1.00'), 'malformed');
    outside(s.wallet.createAgentOrder({ ...base, seq: -1 }), 'malformed');
    outside(s.wallet.createAgentOrder({ ...base, agentSignature: new Uint8Array(63) }), 'malformed');
    assert.equal(s.wallet.createAgentOrder(base).ok, true);
  });

  test('the agent order\'s assertion gets the human checks too: tampered amount, other glasses, bad signature', async () => {
    const s = await withMandate();
    const o = ask(s, 1, '7-Eleven', '10.00');
    assert.ok(o.ok);
    if (!o.ok) return;
    refused(await s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, { ...o.payment, total: { currency: 'HKD', value: '50.00' } },
      { up: false, uv: false })), 'amount_mismatch');
    // another paired pair of glasses cannot pay under this glasses' mandate
    const other = new SoftAuthenticator();
    const { challenge } = s.wallet.beginRegistration();
    assert.equal((await s.wallet.register(other.makeCredential(challenge))).ok, true);
    refused(await s.wallet.verifyPayment(o.orderId, other.getAssertion(o.challenge, o.payment, { up: false, uv: false })), 'mandate_credential_mismatch');
    const a = s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: false });
    const sig = fromB64u(a.response.signature)!;
    sig[sig.length - 1] ^= 1;
    refused(await s.wallet.verifyPayment(o.orderId, { ...a, response: { ...a.response, signature: Buffer.from(sig).toString('base64url') } }), 'bad_signature');
    assert.equal(mandateRow(s.wallet).spent, '0.00');
    // UP/UV set is fine too (the wearer happened to confirm)
    assert.equal((await s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, o.payment))).ok, true);
    assert.equal(mandateRow(s.wallet).spent, '10.00');
  });

  test('mandate spent + counter + bill in one transaction: a failing bill insert leaves the mandate untouched', async () => {
    const s = await withMandate();
    const o = ask(s, 1, '7-Eleven', '10.00');
    assert.ok(o.ok);
    if (!o.ok) return;
    s.wallet.store.db.exec("CREATE TEMP TRIGGER fail_bill BEFORE INSERT ON bills BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await assert.rejects(s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: false })), /disk full/);
    assert.equal(mandateRow(s.wallet).spent, '0.00');
    assert.equal(mandateRow(s.wallet).lastSeq, 0);
    s.wallet.store.db.exec('DROP TRIGGER fail_bill');
    assert.equal((await s.wallet.verifyPayment(o.orderId, s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: false }))).ok, true);
    assert.equal(mandateRow(s.wallet).lastSeq, 1);
  });

  test('an older wallet file (no mandate columns) is migrated on open', async () => {
    const dbPath = freshDb();
    mkdirSync(join(dbPath, '..'), { recursive: true });
    const old = new Database(dbPath);
    old.exec(`CREATE TABLE orders (id TEXT PRIMARY KEY, challenge TEXT NOT NULL UNIQUE, payee TEXT NOT NULL, amount TEXT NOT NULL,
      currency TEXT NOT NULL, qr_hash TEXT NOT NULL, instrument TEXT, require_uv INTEGER NOT NULL, status TEXT NOT NULL,
      created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, bill_id TEXT);
      CREATE TABLE bills (id TEXT PRIMARY KEY, time INTEGER NOT NULL, order_id TEXT NOT NULL UNIQUE, payee TEXT NOT NULL,
      amount TEXT NOT NULL, currency TEXT NOT NULL, credential_id TEXT NOT NULL, sign_count INTEGER NOT NULL,
      user_verified INTEGER NOT NULL, status TEXT NOT NULL, qr_hash TEXT NOT NULL);
      INSERT INTO bills VALUES ('b1', 1, 'o1', 'Old Shop', '1.00', 'HKD', 'c', 1, 1, 'paid', 'h');
      PRAGMA user_version = 1;`);
    old.close();
    const w = new Wallet({ dbPath });
    after(() => w.close());
    assert.equal(w.recent(1)[0].mandateId, null);
    const cols = (t: string) => (w.store.db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
    assert.ok(cols('orders').includes('mandate_id') && cols('orders').includes('mandate_seq') && cols('bills').includes('mandate_id'));
    assert.equal(w.store.db.pragma('user_version', { simple: true }), 2);
  });
});

// ---------------------------------------------------------------------------------------------- loopback server

describe('loopback server: registerMandate / createAgentOrder / mandates', () => {
  test('a mandate and an agent payment over JSON lines', async () => {
    const s = await setup();
    const srv = await startWalletServer(s.wallet, { port: 0 });
    const c = new WalletClient(srv.port);
    try {
      await c.connect();
      const { text, signature } = s.auth.signMandate(fields(s.agent));
      const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
      const reg = await c.call('registerMandate', { credentialId: s.auth.id, mandateText: text, signature: b64(signature) }) as { ok: boolean; id: string };
      assert.deepEqual([reg.ok, reg.id], [true, MID]);
      const req = s.agent.request(MID, 1, 'Luckin Coffee', '25.00', 'HKD');
      const o = await c.call('createAgentOrder', { request: { payload: req.payload, payee: 'Luckin Coffee', amount: '25.00', currency: 'HKD',
        mandateId: MID, seq: 1, agentSignature: b64(req.signature) } }) as AgentOrderResult;
      assert.equal(o.ok, true, JSON.stringify(o));
      if (!o.ok) return;
      const paid = await c.call('verifyPayment', { orderId: o.orderId, assertion: s.auth.getAssertion(o.challenge, o.payment, { up: false, uv: false }) }) as PaymentResult;
      assert.equal(paid.ok, true, JSON.stringify(paid));
      const bad = await c.call('createAgentOrder', { request: { payload: req.payload, payee: 'Luckin Coffee', amount: '25.00', currency: 'HKD',
        mandateId: MID, seq: 1, agentSignature: b64(req.signature) } }) as AgentOrderResult;
      assert.deepEqual(bad, { ok: false, reason: 'replayed_request', detail: 'seq 1, last 1' });
      const list = await c.call('mandates', { credentialId: s.auth.id }) as { mandates: { spent: string }[] };
      assert.equal(list.mandates[0].spent, '25.00');
    } finally {
      c.close();
      await srv.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------- the link

describe('PhoneLink: MANDATE and agent PAY_REQUEST messages', () => {
  const MTU = 64;
  async function send(link: PhoneLink, m: Map<CborValue, CborValue>): Promise<Map<CborValue, CborValue> | null> {
    const r = new Reassembler();
    let whole: { cmd: number; body: Uint8Array } | null = null;
    for (const f of fragment(CMD_MSG, cborEncode(m), MTU)) {
      for (const back of await link.receive(f)) whole = r.feed(back) ?? whole;
    }
    if (!whole) return null;
    assert.equal(whole.cmd, CMD_MSG);
    return cborDecode(whole.body).value as Map<CborValue, CborValue>;
  }
  const mandateMsg = (text: string, sig: Uint8Array, credId: Uint8Array) =>
    new Map<CborValue, CborValue>([[1, T.MANDATE], [2, new Uint8Array(Buffer.from(text))], [3, sig], [4, credId]]);
  const payMsg = (payload: string, payee: string, amount: string, currency: string, mid: string, seq: number, sig: Uint8Array) =>
    new Map<CborValue, CborValue>([[1, T.PAY_REQUEST], [2, new Uint8Array(Buffer.from(payload))], [3, payee], [4, amount], [5, currency],
      [6, false], [7, mid], [8, seq], [9, sig]]);

  test('MANDATE registers (record.mandate); agent request inside → CHALLENGE → ASSERTION (flags 0) → paid RECEIPT', async () => {
    const s = await setup();
    const link = new PhoneLink(s.wallet, MTU);
    const { text, signature } = s.auth.signMandate(fields(s.agent));
    // tampered first: recorded, nothing stored
    assert.equal(await send(link, mandateMsg(text.replace('50.00', '99.00'), signature, s.auth.credentialId)), null);
    assert.deepEqual(link.record.mandate, { ok: false, reason: 'bad_signature', id: undefined });
    assert.equal(await send(link, mandateMsg(text, signature, s.auth.credentialId)), null);
    assert.deepEqual(link.record.mandate, { ok: true, reason: undefined, id: MID });
    assert.equal(s.wallet.mandates(s.auth.id).length, 1);

    const req = s.agent.request(MID, 1, '7-Eleven', '25.00', 'HKD');
    const ch = await send(link, payMsg(req.payload, '7-Eleven', '25.00', 'HKD', MID, 1, req.signature));
    assert.equal(ch!.get(1), T.CHALLENGE);
    const orderId = ch!.get(2) as string;
    const challenge = Buffer.from(ch!.get(3) as Uint8Array).toString('base64url');
    assert.deepEqual(challengeQrHash(challenge), sha256(req.payload));
    assert.deepEqual(link.record.agent, { ok: true, mandateId: MID, seq: 1, orderId });
    const payment = { rpId: RP_ID, topOrigin: ORIGIN, payeeName: '7-Eleven', total: { currency: 'HKD', value: '25.00' },
      instrument: { displayName: 'Glasses wallet', icon: 'https://glasses.local/icon.png' } };
    const a = s.auth.getAssertion(challenge, payment, { up: false, uv: false });
    const rc = await send(link, new Map<CborValue, CborValue>([[1, T.ASSERTION], [2, orderId], [3, s.auth.credentialId],
      [4, fromB64u(a.response.authenticatorData)!], [5, fromB64u(a.response.clientDataJSON)!], [6, fromB64u(a.response.signature)!]]));
    assert.equal(rc!.get(1), T.RECEIPT);
    assert.equal(rc!.get(3), true, JSON.stringify(link.record.result));
    assert.equal(link.record.result!.bill!.mandateId, MID);
    assert.equal(s.wallet.mandates(s.auth.id)[0].spent, '25.00');
  });

  test('agent request outside → RECEIPT {2:"", 3:false, 4:reason} instead of a CHALLENGE', async () => {
    const s = await withMandate();
    const link = new PhoneLink(s.wallet, MTU);
    const cases: [string, number, string, string, string][] = [
      ['payee_not_allowed', 1, 'Starbucks', '10.00', 'HKD'],
      ['over_per_payment_limit', 1, '7-Eleven', '60.00', 'HKD'],
      ['currency_mismatch', 1, '7-Eleven', '10.00', 'USD'],
      ['replayed_request', 0, '7-Eleven', '10.00', 'HKD'],
    ];
    for (const [reason, seq, payee, amount, currency] of cases) {
      const req = s.agent.request(MID, seq, payee, amount, currency);
      const rc = await send(link, payMsg(req.payload, payee, amount, currency, MID, seq, req.signature));
      assert.deepEqual([...rc!.entries()], [[1, T.RECEIPT], [2, ''], [3, false], [4, reason]]);
      assert.equal(link.record.agent!.reason, reason);
    }
    const req = s.agent.request(MID, 1, '7-Eleven', '10.00', 'HKD');
    const bad = Uint8Array.from(req.signature);
    bad[0] ^= 0x80;
    assert.equal((await send(link, payMsg(req.payload, '7-Eleven', '10.00', 'HKD', MID, 1, bad)))!.get(4), 'bad_agent_signature');
    // keys 7–9 incomplete or mistyped → malformed
    const partial = payMsg(req.payload, '7-Eleven', '10.00', 'HKD', MID, 1, req.signature);
    partial.delete(9);
    assert.equal((await send(link, partial))!.get(4), 'malformed');
    const textSeq = payMsg(req.payload, '7-Eleven', '10.00', 'HKD', MID, 1, req.signature);
    textSeq.set(8, '1');
    assert.equal((await send(link, textSeq))!.get(4), 'malformed');
    assert.equal(billCount(s.wallet), 0);
    // a human PAY_REQUEST (no keys 7–9) still gets a CHALLENGE
    const human = new Map<CborValue, CborValue>([[1, T.PAY_REQUEST], [2, new Uint8Array(Buffer.from('QR'))], [3, 'Starbucks'],
      [4, '10.00'], [5, 'HKD'], [6, false]]);
    assert.equal((await send(link, human))!.get(1), T.CHALLENGE);
  });
});
