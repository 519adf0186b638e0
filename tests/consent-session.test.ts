// The spoken-code consent in the session (issue 10 item 1, issue 9 items 2, 5, 6, 7 and the anchors' "no
// link, no payment" and remote disable): the firmware draws each code from its DRBG and shows it; only the
// voice engine's CONSENT_ACCEPTED signs; a wrong code gets one new code; failures count per day and turn
// quick pay off until the wearer confirms on the phone. Outcomes are injected with the test build's hook, as
// the voice engine reports them (its own tests cover hearing the code).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { openDevice, drainEvents } from "../host/engine/index.ts";
import { Rig, S, C } from "./session-rig.ts";
import { ConsentEngine } from "../host/commands/consent.ts";
import { BUTTON } from "../host/generated/abi.ts";

const payloads = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../shared/vectors/payment-qr/payloads.json"), "utf8"));
const find = (pred: (e: any) => boolean) => payloads.find(pred)!.payload as string;
const PIX = find((e) => e.crcValid && e.fields?.merchantName === "Pix" && e.fields?.amount === "73.62");          // BRL 73.62
const FPS = find((e) => e.crcValid && e.scheme === "HK-FPS" && e.fields?.amount === "100.5");                      // HKD 100.50
let VOCAB: string[] = [];   // the firmware's code vocabulary, as its consent kernel reports it (no copy here)
before(async () => { const e = await ConsentEngine.open({ board: "mcu-s3" }); VOCAB = e.vocabulary(); await e.close(); });

describe("the code on the HUD", () => {
  test("every confirmation draws a fresh 3-word code from the firmware's random source", async () => {
    const dev = await openDevice({ board: "mcu-s3", init: true, target: "test" });
    await dev.call("testMarkPaired");
    await dev.call("testInjectConsent", 1);
    const payload = new TextEncoder().encode(PIX);
    const seen = new Map<string, number>();
    const words = new Map<string, number>();
    let t = 1_800_000_000_000n;
    const N = 250;
    for (let i = 0; i < N; i++) {
      t += 100_000n;
      assert.equal(await dev.call("payBegin", t), 0);
      await dev.write(await dev.call("frameBuffer"), payload);
      await dev.call("onQrText", payload.length, t);
      const ev = (await drainEvents(dev)).filter((e: any) => e.type === "confirm");
      assert.equal(ev.length, 1);
      const c = ev[0];
      assert.equal(c.what, "payment");
      assert.equal(c.code.length, 3);
      for (const w of c.code) { assert.ok(VOCAB.includes(w), w); words.set(w, (words.get(w) ?? 0) + 1); }
      assert.deepEqual([c.payee, c.amount, c.currency, c.attempt, c.deadline_ms], ["Pix", "73.62", "BRL", 1, 15000]);
      // what the event says is what the HUD shows (the code the session will accept)
      const packed = await dev.call("testCurrentCode");
      assert.deepEqual([packed & 0xff, (packed >> 8) & 0xff, (packed >> 16) & 0xff].map((k) => VOCAB[k]), c.code);
      assert.equal(await dev.call("hudDirty"), 1);
      seen.set(c.code.join(" "), (seen.get(c.code.join(" ")) ?? 0) + 1);
      await dev.call("onButton", BUTTON.CANCEL, t);   // the wearer cancels
      await drainEvents(dev);
      while ((await dev.call("linkTx")) > 0);
    }
    // 250 draws of 125 equally likely codes: about 108 distinct expected; every word about 150 times.
    assert.ok(seen.size >= 90, `only ${seen.size} distinct codes in ${N} prompts`);
    assert.ok(Math.max(...seen.values()) <= 10, "one code repeats far too often");
    for (const w of VOCAB) assert.ok((words.get(w) ?? 0) > 100, `${w}: ${words.get(w)}`);
    await dev.close();
  });
});

