// Phone-wallet side of issue 9: a counter rollback flags the credential as cloned (WebAuthn §6.1.1), the owner can
// disable lost glasses, the phone's confirmation dialog shows the order the assertion names, orders finer than the
// currency's minor unit are refused, the database is 0600 in a 0700 folder, and the optional low-S policy.
// Run: node --import tsx --test tests/wallet-trust.test.ts
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { cborDecode, cborEncode, type CborValue } from '../host/phone/cbor.js';
import { ORIGIN, RP_ID } from '../host/phone/config.js';
import { CMD_MSG, GLASSES_INSTRUMENT, PhoneLink, Reassembler, T, fragment } from '../host/phone/glasses-link.js';
import { startWalletServer, WalletClient } from '../host/phone/server.js';
import { SoftAgent, SoftAuthenticator } from '../host/phone/soft-authenticator.js';
import { Wallet, type OrderInput, type PaymentResult } from '../host/phone/wallet.js';
import { P256_N, b64u, derSignatureS, fromB64u, isHighS, rawToDer, sha256 } from '../host/phone/wire.js';

const dir = mkdtempSync(join(tmpdir(), 'wallet-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const freshDb = (): string => join(dir, `w${++seq}`, 'wallet.sqlite');
const coffee: OrderInput = { payee: 'Luckin Coffee', amount: '25.00', currency: 'HKD', qrPayload: 'qr-coffee' };

async function setup(dbPath = freshDb(), opts: { requireLowS?: boolean } = {}) {
  const clock = { t: Date.UTC(2026, 11, 5, 12, 0, 0) };
  const wallet = new Wallet({ dbPath, now: () => clock.t, ...opts });
  const auth = new SoftAuthenticator();
  const { challenge } = wallet.beginRegistration();
  assert.equal((await wallet.register(auth.makeCredential(challenge))).ok, true);
  return { wallet, auth, clock, dbPath };
}

function refused(r: PaymentResult, reason: string): void {
  assert.equal(r.ok, false, `expected ${reason}, got ${JSON.stringify(r)}`);
  assert.equal(r.reason, reason, JSON.stringify(r));
}

async function pay(wallet: Wallet, auth: SoftAuthenticator, order: OrderInput = coffee, signCount?: number): Promise<PaymentResult> {
  const o = wallet.createOrder(order);
  return wallet.verifyPayment(o.orderId, auth.getAssertion(o.challenge, o.payment, signCount === undefined ? {} : { signCount }));
}

// ------------------------------------------------------------------------------------------- cloned authenticator

describe('counter rollback = cloned authenticator (issue 9 item 8)', () => {
  test('a fresh, validly signed assertion with an old counter flags the credential; every later payment is refused', async () => {
    const { wallet, auth, dbPath } = await setup();
    assert.equal((await pay(wallet, auth, coffee, 10)).ok, true);
    // an older sealed state was restored: the glasses sign again with counter 7
    refused(await pay(wallet, auth, coffee, 7), 'counter_rollback');
    // from now on the credential is refused, even with a counter above the stored one
    const later = await pay(wallet, auth, coffee, 11);
    refused(later, 'cloned_authenticator');
    assert.match(later.detail!, /signed 7, stored 10/);
    assert.equal(wallet.credential(auth.id)!.status, 'cloned');
    assert.equal(wallet.credential(auth.id)!.clonedDetail, 'signed 7, stored 10');
    // the bill query says so: the bill paid with this credential carries its status
    assert.deepEqual(wallet.recent(5).map((b) => [b.amount, b.credentialStatus]), [['25.00', 'cloned']]);
    wallet.close();
    // persisted: a new Wallet on the same file still refuses
    const again = new Wallet({ dbPath });
    refused(await pay(again, auth, coffee, 12), 'cloned_authenticator');
    again.close();
  });

  test('mandates and agent orders of a cloned credential are refused too', async () => {
    const { wallet, auth, clock } = await setup();
    const agent = new SoftAgent();
    const fields = {
      v: 1 as const, id: '0123456789abcdef', agent: agent.publicHex, currency: 'HKD', perPayment: '50.00', budget: '200.00',
      payees: ['Luckin Coffee'], expires: clock.t + 86_400_000,
    };
    const m = auth.signMandate(fields);
    assert.equal(wallet.registerMandate(auth.id, m.text, m.signature).ok, true);
    assert.equal((await pay(wallet, auth, coffee, 5)).ok, true);
    refused(await pay(wallet, auth, coffee, 5), 'counter_rollback');
    const r = agent.request(fields.id, 1, 'Luckin Coffee', '10.00', 'HKD');
    const ao = wallet.createAgentOrder({ payload: r.payload, payee: 'Luckin Coffee', amount: '10.00', currency: 'HKD',
      mandateId: fields.id, seq: 1, agentSignature: r.signature });
    assert.deepEqual([ao.ok, !ao.ok && ao.reason], [false, 'cloned_authenticator']);
    const m2 = auth.signMandate({ ...fields, id: 'fedcba9876543210' });
    assert.equal(wallet.registerMandate(auth.id, m2.text, m2.signature).reason, 'cloned_authenticator');
    wallet.close();
  });

  test('only the real key can flag: a forged signature or a replayed old assertion leaves the credential active', async () => {
    const { wallet, auth } = await setup();
    const o1 = wallet.createOrder(coffee);
    const a1 = auth.getAssertion(o1.challenge, o1.payment, { signCount: 10 });
    assert.equal((await wallet.verifyPayment(o1.orderId, a1)).ok, true);
    // replaying the paid assertion (old counter, valid signature, but an old challenge) is a replay, not a clone
    refused(await wallet.verifyPayment(o1.orderId, a1), 'replay');
    const o2 = wallet.createOrder(coffee);
    refused(await wallet.verifyPayment(o2.orderId, a1), 'replay');
    // a stranger's key, presenting our credential ID with a low counter
    const forger = new SoftAuthenticator({ credentialId: auth.credentialId });
    refused(await wallet.verifyPayment(o2.orderId, forger.getAssertion(o2.challenge, o2.payment, { signCount: 1 })), 'bad_signature');
    assert.equal(wallet.credential(auth.id)!.status, 'active');
    assert.equal((await wallet.verifyPayment(o2.orderId, auth.getAssertion(o2.challenge, o2.payment, { signCount: 11 }))).ok, true);
    wallet.close();
  });

  test('re-pairing (a new credential) pays again; the loopback bill query lists the flagged credential', async () => {
    const { wallet, auth } = await setup();
    assert.equal((await pay(wallet, auth, coffee, 3)).ok, true);
    refused(await pay(wallet, auth, coffee, 2), 'counter_rollback');
    const repaired = new SoftAuthenticator();
    assert.equal((await wallet.register(repaired.makeCredential(wallet.beginRegistration().challenge))).ok, true);
    assert.equal((await pay(wallet, repaired)).ok, true);
    const srv = await startWalletServer(wallet);
    const c = new WalletClient(srv.port, '127.0.0.1', 5000);
    await c.connect();
    const r = await c.call<{ bills: { credentialId: string; credentialStatus: string }[]; flagged: { id: string; status: string }[] }>('recent', { n: 5 });
    assert.deepEqual(r.bills.map((b) => [b.credentialId, b.credentialStatus]), [[repaired.id, 'active'], [auth.id, 'cloned']]);
    assert.deepEqual(r.flagged.map((f) => [f.id, f.status]), [[auth.id, 'cloned']]);
    c.close();
    await srv.close();
    wallet.close();
  });
});

// ------------------------------------------------------------------------------------------- disable device

describe('disableDevice / isDisabled (lost glasses)', () => {
  test('a disabled credential is refused for payments, mandates and agent orders; persisted; unknown IDs throw', async () => {
    const { wallet, auth, dbPath } = await setup();
    assert.equal(wallet.isDisabled(auth.id), false);
    assert.equal((await pay(wallet, auth)).ok, true);
    const open = wallet.createOrder(coffee);
    wallet.disableDevice(auth.id);
    wallet.disableDevice(auth.id); // idempotent
    assert.equal(wallet.isDisabled(auth.id), true);
    refused(await wallet.verifyPayment(open.orderId, auth.getAssertion(open.challenge, open.payment)), 'device_disabled');
    assert.equal(wallet.credential(auth.id)!.status, 'disabled');
    assert.equal(wallet.recent(1)[0].credentialStatus, 'disabled');
    assert.throws(() => wallet.disableDevice('AAAA'), /no paired credential/);
    assert.throws(() => wallet.disableDevice('not base64url!'), /base64url/);
    assert.equal(wallet.isDisabled('AAAA'), false);
    wallet.close();
    const again = new Wallet({ dbPath });
    assert.equal(again.isDisabled(auth.id), true);
    refused(await pay(again, auth), 'device_disabled');
    again.close();
  });

  test('an older wallet file (credentials without the flag columns) is migrated on open and can be disabled', async () => {
    const dbPath = freshDb();
    mkdirSync(join(dbPath, '..'), { recursive: true });
    const old = new Database(dbPath);
    old.exec(`CREATE TABLE credentials (id TEXT PRIMARY KEY, public_key BLOB NOT NULL, sign_count INTEGER NOT NULL,
      fmt TEXT NOT NULL, aaguid TEXT NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER);
      INSERT INTO credentials VALUES ('AAAA', x'00', 3, 'none', '', 1, NULL);`);
    old.close();
    const w = new Wallet({ dbPath });
    assert.equal(w.credential('AAAA')!.status, 'active');
    w.disableDevice('AAAA');
    assert.equal(w.isDisabled('AAAA'), true);
    w.close();
  });

  test('loopback ops disableDevice / isDisabled / credentials', async () => {
    const { wallet, auth } = await setup();
    const srv = await startWalletServer(wallet);
    const c = new WalletClient(srv.port, '127.0.0.1', 5000);
    await c.connect();
    assert.deepEqual(await c.call('isDisabled', { credentialId: auth.id }), { disabled: false });
    const d = await c.call<{ disabled: boolean; credential: { status: string } }>('disableDevice', { credentialId: auth.id });
    assert.deepEqual([d.disabled, d.credential.status], [true, 'disabled']);
    assert.deepEqual(await c.call('isDisabled', { credentialId: auth.id }), { disabled: true });
    await assert.rejects(c.call('disableDevice', { credentialId: 'AAAA' }), /bad_request/);
    const l = await c.call<{ credentials: { id: string; status: string }[] }>('credentials');
    assert.deepEqual(l.credentials.map((x) => [x.id, x.status]), [[auth.id, 'disabled']]);
    c.close();
    await srv.close();
    wallet.close();
  });

  test('CLI: server.ts credentials / disable-device ID --db FILE', async () => {
    const { wallet, auth, dbPath } = await setup();
    wallet.close();
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'host/phone/server.ts', ...args], { encoding: 'utf8' });
    const list = run('credentials', '--db', dbPath);
    assert.equal(list.status, 0, list.stderr);
    assert.equal(JSON.parse(list.stdout).credentials[0].status, 'active');
    const d = run('disable-device', auth.id, '--db', dbPath);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(JSON.parse(d.stdout).credential.status, 'disabled');
    const bad = run('disable-device', 'AAAA', '--db', dbPath);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no paired credential AAAA/);
    assert.match(run('--help').stdout, /disable-device CRED_ID/);
    const w = new Wallet({ dbPath });
    assert.equal(w.isDisabled(auth.id), true);
    w.close();
  });
});

