// The firmware's signature policy seen from the phone: every signature the glasses send (the pairing
// self-attestation and each payment assertion) is low-S, so a wallet with `requireLowS` pays them all.
// Before the policy, about half of the firmware's RFC 6979 signatures were high-S.
// Run: node --import tsx --test tests/wallet-lows.test.ts
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { openDevice, type Device } from '../host/engine/index.ts';
import { DeviceDriver } from '../host/driver.ts';
import { StateStore } from '../host/state-store.ts';
import { Wallet } from '../host/phone/wallet.ts';
import { PhoneLink } from '../host/phone/glasses-link.ts';
import { PhoneLinkServer } from '../host/phone/link-server.ts';
import { connectLoopback } from '../host/link/loopback.ts';
import { loadBoard } from '../host/boards.ts';
import { cborDecode, type CborValue } from '../host/phone/cbor.ts';
import { derSignatureS, fromB64u, isHighS } from '../host/phone/wire.ts';
import { sharedPath } from '../host/shared.ts';

const PAYMENTS = 12;
const payloads = JSON.parse(readFileSync(sharedPath('vectors/payment-qr/payloads.json'), 'utf8'));
const PIX = payloads.find((e: any) => e.crcValid && e.fields?.merchantName === 'Pix' && e.fields?.amount === '73.62').payload as string;
const S = { confirming: 2, done: 6 };
const CONSENT_ACCEPTED = 1;   // voice/consent.ts (interfaces.md A)

const dir = mkdtempSync(path.join(tmpdir(), 'wallet-lows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test(`every signature from the firmware is low-S: pairing + ${PAYMENTS} payments, paid by a wallet that requires it`, async () => {
  const wallet = new Wallet({ dbPath: path.join(dir, 'wallet.sqlite'), requireLowS: true });
  const registrations: RegistrationResponseJSON[] = [];
  const register = wallet.register.bind(wallet);
  wallet.register = (r) => { registrations.push(r); return register(r); };
  const board = 'mcu-s3';
  const mtu = loadBoard(board).link.mtu;
  const phone = new PhoneLink(wallet, mtu, async () => true);
  const server = new PhoneLinkServer(phone, mtu);
  await server.listen();
  let dev: Device | undefined;
  const sock = await (async () => {
    dev = await openDevice({ board, init: true, target: "test", secret: new Uint8Array(32).map((_, i) => (i * 53 + 7) & 0xff) });
    return connectLoopback(server.port, mtu);
  })();
  try {
    const driver = new DeviceDriver(dev!, sock, new StateStore(path.join(dir, 'state.bin')));
    await driver.setup();
    await driver.loadState();
    let t = 1_800_000_000_000;
    await driver.pump(t);

    // pairing
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await dev!.call('pairBegin', BigInt(t)), 0);   // the wearer opens pairing mode
    server.send(phone.beginRegistration());
    const f = await sock.next(2000);
    assert.ok(f, 'no registration challenge arrived');
    await dev!.write(driver.pointer('linkRxBuffer'), f!);
    assert.equal(await dev!.call('onLinkRx', f!.length), 0);
    await driver.pump(t, 300);
    assert.equal(await dev!.call('onButton', 1, BigInt(t)), 0);    // and confirms (first pairing: the button)
    await driver.pump(t, 2000);
    await new Promise((r) => setTimeout(r, 50));
    await driver.pump(t, 0);
    assert.equal(phone.record.registration?.ok, true, JSON.stringify(phone.record));
    await dev!.call('testInjectConsent', 1);                      // test build: consent outcomes injected below
    assert.equal(registrations.length, 1);
    const att = cborDecode(fromB64u(registrations[0].response.attestationObject)!).value as Map<CborValue, CborValue>;
    const attSig = (att.get('attStmt') as Map<CborValue, CborValue>).get('sig') as Uint8Array;
    assert.equal(isHighS(derSignatureS(attSig)!), false, 'self-attestation signature is high-S');

    const seen = new Set<string>();
    for (let i = 0; i < PAYMENTS; i++) {
      t += 60_000;
      assert.equal(await dev!.call('payBegin', BigInt(t)), 0);
      const bytes = new TextEncoder().encode(PIX);
      await dev!.write(driver.pointer('frameBuffer'), bytes);
      await dev!.call('onQrText', bytes.length, BigInt(t));
      await driver.pump(t, 2000);
      assert.equal(await dev!.call('payState'), S.confirming, `payment ${i}`);
      t += 1500;
      await dev!.call('onConsentOutcome', CONSENT_ACCEPTED, BigInt(t));
      await driver.pump(t, 3000);
      const r = phone.record.result!;
      assert.equal(r.ok, true, `payment ${i}: ${JSON.stringify(r)}`);
      const sig = phone.record.assertion!.response.signature;
      assert.ok(!seen.has(sig), 'a new assertion each time');
      seen.add(sig);
      const s = derSignatureS(fromB64u(sig)!);
      assert.ok(s !== null && !isHighS(s), `payment ${i}: high-S signature ${sig}`);
    }
    assert.equal(seen.size, PAYMENTS);
    assert.equal(wallet.recent(100).length, PAYMENTS);
  } finally {
    sock.close();
    await server.close();
    await dev?.close();
    wallet.close();
  }
});
