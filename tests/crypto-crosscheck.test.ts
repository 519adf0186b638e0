// 1,000 random cross-checks of the firmware's P-256 against node:crypto (OpenSSL), both ways:
// firmware signs -> node verifies; node signs -> firmware verifies; ECDH agreement both ways;
// public keys derived from the same private key agree. Plus AEAD/HMAC/HKDF random agreement.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { loadKernel, hex } from "../tools/crypto/kernel.ts";

const k = await loadKernel();
const N = Number(process.env.CRYPTO_CROSSCHECKS ?? 1000);

function nodeKey() {
  const ecdh = crypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const priv = ecdh.getPrivateKey();
  const priv32 = Buffer.concat([Buffer.alloc(32 - priv.length), priv]);
  const pub = ecdh.getPublicKey();
  const jwk = { kty: "EC", crv: "P-256", d: priv32.toString("base64url"), x: pub.subarray(1, 33).toString("base64url"), y: pub.subarray(33).toString("base64url") };
  return { priv32: new Uint8Array(priv32), pub: new Uint8Array(pub), privKey: crypto.createPrivateKey({ key: jwk, format: "jwk" }), pubKey: crypto.createPublicKey({ key: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, format: "jwk" }), ecdh };
}

test(`ECDSA and ECDH: ${N} random cross-checks against node:crypto`, () => {
  let signHere = 0, signThere = 0, agree = 0, pubs = 0, rejectsTampered = 0;
  for (let i = 0; i < N; i++) {
    const a = nodeKey(), b = nodeKey();
    // public key derivation
    assert.equal(hex(k.publicKey(a.priv32).pub), hex(a.pub)); pubs++;
    const msg = crypto.randomBytes(i % 200);
    // firmware signs (DER), node verifies
    const [pp, mp, out] = k.put(a.priv32, msg);
    const lowS = i % 2;
    const len = k.ex.cryptoSignDer(out, pp, mp, msg.length, lowS);
    assert.ok(len > 0);
    const der = Buffer.from(k.get(out, len));
    assert.ok(crypto.verify("sha256", msg, a.pubKey, der), `node rejects firmware signature #${i}`); signHere++;
    // node signs (DER, random k), firmware verifies
    const sig = crypto.sign("sha256", msg, a.privKey);
    const [q, m2, s2] = k.put(a.pub, msg, sig);
    assert.equal(k.ex.cryptoVerifyDer(q, 65, m2, msg.length, s2, sig.length), 0, `firmware rejects node signature #${i}`); signThere++;
    // a tampered message must fail
    if (msg.length > 0) {
      const bad = Buffer.from(msg); bad[i % bad.length] ^= 1 << (i % 8);
      const [q3, m3, s3] = k.put(a.pub, bad, sig);
      assert.notEqual(k.ex.cryptoVerifyDer(q3, 65, m3, bad.length, s3, sig.length), 0); rejectsTampered++;
    }
    // ECDH both ways
    const shared = a.ecdh.computeSecret(b.pub);
    assert.equal(hex(k.ecdh(a.priv32, b.pub).shared), shared.toString("hex"));
    assert.equal(hex(k.ecdh(b.priv32, a.pub).shared), shared.toString("hex")); agree++;
  }
  console.log(`  signed here/verified by node: ${signHere}, signed by node/verified here: ${signThere}, ECDH agreements: ${agree}, public keys: ${pubs}, tampered rejected: ${rejectsTampered}`);
  assert.equal(signHere, N); assert.equal(signThere, N); assert.equal(agree, N);
});

test("AEAD, HMAC, HKDF, SHA-256: random agreement with node:crypto (200 each)", () => {
  for (let i = 0; i < 200; i++) {
    const key = crypto.randomBytes(32), nonce = crypto.randomBytes(12), aad = crypto.randomBytes(i % 40), msg = crypto.randomBytes((i * 37) % 1500);
    const c = crypto.createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 }); c.setAAD(aad, { plaintextLength: msg.length });
    const want = Buffer.concat([c.update(msg), c.final(), c.getAuthTag()]).toString("hex");
    const [kp, np, ap, mp, out] = k.put(key, nonce, aad, msg);
    assert.equal(k.ex.cryptoChachaSeal(out, kp, np, 12, ap, aad.length, mp, msg.length), 0);
    assert.equal(hex(k.get(out, msg.length + 16)), want);
    const ks = [16, 24, 32][i % 3];
    const g = crypto.createCipheriv(`aes-${ks * 8}-gcm` as any, key.subarray(0, ks), nonce); g.setAAD(aad);
    const wantG = Buffer.concat([g.update(msg), g.final(), g.getAuthTag()]).toString("hex");
    assert.equal(k.ex.cryptoAesGcmSeal(out, kp, ks, np, 12, ap, aad.length, mp, msg.length), 0);
    assert.equal(hex(k.get(out, msg.length + 16)), wantG);
    assert.equal(hex(k.hmac(key.subarray(0, i % 70 + 1), msg)), crypto.createHmac("sha256", key.subarray(0, i % 70 + 1)).update(msg).digest("hex"));
    assert.equal(hex(k.sha256(msg)), crypto.createHash("sha256").update(msg).digest("hex"));
    const okm = k.hkdf(msg.subarray(0, 50), aad, nonce, 1 + (i * 13) % 300);
    assert.equal(hex(okm.okm), Buffer.from(crypto.hkdfSync("sha256", msg.subarray(0, 50), aad, nonce, 1 + (i * 13) % 300)).toString("hex"));
  }
});

test("edge-case scalars: public keys and ECDH for k = 1..40, n-40..n-1, powers of two and window boundaries agree with node:crypto", () => {
  const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const ks: bigint[] = [];
  for (let i = 1n; i <= 40n; i++) ks.push(i, N - i);
  for (let e = 0n; e < 256n; e += 5n) ks.push(1n << e, (1n << e) + 1n, ((1n << e) - 1n) || 1n);
  for (const w of [250n, 251n, 252n, 253n, 254n, 255n]) ks.push((1n << w) - 1n, (1n << w) + 3n, N - (1n << w));
  const peer = crypto.createECDH("prime256v1"); peer.generateKeys();
  let n = 0;
  for (const kk of ks) {
    if (kk <= 0n || kk >= N) continue;
    const priv = Buffer.from(kk.toString(16).padStart(64, "0"), "hex");
    const e = crypto.createECDH("prime256v1"); e.setPrivateKey(priv);
    assert.equal(hex(k.publicKey(new Uint8Array(priv)).pub), e.getPublicKey("hex"), `k = ${kk.toString(16)}`);
    assert.equal(hex(k.ecdh(new Uint8Array(priv), new Uint8Array(peer.getPublicKey())).shared), e.computeSecret(peer.getPublicKey()).toString("hex"), `ecdh k = ${kk.toString(16)}`);
    // and the point k*G as the peer (small multiples of G as public keys)
    assert.equal(hex(k.ecdh(new Uint8Array(peer.getPrivateKey().length === 32 ? peer.getPrivateKey() : Buffer.concat([Buffer.alloc(32 - peer.getPrivateKey().length), peer.getPrivateKey()])), e.getPublicKey()).shared),
      peer.computeSecret(e.getPublicKey()).toString("hex"));
    n++;
  }
  console.log(`  edge-case scalars checked: ${n}`);
  assert.ok(n > 200);
});
