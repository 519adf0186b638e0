// The payment flow on the device against the reference wallet, over the loopback link: pairing, the
// happy path, and every refusal path. QR text and the consent engine's outcomes enter through the test
// build's hooks (onQrText, onConsentOutcome); the camera and microphone paths are tested end to end in
// tests/pay-e2e.test.ts.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drainEvents } from "../host/engine/index.ts";
import { generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { Rig, S, C } from "./session-rig.ts";
import { sharedPath } from "../host/shared.ts";

const payloads = JSON.parse(readFileSync(sharedPath("vectors", "payment-qr", "payloads.json"), "utf8"));
const find = (pred: (e: any) => boolean) => payloads.find(pred)!.payload as string;
const PIX = find((e) => e.crcValid && e.fields?.merchantName === "Pix" && e.fields?.amount === "73.62");          // BRL 73.62
const FPS = find((e) => e.crcValid && e.scheme === "HK-FPS" && e.fields?.amount === "100.5");                      // HKD 100.50
const BAD_CRC = find((e) => e.kind === "emv-mpm" && e.crcValid === false && e.tlvValid);
describe("payment flow against the reference wallet", () => {
  const rig = new Rig();
  before(async () => { await rig.start(); await rig.pair(); });
  after(async () => { await rig.stop(); });

  test("happy path: scan, challenge, yes + voice, signed, verified, bill stored", async () => {
    assert.equal(await rig.scan(PIX), S.confirming);
    const confirm = rig.last("confirm");
    assert.deepEqual([confirm.payee, confirm.amount, confirm.currency], ["Pix", "73.62", "BRL"]);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    const r = rig.phone.record.result!;
    assert.equal(r.ok, true);
    const db = new Database(path.join(rig.dir, "wallet.sqlite"), { readonly: true });
    const bill = db.prepare("select * from bills where id = ?").get(r.bill!.id) as any;
    db.close();
    assert.equal(bill.payee, "Pix");
    assert.equal(bill.amount, "73.62");
    assert.equal(bill.currency, "BRL");
    assert.equal(bill.user_verified, 1);
    // The counter was persisted before the assertion left: the stored blob holds the count the wallet saw.
    assert.equal(bill.sign_count, 1);
  });

  test("the HUD shows the wallet's recent payments", async () => {
    await rig.dev.call("hudDirty");
    assert.equal(await rig.dev.call("queryRecent", 3), 0);
    await rig.driver.pump(rig.t, 2000);
    const recent = rig.driver.events.filter((e) => e.type === "recent");
    assert.deepEqual(recent.at(-1), { type: "recent", payee: "Pix", amount: "73.62", currency: "BRL" });
    assert.equal(await rig.dev.call("hudDirty"), 1);
  });

  test("a replayed assertion is refused", async () => {
    const a = rig.phone.record.assertion!;
    const orderId = rig.phone.record.order!.orderId;
    const again = await rig.wallet.verifyPayment(orderId, a);
    assert.equal(again.ok, false);
    assert.equal(again.reason, "replay");
  });

  test("a bad CRC is refused before anything is sent", async () => {
    const before = rig.phone.record.order?.orderId;
    assert.equal(await rig.scan(BAD_CRC), S.failed);
    assert.match(rig.reason(), /payload: .*crc/i);
    assert.equal(rig.phone.record.order?.orderId, before);
  });

  test('"no" and "stop" cancel, and the wallet hears it', async () => {
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.refused), S.cancelled);
    assert.equal(rig.phone.record.cancelled, "wearer_refused");
    assert.equal(await rig.scan(FPS), S.confirming);
    assert.equal(await rig.consent(C.refused), S.cancelled);
  });

  test("a voice that is not the owner's gets one new code, then fails the session and signs nothing", async () => {
    const assertionBefore = rig.phone.record.assertion;
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.voiceMismatch), S.confirming);
    assert.equal(rig.last("confirm").attempt, 2);
    assert.equal(await rig.consent(C.voiceMismatch), S.failed);
    assert.match(rig.reason(), /voice/);
    assert.equal(rig.phone.record.assertion, assertionBefore);
  });

  test("no answer from the wearer times out", async () => {
    assert.equal(await rig.scan(PIX), S.confirming);
    rig.t += 16_000;
    await rig.dev.call("tick", BigInt(rig.t));
    await rig.driver.pump(rig.t, 500);
    assert.equal(await rig.dev.call("payState"), S.cancelled);
    assert.match(rig.reason(), /timeout/);
  });

  test("above the quick-pay limit the phone must confirm; declined on the phone is refused", async () => {
    // HKD quick-pay limit lowered to HK$50: HK$100.50 now needs the phone.
    assert.equal(await rig.setLimitNow("HKD", 5000n, 200000n), 0);
    assert.equal(await rig.scan(FPS), S.confirming);
    assert.equal(rig.phone.record.order!.phoneConfirm, true);
    rig.confirmAnswer = false;
    assert.equal(await rig.consent(C.accepted), S.failed);
    assert.match(rig.reason(), /declined_on_phone/);
    rig.confirmAnswer = true;
    assert.equal(await rig.scan(FPS), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
  });

  test("past the daily cap the glasses refuse", async () => {
    assert.equal(await rig.setLimitNow("HKD", 5000n, 15000n), 0);   // HK$100.50 already spent today
    assert.equal(await rig.scan(FPS), S.failed);
    assert.match(rig.reason(), /daily_cap/);
  });

  test("a restored old state is refused by the glasses against the store's anchor", async () => {
    const old = rig.store.load()!;                 // counter as it is now
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    const current = rig.store.load()!;
    rig.store.save(old);                           // an attacker restores the older blob (not the anchor)
    await assert.rejects(rig.boot(), /refused by the firmware.*state_rollback|status 23/);
    rig.store.save(current);
    await rig.boot();
  });

  test("a restored old state with its anchor rolled back too (counter rollback) is refused by the wallet", async () => {
    const old = rig.store.load()!;                 // counter as it is now
    const anchor = rig.store.anchor();
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    rig.store.save(old);                           // an attacker restores the older blob and the anchor file
    writeFileSync(`${rig.store.file}.anchor`, `${anchor}\n`);
    await rig.boot();
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.failed);
    assert.match(rig.reason(), /counter_rollback/);
  });
});