describe("consent outcomes", () => {
  const rig = new Rig();
  before(async () => { await rig.start(); await rig.pair(); });
  after(async () => { await rig.stop(); });

  test("only ACCEPTED signs: the assertion carries UP and UV", async () => {
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.pending), S.confirming);
    assert.equal(rig.phone.record.assertion, undefined);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    assert.equal(rig.last("consent").result, "accepted");
    const flags = Buffer.from(rig.phone.record.assertion!.response.authenticatorData, "base64url")[32];
    assert.equal(flags & 0x05, 0x05);
  });

  test("a wrong code shows one new code; a second failure ends the session unsigned", async () => {
    const before = rig.phone.record.assertion;
    assert.equal(await rig.scan(PIX), S.confirming);
    const first = rig.last("confirm");
    assert.equal(await rig.consent(C.wrongCode), S.confirming);
    const second = rig.last("confirm");
    assert.notEqual(second, first);
    assert.equal(second.attempt, 2);
    assert.equal(await rig.consent(C.wrongCode), S.failed);
    assert.match(rig.reason(), /wrong code/);
    assert.equal(rig.phone.record.assertion, before);
    assert.equal(rig.last("consent").result, "wrong_code");
  });

  test("a refusal cancels at once, whatever the attempt", async () => {
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.voiceMismatch), S.confirming);
    assert.equal(await rig.consent(C.refused), S.cancelled);
    assert.equal(rig.phone.record.cancelled, "wearer_refused");
  });

  test("5 failures in a day turn quick pay off (persisted) until a payment is confirmed on the phone", async () => {
    // 3 failures so far today (2 wrong codes, 1 voice mismatch); two more:
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(rig.phone.record.order!.phoneConfirm, false, "quick pay still on");
    assert.equal(await rig.consent(C.voiceMismatch), S.confirming);
    assert.equal(rig.events("quick_pay_off").length, 0);
    assert.equal(await rig.consent(C.wrongCode), S.failed);
    assert.equal(rig.events("quick_pay_off").length, 1);
    await rig.boot();                                            // the lockout survives a reboot
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(rig.phone.record.order!.phoneConfirm, true, "BRL 73.62 is under the quick-pay limit, but quick pay is off");
    assert.match(rig.reason(), /quick_pay_off/);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());   // the phone confirmed (confirmAnswer = true)
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(rig.phone.record.order!.phoneConfirm, false, "quick pay back on after the phone confirmation");
    assert.equal(await rig.consent(C.refused), S.cancelled);
  });

  test("a policy change from the device face waits for the wearer's code", async () => {
    await rig.dev.write(rig.driver.pointer("frameBuffer"), new TextEncoder().encode("HKD"));
    rig.t += 100;
    assert.equal(await rig.dev.call("setLimit", 5000n, 200000n, BigInt(rig.t)), 0);
    await rig.driver.pump(rig.t);
    const ask = rig.last("confirm");
    assert.deepEqual([ask.what, ask.currency, ask.quick, ask.cap], ["policy", "HKD", "50.00", "2000.00"]);
    assert.equal(await rig.consent(C.refused), S.cancelled);
    assert.equal(await rig.scan(FPS), S.confirming);
    assert.equal(rig.phone.record.order!.phoneConfirm, false, "HK$100.50 still under the unchanged HK$200 quick-pay limit");
    assert.equal(await rig.consent(C.refused), S.cancelled);
    await rig.dev.write(rig.driver.pointer("frameBuffer"), new TextEncoder().encode("HKD"));
    rig.t += 100;
    assert.equal(await rig.dev.call("setLimit", 5000n, 200000n, BigInt(rig.t)), 0);
    await rig.driver.pump(rig.t);
    assert.equal(await rig.consent(C.accepted), S.done);
    assert.equal(await rig.scan(FPS), S.confirming);
    assert.equal(rig.phone.record.order!.phoneConfirm, true, "now above the HK$50 limit");
    assert.equal(await rig.consent(C.refused), S.cancelled);
  });

  test("no link, no payment: a phone that does not answer fails the session with a no_link event", async () => {
    const receive = rig.phone.receive.bind(rig.phone);
    rig.phone.receive = async () => [];
    try {
      assert.equal(await rig.scan(PIX), S.confirming);
      await rig.tick(5000);
      assert.equal(await rig.state(), S.failed);
      assert.match(rig.reason(), /no link/);
      assert.ok(rig.last("no_link"));
    } finally { rig.phone.receive = receive; }
  });
});