// ------------------------------------------------------------------------------------------- phone dialog

/** Sends one CBOR message through the link and returns the decoded reply messages. */
async function exchange(link: PhoneLink, m: Map<CborValue, CborValue>, mtu: number): Promise<Map<CborValue, CborValue>[]> {
  const out: Map<CborValue, CborValue>[] = [];
  const reasm = new Reassembler();
  for (const f of fragment(CMD_MSG, cborEncode(m), mtu)) {
    for (const r of await link.receive(f)) {
      const whole = reasm.feed(r);
      if (whole) out.push(cborDecode(whole.body).value as Map<CborValue, CborValue>);
    }
  }
  return out;
}

describe('the phone confirmation dialog (issue 9 item 9)', () => {
  test('shows the order named in the assertion, not the latest order', async () => {
    const { wallet, auth } = await setup();
    const shown: string[] = [];
    const mtu = 64;
    const link = new PhoneLink(wallet, mtu, async (o) => { shown.push(`${o.payee} ${o.amount} ${o.currency}`); return true; });
    const request = (payee: string, amount: string) => new Map<CborValue, CborValue>([
      [1, T.PAY_REQUEST], [2, new TextEncoder().encode(`qr:${payee}`)], [3, payee], [4, amount], [5, 'HKD'], [6, true]]);
    const [jeweller] = await exchange(link, request('Jeweller', '1900.00'), mtu);
    const [cafe] = await exchange(link, request('Cafe', '5.00'), mtu);
    assert.equal(jeweller.get(1), T.CHALLENGE);
    assert.equal(cafe.get(1), T.CHALLENGE);
    const orderId = jeweller.get(2) as string;
    const challenge = b64u(jeweller.get(3) as Uint8Array);
    const a = auth.getAssertion(challenge, {
      rpId: RP_ID, topOrigin: ORIGIN, payeeName: 'Jeweller', total: { currency: 'HKD', value: '1900.00' }, instrument: GLASSES_INSTRUMENT,
    });
    const [receipt] = await exchange(link, new Map<CborValue, CborValue>([
      [1, T.ASSERTION], [2, orderId], [3, fromB64u(a.id)!], [4, fromB64u(a.response.authenticatorData)!],
      [5, fromB64u(a.response.clientDataJSON)!], [6, fromB64u(a.response.signature)!]]), mtu);
    assert.deepEqual(shown, ['Jeweller 1900.00 HKD']);
    assert.equal(receipt.get(1), T.RECEIPT);
    assert.equal(receipt.get(3), true, String(receipt.get(4)));
    assert.equal(wallet.recent(1)[0].payee, 'Jeweller');
    assert.deepEqual(wallet.order(orderId), {
      orderId, payee: 'Jeweller', amount: '1900.00', currency: 'HKD', status: 'paid', expiresAt: wallet.order(orderId)!.expiresAt, mandateId: null,
    });
    assert.equal(wallet.order('no-such-order'), undefined);
    wallet.close();
  });
});

