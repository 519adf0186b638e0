// A pair of glasses (the firmware's test build) and the reference phone wallet over the loopback link, for
// the session tests. Consent outcomes are either injected (test hook onConsentOutcome, as the voice engine
// would report them) or heard from audio (tests that play recordings).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDevice, type Device } from "../host/engine/index.ts";
import { DeviceDriver } from "../host/driver.ts";
import { StateStore } from "../host/state-store.ts";
import { Wallet } from "../host/phone/wallet.ts";
import { PhoneLink } from "../host/phone/glasses-link.ts";
import { PhoneLinkServer } from "../host/phone/link-server.ts";
import { connectLoopback, type FragmentSocket } from "../host/link/loopback.ts";
import { loadBoard } from "../host/boards.ts";
import { BUTTON } from "../host/generated/abi.ts";

export const S = { idle: 0, scanning: 1, confirming: 2, verifying: 3, signing: 4, awaiting: 5, done: 6, cancelled: 7, failed: 8, pairing: 9 };
// voice/consent.ts outcomes (interfaces.md A)
export const C = { pending: 0, accepted: 1, wrongCode: 2, refused: 3, voiceMismatch: 4, noProfile: 5 };
export const BUTTON_CONFIRM = BUTTON.CONFIRM;

export class Rig {
  dir = mkdtempSync(path.join(tmpdir(), "glasses-session-"));
  wallet = new Wallet({ dbPath: path.join(this.dir, "wallet.sqlite") });
  confirmAnswer = true;
  phone!: PhoneLink;
  server!: PhoneLinkServer;
  dev!: Device;
  sock!: FragmentSocket;
  driver!: DeviceDriver;
  store = new StateStore(path.join(this.dir, "state.bin"));
  secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  t = 1_800_000_000_000;
  mtu: number;

  constructor(public board = "mcu-s3", public inject = true) { this.mtu = loadBoard(board).link.mtu; }

  async start(): Promise<void> {
    this.phone = new PhoneLink(this.wallet, this.mtu, async () => this.confirmAnswer);
    this.server = new PhoneLinkServer(this.phone, this.mtu);
    await this.server.listen();
    await this.boot();
  }
  /** (Re)starts the glasses: a fresh instance that loads the stored state, as after a reboot. */
  async boot(): Promise<void> {
    if (this.sock) { this.sock.close(); await new Promise((r) => setTimeout(r, 50)); }
    this.dev = await openDevice({ board: this.board, init: true, secret: this.secret, target: "test" });
    this.sock = await connectLoopback(this.server.port, this.mtu);
    this.driver = new DeviceDriver(this.dev, this.sock, this.store);
    await this.driver.setup();
    await this.driver.loadState();
    if (this.inject && this.paired) await this.dev.call("testInjectConsent", 1);
    await this.driver.pump(this.t);
  }
  paired = false;
  events(type: string): any[] { return this.driver.events.filter((e) => e.type === type); }
  last(type: string): any { return this.events(type).at(-1); }
  reason(): string { return this.last("state")?.reason ?? ""; }
  state(): Promise<number> { return this.dev.call("payState"); }

  /** Sends the phone's registration challenge (raw fragments from the phone) and lets both sides answer. */
  async deliverFromPhone(frags: Uint8Array[], waitMs = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, 20));
    this.server.send(frags);
    for (let k = 0; k < frags.length; k++) {
      const f = await this.sock.next(2000);
      assert.ok(f, "no fragment arrived from the phone");
      await this.dev.write(this.driver.pointer("linkRxBuffer"), f!);
      await this.dev.call("onLinkRx", f!.length);
    }
    await this.driver.pump(this.t, waitMs);
    await new Promise((r) => setTimeout(r, 30));
    await this.driver.pump(this.t, 0);
  }

  /** Pairing as the wearer does it: pairing mode on the glasses, the phone registers, the wearer confirms. */
  async pair(phoneName = "Test phone"): Promise<void> {
    this.t += 100;
    assert.equal(await this.dev.call("pairBegin", BigInt(this.t)), 0, "pairing mode refused");
    await this.deliverFromPhone(this.phone.beginRegistration(phoneName));
    const ask = this.last("confirm");
    assert.equal(ask?.what, "pairing", JSON.stringify(this.driver.events.slice(-5)));
    assert.equal(ask.phone, phoneName);
    assert.equal(ask.comparison, this.phone.record.pairing?.comparison, "both sides show the same comparison code");
    this.t += 500;
    if (ask.confirm_by === "button") assert.equal(await this.dev.call("onButton", BUTTON_CONFIRM, BigInt(this.t)), 0);
    else assert.equal(await this.dev.call("onConsentOutcome", C.accepted, BigInt(this.t)), 0);
    await this.driver.pump(this.t, 300);
    await new Promise((r) => setTimeout(r, 50));
    await this.driver.pump(this.t, 0);
    assert.equal(this.phone.record.registration?.ok, true, JSON.stringify(this.phone.record));
    this.paired = true;
    if (this.inject) assert.equal(await this.dev.call("testInjectConsent", 1), 0);
    await this.driver.saveState();
  }

  async scan(text: string): Promise<number> {
    this.t += 100;
    await this.dev.call("payBegin", BigInt(this.t));
    const bytes = new TextEncoder().encode(text);
    await this.dev.write(this.driver.pointer("frameBuffer"), bytes);
    await this.dev.call("onQrText", bytes.length, BigInt(this.t));
    await this.driver.pump(this.t, 2000);
    return this.state();
  }

  /** The voice engine's verdict on the code on the HUD. */
  async consent(outcome: number): Promise<number> {
    this.t += 1500;
    await this.dev.call("onConsentOutcome", outcome, BigInt(this.t));
    await this.driver.pump(this.t, 3000);
    return this.state();
  }

  async tick(ms: number): Promise<void> {
    this.t += ms;
    await this.dev.call("tick", BigInt(this.t));
    await this.driver.pump(this.t, 300);
  }

  async setLimitNow(currency: string, quick: bigint, cap: bigint): Promise<number> {
    await this.dev.write(this.driver.pointer("frameBuffer"), new TextEncoder().encode(currency));
    return this.dev.call("setLimitUnconfirmed", quick, cap);
  }

  async stop(): Promise<void> {
    this.sock?.close();
    await this.server.close();
    this.wallet.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