describe("agent payments under a mandate", () => {
  const rig = new Rig();
  const agent = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = agent.publicKey.export({ format: "jwk" }) as { x: string; y: string };
  const agentPub = "04" + Buffer.from(jwk.x, "base64url").toString("hex") + Buffer.from(jwk.y, "base64url").toString("hex");
  let mandateId = "";
  let seq = 0;
  before(async () => { await rig.start(); await rig.pair(); });
  after(async () => { await rig.stop(); });

  async function agentAsks(payee: string, amount: string, currency = "HKD", badSig = false, s = ++seq): Promise<number> {
    const text = JSON.stringify({ mandate: mandateId, seq: s, payee, amount, currency });
    let sig = nodeSign("sha256", Buffer.from(text), { key: agent.privateKey, dsaEncoding: "ieee-p1363" });
    if (badSig) sig = Buffer.from(sig.map((b, i) => (i === 10 ? b ^ 1 : b)));
    const rec = new TextEncoder().encode([mandateId, String(s), payee, amount, currency, sig.toString("hex")].join("\n"));
    rig.t += 1000;
    await rig.dev.write(rig.driver.pointer("frameBuffer"), rec);
    assert.equal(await rig.dev.call("onAgentRequest", rec.length, BigInt(rig.t)), 0);
    await rig.driver.pump(rig.t, 3000);
    await rig.driver.pump(rig.t, 3000);
    return rig.dev.call("payState");
  }

  test("the wearer opens a mandate with a spoken yes; it is signed and registered with the wallet", async () => {
    const rec = new TextEncoder().encode([agentPub, "HKD", "50.00", "80.00", String(rig.t + 86_400_000), "Luckin Coffee", "7-Eleven"].join("\n"));
    await rig.dev.write(rig.driver.pointer("frameBuffer"), rec);
    assert.equal(await rig.dev.call("openMandate", rec.length, BigInt(rig.t)), 0);
    assert.equal(await rig.dev.call("payState"), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    const ev = rig.driver.events.find((e) => e.type === "mandate");
    mandateId = ev.id;
    assert.match(mandateId, /^[0-9a-f]{16}$/);
    await rig.driver.pump(rig.t, 200);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rig.phone.record.mandate?.ok, true, JSON.stringify(rig.phone.record.mandate));
  });

  test("inside the mandate the agent pays without the wearer; the wallet records the mandate", async () => {
    assert.equal(await agentAsks("Luckin Coffee", "25.00"), S.done, rig.reason());
    const r = rig.phone.record.result!;
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.bill!.userVerified, false);
    const flags = Buffer.from(rig.phone.record.assertion!.response.authenticatorData, "base64url")[32];
    assert.equal(flags, 0, "nobody was present: neither UP nor UV");
  });

  test("outside the mandate the wearer is asked (payee, limit, budget, signature)", async () => {
    assert.equal(await agentAsks("Starbucks", "10.00"), S.confirming);
    assert.match(rig.reason(), /outside mandate: payee_not_allowed/);
    assert.equal(await rig.consent(C.refused), S.cancelled);
    assert.equal(await agentAsks("7-Eleven", "60.00"), S.confirming);
    assert.match(rig.reason(), /over_per_payment_limit/);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());      // the wearer agreed: a normal payment
    assert.equal(rig.phone.record.result!.bill!.userVerified, true);
    assert.equal(await agentAsks("7-Eleven", "10.00", "HKD", true), S.confirming);
    assert.match(rig.reason(), /bad_agent_signature/);
    assert.equal(await rig.consent(C.refused), S.cancelled);
    assert.equal(await agentAsks("7-Eleven", "40.00"), S.done, rig.reason());   // 25 + 40 ≤ 80
    assert.equal(await agentAsks("7-Eleven", "40.00"), S.confirming);           // 65 + 40 > 80
    assert.match(rig.reason(), /over_budget/);
    assert.equal(await rig.consent(C.refused), S.cancelled);
  });

  test("a replayed agent request is not paid again", async () => {
    assert.equal(await agentAsks("Luckin Coffee", "5.00", "HKD", false, 1), S.confirming);
    assert.match(rig.reason(), /replayed_request/);
    assert.equal(await rig.consent(C.refused), S.cancelled);
  });
});