// ------------------------------------------------------------------------------------------- minor units, file modes

describe('orders and the database file (issue 9 item 10)', () => {
  test('an amount finer than the currency\'s minor unit is refused; coarser or exact amounts are accepted', async () => {
    const { wallet } = await setup();
    for (const [amount, currency] of [['0.001', 'HKD'], ['25.001', 'HKD'], ['5.5', 'JPY'], ['1.0000', 'KWD'], ['0.10', 'JPY']]) {
      assert.throws(() => wallet.createOrder({ ...coffee, amount, currency }), /finer than its minor unit/, `${amount} ${currency}`);
    }
    for (const [amount, currency] of [['25.00', 'HKD'], ['25', 'HKD'], ['25.5', 'HKD'], ['3000', 'JPY'], ['1.500', 'KWD'], ['1.2345', 'CLF']]) {
      assert.equal(typeof wallet.createOrder({ ...coffee, amount, currency }).orderId, 'string', `${amount} ${currency}`);
    }
    wallet.close();
  });

  test('wallet.sqlite (and its -wal/-shm) is 0600 in a 0700 folder; existing loose ones are tightened, shared sticky folders kept', async () => {
    const old = process.umask(0o022); // the usual umask, which would give 0644 / 0755
    try {
      const { wallet, auth, dbPath } = await setup(join(dir, `modes${++seq}`, 'nested', 'wallet.sqlite'));
      assert.equal((await pay(wallet, auth)).ok, true);
      assert.equal(statSync(join(dbPath, '..')).mode & 0o777, 0o700);
      for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
      wallet.close();

      // an existing 0644 file in an existing 0755 folder (as `mkdir data` leaves it): both tightened
      const looseDir = join(dir, `loose${++seq}`);
      mkdirSync(looseDir, { mode: 0o755 });
      const loose = join(looseDir, 'wallet.sqlite');
      closeSync(openSync(loose, 'w', 0o644));
      chmodSync(loose, 0o644);
      new Wallet({ dbPath: loose }).close();
      assert.equal(statSync(loose).mode & 0o777, 0o600);
      assert.equal(statSync(looseDir).mode & 0o777, 0o700);
      // a shared sticky folder (as /tmp) keeps its mode; the file in it is still 0600
      const sticky = join(dir, `sticky${++seq}`);
      mkdirSync(sticky);
      chmodSync(sticky, 0o1777);
      new Wallet({ dbPath: join(sticky, 'wallet.sqlite') }).close();
      assert.equal(statSync(sticky).mode & 0o7777, 0o1777);
      assert.equal(statSync(join(sticky, 'wallet.sqlite')).mode & 0o777, 0o600);
    } finally {
      process.umask(old);
    }
  });
});

