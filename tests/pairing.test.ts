// Pairing (issue 9 item 1): the glasses register only in a pairing mode the wearer opened, show the phone's
// name and the 6-digit comparison code the phone also shows, and sign the registration only after the
// wearer confirmed; a paired device refuses registrations until the wearer unpairs (with the spoken code),
// which wipes keys, voice profile, mandates and receipts. Registration challenges that are not base64url of
// 16–64 bytes (the clientDataJSON injection of issue 9) never reach a signature.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { cborEncode, type CborValue } from "../host/phone/cbor.ts";
import { fragment, CMD_MSG, T, pairingComparison } from "../host/phone/glasses-link.ts";
import { Rig, S, C, BUTTON_CONFIRM } from "./session-rig.ts";

const E_STATE = 10;

function regChallenge(challenge: string, name: string | null, mtu: number): Uint8Array[] {
  const m = new Map<CborValue, CborValue>([[1, T.REG_CHALLENGE], [2, challenge]]);
  if (name !== null) m.set(3, name);
  return fragment(CMD_MSG, cborEncode(m), mtu);
}

/** Registrations the glasses sent so far (the phone's count of REGISTRATION messages it verified or refused). */
function registrations(rig: Rig): number { return rig.events("registration").length; }

describe("pairing", () => {
  const rig = new Rig("mcu-s3", true);
  before(async () => { await rig.start(); });
  after(async () => { await rig.stop(); });

  test("enrolment and payments are refused before pairing", async () => {
    assert.equal(await rig.dev.call("enrollBegin"), E_STATE);
    rig.t += 10;
    await rig.dev.call("payBegin", BigInt(rig.t));
    await rig.driver.pump(rig.t);
    assert.equal(await rig.state(), S.failed);
    assert.match(rig.reason(), /not paired/);
  });

  test("outside pairing mode a registration challenge is refused and nothing is signed", async () => {
    await rig.deliverFromPhone(rig.phone.beginRegistration("Intruder"));
    assert.equal(rig.phone.record.registration, undefined);
    assert.equal(registrations(rig), 0);
    assert.equal(rig.last("link_error")?.error, "not_pairing");
  });

  test("the clientDataJSON injection challenge and challenges outside 16–64 bytes are refused in pairing mode", async () => {
    const inject = 'x","type":"payment.get","challenge":"AAAA","payment":{"payeeName":"Evil","total":{"currency":"USD","value":"999.00"}},"x":"';
    const bad = [inject, Buffer.alloc(15, 1).toString("base64url"), Buffer.alloc(65, 1).toString("base64url"),
      Buffer.alloc(32, 1).toString("base64"), "A".repeat(43) + "=", "AAAAAAAAAAAAAAAAAAAAAB"];  // last: 16 bytes, non-zero pad bits
    for (const c of bad) {
      rig.t += 100;
      assert.equal(await rig.dev.call("pairBegin", BigInt(rig.t)), 0);
      const errors = rig.events("link_error").length;
      await rig.deliverFromPhone(regChallenge(c, "Phone", rig.mtu));
      // refused where the message is parsed (too long) or where the challenge is checked (bad_challenge)
      assert.equal(rig.events("link_error").length, errors + 1, c);
      assert.match(rig.last("link_error").error, /bad_challenge|too long/, c);
      assert.equal(await rig.state(), S.pairing, "still waiting for a proper challenge");
      rig.t += 61_000;
      await rig.dev.call("tick", BigInt(rig.t));   // pairing mode times out
      await rig.driver.pump(rig.t);
      assert.equal(await rig.state(), S.cancelled);
    }
    rig.t += 100;
    assert.equal(await rig.dev.call("pairBegin", BigInt(rig.t)), 0);
    await rig.deliverFromPhone(regChallenge(Buffer.alloc(32, 7).toString("base64url"), null, rig.mtu));
    assert.equal(await rig.state(), S.pairing, "a challenge without the phone's name is refused");
    assert.equal(registrations(rig), 0);
    rig.t += 61_000;
    await rig.dev.call("tick", BigInt(rig.t));
    await rig.driver.pump(rig.t);
  });

  test("the wearer compares the code and confirms; only then is the registration signed (UP)", async () => {
    rig.t += 100;
    assert.equal(await rig.dev.call("pairBegin", BigInt(rig.t)), 0);
    await rig.deliverFromPhone(rig.phone.beginRegistration("Alice's phone"));
    const ask = rig.last("confirm");
    assert.equal(ask.what, "pairing");
    assert.equal(ask.phone, "Alice's phone");
    assert.match(ask.comparison, /^\d{6}$/);
    assert.equal(ask.comparison, rig.phone.record.pairing!.comparison);
    assert.equal(ask.confirm_by, "button", "no voice profile before the first pairing");
    assert.equal(await rig.state(), S.confirming);
    assert.equal(rig.phone.record.registration, undefined, "nothing signed before the wearer confirmed");
    rig.t += 2000;
    assert.equal(await rig.dev.call("onButton", BUTTON_CONFIRM, BigInt(rig.t)), 0);
    await rig.driver.pump(rig.t, 300);
    await new Promise((r) => setTimeout(r, 50));
    await rig.driver.pump(rig.t, 0);
    assert.equal((rig.phone.record.registration as { ok?: boolean } | undefined)?.ok, true, JSON.stringify(rig.phone.record));
    // The phone's comparison code is its own computation from its challenge and the key it registered.
    const cose = rig.phone.record.pairing!.publicKey;
    assert.equal(pairingComparison(Buffer.from((rig.phone as any).regChallenge, "base64url"), Buffer.from(cose, "base64url")), ask.comparison);
    rig.paired = true;
    await rig.dev.call("testInjectConsent", 1);
  });

  test("a paired device refuses pairing mode and registrations until the wearer unpairs", async () => {
    const before = registrations(rig);
    rig.t += 100;
    assert.equal(await rig.dev.call("pairBegin", BigInt(rig.t)), E_STATE);
    await rig.deliverFromPhone(rig.phone.beginRegistration("Mallory"));
    assert.equal(rig.last("link_error")?.error, "already_paired");
    assert.equal(registrations(rig), before);
  });

  test("unpairing needs the spoken code; then everything is wiped and another phone can pair", async () => {
    const oldCred = rig.phone.record.credential!.id;
    rig.t += 100;
    assert.equal(await rig.dev.call("unpairBegin", BigInt(rig.t)), 0);
    await rig.driver.pump(rig.t);
    assert.equal(rig.last("confirm").what, "pairing");
    assert.equal(rig.last("confirm").action, "unpair");
    assert.equal(await rig.consent(C.refused), S.cancelled);
    assert.equal(rig.events("wiped").length, 0);
    rig.t += 100;
    assert.equal(await rig.dev.call("unpairBegin", BigInt(rig.t)), 0);
    assert.equal(await rig.consent(C.accepted), S.done);
    assert.equal(rig.last("wiped")?.reason, "unpaired");
    await rig.dev.call("testInjectConsent", 0);
    rig.paired = false;
    await rig.pair("Bob's phone");
    assert.notEqual(rig.phone.record.credential!.id, oldCred, "a new key after the wipe");
  });
});

