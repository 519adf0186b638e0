// Sealed persistent state (assembly/crypto/seal.ts): round trip, and refusal of every tampered,
// truncated, re-versioned or wrongly keyed blob with a clear status, without writing plaintext.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { loadKernel, hex } from "../tools/crypto/kernel.ts";

const k = await loadKernel();
const S = { OK: 0, ARGS: 1, TRUNCATED: 5, STATE_VERSION: 21, STATE_AUTH: 22 };
const OVER = k.ex.cryptoSealOverhead();
const enc = (s: string) => new TextEncoder().encode(s);

function seal(secret: Uint8Array, pt: Uint8Array, label = new Uint8Array(0)) {
  const [sp, lp, pp, out] = k.put(secret, label, pt);
  const st = k.ex.cryptoSeal(out, sp, secret.length, lp, label.length, pp, pt.length);
  return { st, blob: k.get(out, pt.length + OVER) };
}
function open(secret: Uint8Array, blob: Uint8Array, label = new Uint8Array(0)) {
  const [sp, lp, bp, out] = k.put(secret, label, blob.length ? blob : new Uint8Array(1));
  k.mem.fill(0xee, out, out + Math.max(0, blob.length));
  const st = k.ex.cryptoOpen(out, sp, secret.length, lp, label.length, bp, blob.length);
  const n = Math.max(0, blob.length - OVER);
  return { st, pt: k.get(out, n) };
}

test("seal/open round trip; fresh random nonce per blob; layout version|nonce|ct|tag", () => {
  const secret = new Uint8Array(crypto.randomBytes(32));
  for (const n of [0, 1, 15, 16, 17, 64, 1000]) {
    const pt = new Uint8Array(crypto.randomBytes(n));
    const a = seal(secret, pt), b = seal(secret, pt);
    assert.equal(a.st, S.OK);
    assert.equal(a.blob.length, n + 29);
    assert.equal(a.blob[0], 1);
    assert.notEqual(hex(a.blob.subarray(1, 13)), hex(b.blob.subarray(1, 13)), "nonces repeat");
    const o = open(secret, a.blob);
    assert.equal(o.st, S.OK);
    assert.equal(hex(o.pt), hex(pt));
  }
});

test("the blob is ChaCha20-Poly1305 under HKDF-SHA-256(salt 'glasses-seal-v1', info label) — checked with node:crypto", () => {
  const secret = new Uint8Array(crypto.randomBytes(32));
  const pt = enc("signCount=7;policy=…");
  const { blob } = seal(secret, pt);
  const key = Buffer.from(crypto.hkdfSync("sha256", secret, enc("glasses-seal-v1"), enc("state"), 32));
  const d = crypto.createDecipheriv("chacha20-poly1305", key, blob.subarray(1, 13), { authTagLength: 16 });
  d.setAAD(blob.subarray(0, 1), { plaintextLength: blob.length - 29 });
  d.setAuthTag(blob.subarray(blob.length - 16));
  assert.equal(Buffer.concat([d.update(blob.subarray(13, blob.length - 16)), d.final()]).toString(), "signCount=7;policy=…");
});

test("every single-bit change anywhere in the blob is refused (E_STATE_AUTH or E_STATE_VERSION), no plaintext written", () => {
  const secret = new Uint8Array(crypto.randomBytes(32));
  const pt = enc("the device key and its counter");
  const { blob } = seal(secret, pt);
  let refused = 0;
  for (let i = 0; i < blob.length; i++) for (const bit of [0, 3, 7]) {
    const t = blob.slice(); t[i] ^= 1 << bit;
    const o = open(secret, t);
    assert.equal(o.st, i === 0 ? S.STATE_VERSION : S.STATE_AUTH, `byte ${i} bit ${bit}`);
    assert.ok(o.pt.every((b) => b === 0xee), "plaintext written for a refused blob");
    refused++;
  }
  assert.equal(refused, blob.length * 3);
});

test("truncated blobs: E_TRUNCATED below the overhead, E_STATE_AUTH for any other cut", () => {
  const secret = new Uint8Array(crypto.randomBytes(32));
  const { blob } = seal(secret, enc("0123456789abcdef0123"));
  for (let n = 0; n < blob.length; n++) {
    const o = open(secret, blob.subarray(0, n));
    assert.equal(o.st, n < OVER ? S.TRUNCATED : S.STATE_AUTH, `length ${n}`);
  }
  // appended bytes are refused too
  assert.equal(open(secret, new Uint8Array([...blob, 0])).st, S.STATE_AUTH);
});

test("wrong secret, wrong label, short secret", () => {
  const secret = new Uint8Array(crypto.randomBytes(32));
  const { blob } = seal(secret, enc("x"), enc("receipts"));
  assert.equal(open(secret, blob, enc("receipts")).st, S.OK);
  assert.equal(open(secret, blob).st, S.STATE_AUTH);                     // default label "state"
  assert.equal(open(new Uint8Array(crypto.randomBytes(32)), blob, enc("receipts")).st, S.STATE_AUTH);
  assert.equal(seal(new Uint8Array(8), enc("x")).st, S.ARGS);            // secret too short
});