describe("crashes lose no completed payment and reuse no counter", () => {
  const rig = new Rig();
  before(async () => { await rig.start(); await rig.pair(); });
  after(async () => { await rig.stop(); });
  const counterOf = () => Buffer.from(rig.phone.record.assertion!.response.authenticatorData, "base64url").readUInt32BE(33);

  test("a crash before the counter is saved: nothing left the glasses, the next payment is accepted", async () => {
    assert.equal(await rig.scan(PIX), S.confirming);
    rig.t += 1500;
    await rig.dev.call("onConsentOutcome", C.accepted, BigInt(rig.t));      // signs, but the host never saves: power is cut
    assert.equal(await rig.dev.call("linkTx"), 0, "the assertion is held until the counter is saved");
    await rig.boot();
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    assert.equal(counterOf(), 1);
  });

  test("a crash after the counter is saved but before sending: the next payment uses a higher counter", async () => {
    assert.equal(await rig.scan(PIX), S.confirming);
    rig.t += 1500;
    await rig.dev.call("onConsentOutcome", C.accepted, BigInt(rig.t));
    const events = await drainEvents(rig.dev);
    const persist = events.find((e) => e.type === "persist");
    assert.ok(persist);
    const gen = await rig.driver.saveState();
    assert.equal(await rig.dev.call("statePersisted", gen), 0);   // saved; then power is cut before linkTx
    await rig.boot();
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());
    assert.equal(counterOf(), 3, "count 2 was burnt by the crash, never reused");
  });

  test("a completed payment survives a reboot (the day's spending is saved)", async () => {
    assert.equal(await rig.setLimitNow("BRL", 20000n, 25000n), 0);   // BRL 250.00 a day; 2 × 73.62 spent already
    await rig.driver.saveState();
    assert.equal(await rig.scan(PIX), S.confirming);
    assert.equal(await rig.consent(C.accepted), S.done, rig.reason());     // 220.86 spent
    await rig.boot();                                                  // the host saved on the "persist" event
    assert.equal(await rig.scan(PIX), S.failed);                       // 220.86 + 73.62 > 250: the spending survived
    assert.match(rig.reason(), /daily_cap/);
  });
});