// ------------------------------------------------------------------------------------------- low-S policy

/** The same signature with s replaced by n - s (still valid: ECDSA's malleability). */
function flipS(a: AuthenticationResponseJSON): AuthenticationResponseJSON {
  const der = fromB64u(a.response.signature)!;
  const rLen = der[3];
  const r = BigInt('0x' + Buffer.from(der.subarray(4, 4 + rLen)).toString('hex'));
  const s = derSignatureS(der)!;
  const hex = (x: bigint) => x.toString(16).padStart(64, '0');
  const raw = Buffer.from(hex(r) + hex(P256_N - s), 'hex');
  return { ...a, response: { ...a.response, signature: b64u(rawToDer(new Uint8Array(raw))) } };
}

describe('signature malleability policy', () => {
  test('default: both twins verify; requireLowS: the high-S twin is bad_signature, the low-S one pays', async () => {
    for (const requireLowS of [false, true]) {
      const { wallet, auth } = await setup(freshDb(), { requireLowS });
      const o = wallet.createOrder(coffee);
      const a = auth.getAssertion(o.challenge, o.payment);
      const b = flipS(a);
      const [low, high] = isHighS(derSignatureS(fromB64u(a.response.signature)!)!) ? [b, a] : [a, b];
      assert.equal(isHighS(derSignatureS(fromB64u(high.response.signature)!)!), true);
      const r = await wallet.verifyPayment(o.orderId, high);
      if (requireLowS) {
        refused(r, 'bad_signature');
        assert.match(r.detail!, /high-S/);
        assert.equal((await wallet.verifyPayment(o.orderId, low)).ok, true);
      } else {
        assert.equal(r.ok, true, JSON.stringify(r));
      }
      wallet.close();
    }
  });

  test('derSignatureS reads s from DER and refuses other shapes', () => {
    const raw = new Uint8Array(64);
    raw[31] = 1;
    raw[32] = 0x80; // s with its top bit set: DER adds a 0x00
    raw[63] = 7;
    const s = derSignatureS(rawToDer(raw))!;
    assert.equal(s, BigInt('0x80' + '00'.repeat(30) + '07'));
    assert.equal(isHighS(s), true);
    assert.equal(isHighS((P256_N - 1n) / 2n), false);
    assert.equal(isHighS((P256_N + 1n) / 2n), true);
    assert.equal(derSignatureS(new Uint8Array([0x30, 0x02, 0x02, 0x00])), null);
    assert.equal(derSignatureS(sha256('not a signature')), null);
  });
});