describe("registration fuzz: no signature without the wearer", () => {
  const rig = new Rig("mcu-s3", false);
  before(async () => { await rig.start(); });
  after(async () => { await rig.stop(); });

  test("random and crafted REG_CHALLENGE messages, in and out of pairing mode, never produce a registration", async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261205);
    console.log(`# registration fuzz seed ${seed}`);
    let x = seed >>> 0;
    const rnd = (n: number) => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % n; };
    const alphabet = 'ABCxyz019-_+/="\\{}:, \u00e9\u4e2d';
    let traps = 0;
    for (let i = 0; i < 120; i++) {
      if (i % 2 === 0) { rig.t += 100; await rig.dev.call("pairBegin", BigInt(rig.t)); }
      const kind = rnd(3);
      const challenge = kind === 0 ? randomBytes(rnd(80)).toString("base64url")
        : kind === 1 ? Array.from({ length: rnd(120) }, () => alphabet[rnd(alphabet.length)]).join("")
        : randomBytes(16 + rnd(49)).toString("base64url");
      const name = rnd(4) === 0 ? "\u0007bell" : "Phone " + i;
      try {
        await rig.deliverFromPhone(regChallenge(challenge, name, rig.mtu), 20);
      } catch { traps++; }
      // Nobody presses or speaks: let the question time out.
      rig.t += 61_000;
      await rig.dev.call("tick", BigInt(rig.t));
      await rig.driver.pump(rig.t);
    }
    assert.equal(traps, 0);
    assert.equal(registrations(rig), 0);
    assert.equal(rig.phone.record.registration, undefined);
    assert.ok(rig.events("confirm").length > 0, "well-formed challenges in pairing mode did reach the question");
  });
});