describe("agent requests and mandates", () => {
  const rig = new Rig();
  const agent = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = agent.publicKey.export({ format: "jwk" }) as { x: string; y: string };
  const agentPub = "04" + Buffer.from(jwk.x, "base64url").toString("hex") + Buffer.from(jwk.y, "base64url").toString("hex");
  let mandateId = "";
  before(async () => { await rig.start(); await rig.pair(); });
  after(async () => { await rig.stop(); });

  async function agentAsks(seq: number, payee: string, amount: string): Promise<number> {
    const text = JSON.stringify({ mandate: mandateId, seq, payee, amount, currency: "HKD" });
    const sig = nodeSign("sha256", Buffer.from(text), { key: agent.privateKey, dsaEncoding: "ieee-p1363" });
    const rec = new TextEncoder().encode([mandateId, String(seq), payee, amount, "HKD", sig.toString("hex")].join("\n"));
    rig.t += 1000;
    await rig.dev.write(rig.driver.pointer("frameBuffer"), rec);
    assert.equal(await rig.dev.call("onAgentRequest", rec.length, BigInt(rig.t)), 0);
    await rig.driver.pump(rig.t, 1000);
    await rig.driver.pump(rig.t, 1000);
    return rig.state();
  }

  test("a mandate is asked with every term: agent, each-payment limit, budget, expiry, all payees", async () => {
    const payees = ["Luckin Coffee", "7-Eleven", "Pacific Coffee Company Limited (Central)", "Maxim's Caterers", "Wellcome Supermarket"];
    const expires = Date.UTC(2027, 5, 4, 12, 0);   // the rig's clock is at 2027-01-15
    const rec = new TextEncoder().encode(["v2", "Shopping agent", agentPub, "HKD", "50.00", "80.00", String(expires), ...payees].join("\n"));
    await rig.dev.write(rig.driver.pointer("frameBuffer"), rec);
    assert.equal(await rig.dev.call("openMandate", rec.length, BigInt(rig.t)), 0);
    await rig.driver.pump(rig.t);
    const ask = rig.last("confirm");
    assert.equal(ask.what, "mandate");
    assert.match(ask.agent, /^Shopping agent \(key [0-9a-f]{8}\)$/);
    assert.deepEqual([ask.per_payment, ask.budget, ask.expires, ask.payees], ["50.00", "80.00", expires, payees]);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    mandateId = rig.last("mandate").id;
  });

  test("an agent request's sequence and amount are reserved at signing: resent without a receipt, it is not signed again", async () => {
    const assertions = () => rig.events("persist").length;
    const priv = rig.phone as any;
    const receipt = priv.receipt;
    priv.receipt = () => [];            // the wallet's receipts are lost
    try {
      assert.equal(await agentAsks(1, "Luckin Coffee", "25.00"), S.awaiting, rig.reason());
      await rig.tick(21_000);            // the glasses give up waiting
      assert.equal(await rig.state(), S.failed);
      const before = assertions();
      assert.equal(await agentAsks(1, "Luckin Coffee", "25.00"), S.confirming, rig.reason());
      assert.match(rig.reason(), /replayed_request/);
      assert.equal(await rig.consent(C.refused), S.cancelled);
      assert.equal(assertions(), before, "no second assertion for the resent request");
      // the reservation also counts against the budget: 25 reserved + 60 > 80
      assert.equal(await agentAsks(2, "7-Eleven", "50.00"), S.awaiting, rig.reason());
      await rig.tick(21_000);
      assert.equal(await agentAsks(3, "7-Eleven", "10.00"), S.confirming);
      assert.match(rig.reason(), /over_budget/);
      assert.equal(await rig.consent(C.refused), S.cancelled);
    } finally { priv.receipt = receipt; }
  });
});

describe("HUD terms", () => {
  test("a long payee name and the payee's account are shown whole, or the question is refused", async () => {
    const dev = await openDevice({ board: "mcu-s3", init: true, target: "test" });
    await dev.call("testMarkPaired");
    await dev.call("testInjectConsent", 1);
    let t = 1_800_000_000_000n;
    const upi = (pn: string) => `upi://pay?pa=merchant.account.0042@okhdfcbank&pn=${encodeURIComponent(pn)}&am=25.00&cu=INR`;
    const ask = async (text: string) => {
      t += 100_000n;
      await dev.call("payBegin", t);
      const b = new TextEncoder().encode(text);
      await dev.write(await dev.call("frameBuffer"), b);
      await dev.call("onQrText", b.length, t);
      const ev = await drainEvents(dev);
      while ((await dev.call("linkTx")) > 0);
      await dev.call("onButton", BUTTON.CANCEL, t);
      await drainEvents(dev);
      return ev;
    };
    const long = "Sri Venkateswara Tiffin Centre and Family Restaurant, Banjara";   // 61 bytes: needs two HUD rows
    let ev = await ask(upi(long));
    const c = ev.find((e: any) => e.type === "confirm");
    assert.ok(c, JSON.stringify(ev));
    assert.equal(c.payee, long);
    assert.equal(c.account, "merchant.account.0042@okhdfcbank");
    ev = await ask(upi("\u5de5\u5546\u94f6\u884c Cafe"));   // the HUD font has no CJK glyphs
    assert.equal(ev.find((e: any) => e.type === "confirm"), undefined);
    const st = ev.filter((e: any) => e.type === "state").at(-1);
    assert.equal(st.to, "failed");
    assert.match(st.reason, /cannot show: a character the HUD cannot draw/);
    await dev.close();
  });
});

describe("state generation anchor", () => {
  const rig = new Rig();
  before(async () => { await rig.start(); await rig.pair(); });
  after(async () => { await rig.stop(); });

  test("once a store anchors a newer generation, an older sealed state (a reused counter) is refused", async () => {
    const old = rig.store.load()!;
    const oldGen = new DataView(old.buffer, old.byteOffset).getUint32(8, true);
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    const now = await rig.dev.call("stateGeneration");
    assert.ok(now > oldGen, `${now} > ${oldGen}`);
    // a rebooted device: the store tells it the highest generation it saved, then offers the old blob
    const { openDevice } = await import("../host/engine/index.ts");
    const dev = await openDevice({ board: rig.board, init: true, secret: rig.secret, target: "test" });
    assert.equal(await dev.call("stateAnchor", now), 0);
    await dev.write(await dev.call("stateInBuffer"), old);
    assert.equal(await dev.call("loadState", old.length), 23, "E_STATE_ROLLBACK");
    const cur = rig.store.load()!;
    await dev.write(await dev.call("stateInBuffer"), cur);
    assert.equal(await dev.call("loadState", cur.length), 0);
    // the anchor only rises: a lower one later changes nothing
    assert.equal(await dev.call("stateAnchor", 1), 0);
    await dev.write(await dev.call("stateInBuffer"), old);
    assert.equal(await dev.call("loadState", old.length), 23);
    await dev.close();
  });
});

describe("the wallet disables lost glasses", () => {
  const rig = new Rig();
  before(async () => { await rig.start(); await rig.pair(); });
  after(async () => { await rig.stop(); });

  test("on the next contact the phone sends DISABLE: the glasses wipe and refuse", async () => {
    const cred = rig.phone.record.credential!.id;
    (rig.wallet as any).isDisabled = (id: string) => id === cred;   // the wallet's isDisabled (interfaces.md E)
    await rig.scan(PIX);
    await rig.driver.pump(rig.t, 500);
    assert.equal(rig.phone.record.disabledSent, true);
    assert.ok(rig.last("disabled"));
    assert.equal(rig.last("wiped")?.reason, "disabled_by_phone");
    assert.equal(await rig.scan(PIX), S.failed);
    assert.match(rig.reason(), /not paired/);
  });
});
