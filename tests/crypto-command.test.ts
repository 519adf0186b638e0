// The crypto command face (`glasses crypto …`) through the host engine, on node and wasmtime:
// results checked against node:crypto and the RFC 6979 / WebAuthn vectors; clear errors for
// invalid keys and points; identical output on both engines.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { runCryptoFirmware, cryptoCommand } from "../host/commands/crypto.ts";
import { wasmtimePythonProblem } from "../host/engine/index.ts";
import { repoRoot } from "../tools/crypto/kernel.ts";
import { sharedPath } from "../host/shared.ts";

const VEC = sharedPath("vectors");
const rfc = JSON.parse(readFileSync(path.join(VEC, "rfc6979/rfc6979_p256.json"), "utf8"));
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const engines = (["node", "wasmtime"] as const).filter((e) => e === "node" || wasmtimePythonProblem() === null);

for (const engine of engines) {
  const run = (...args: string[]) => runCryptoFirmware(args, { engine });

  test(`[${engine}] crypto keygen: a valid key pair (node derives the same public key)`, async () => {
    const r = await run("keygen");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.result!.key, /^[0-9a-f]{64}$/);
    const e = crypto.createECDH("prime256v1"); e.setPrivateKey(Buffer.from(r.result!.key, "hex"));
    assert.equal(r.result!.pub, e.getPublicKey("hex"));
    const r2 = await run("keygen");
    assert.notEqual(r2.result!.key, r.result!.key);
  });

  test(`[${engine}] crypto sign: RFC 6979 A.2.5 "sample"/"test" byte-identical, low-S option, node verifies`, async () => {
    for (const t of rfc.tests.filter((t: any) => t.hash === "SHA-256")) {
      const msgHex = Buffer.from(t.msg).toString("hex");
      const r = await run("sign", "--key", rfc.privateKey.slice(-64), "--msg", msgHex);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.result, { der: t.sigDer, raw: t.sigP1363 });
      const low = await run("sign", "--key", rfc.privateKey.slice(-64), "--msg", msgHex, "--low-s");
      assert.equal(low.result!.raw, t.sigP1363LowS);
      const pub = crypto.createPublicKey({ key: { kty: "EC", crv: "P-256", x: Buffer.from(rfc.publicKey.x, "hex").toString("base64url"), y: Buffer.from(rfc.publicKey.y, "hex").toString("base64url") }, format: "jwk" });
      assert.ok(crypto.verify("sha256", Buffer.from(t.msg), pub, Buffer.from(low.result!.der, "hex")));
    }
  });

  test(`[${engine}] crypto verify: node signatures valid, tampered/BER invalid, bad key is an error`, async () => {
    const kp = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pub = (kp.publicKey.export({ format: "der", type: "spki" }) as Buffer).subarray(-65).toString("hex");
    const msg = crypto.randomBytes(50);
    const sig = crypto.sign("sha256", msg, kp.privateKey);
    assert.deepEqual((await run("verify", "--pub", pub, "--msg", msg.toString("hex"), "--sig", sig.toString("hex"))).result, { valid: true });
    const bad = Buffer.from(msg); bad[0] ^= 1;
    assert.deepEqual((await run("verify", "--pub", pub, "--msg", bad.toString("hex"), "--sig", sig.toString("hex"))).result, { valid: false });
    // BER: long-form sequence length
    const ber = Buffer.concat([Buffer.from([0x30, 0x81, sig[1]]), sig.subarray(2)]);
    assert.deepEqual((await run("verify", "--pub", pub, "--msg", msg.toString("hex"), "--sig", ber.toString("hex"))).result, { valid: false });
    const off = "04" + "11".repeat(64);
    const r = await run("verify", "--pub", off, "--msg", "00", "--sig", sig.toString("hex"));
    assert.equal(r.code, 32);
    assert.match(r.stderr, /"error":"bad_point"/);
  });

  test(`[${engine}] crypto ecdh: agrees with node; invalid points and keys are clear errors`, async () => {
    const a = crypto.createECDH("prime256v1"); a.generateKeys();
    const b = crypto.createECDH("prime256v1"); b.generateKeys();
    const key = a.getPrivateKey("hex").padStart(64, "0");
    const r = await run("ecdh", "--key", key, "--pub", b.getPublicKey("hex"));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.result, { shared: a.computeSecret(b.getPublicKey()).toString("hex") });
    const cases: [string, string, number, RegExp][] = [
      [key, "04" + "00".repeat(64), 32, /bad_point/],                      // (0,0): not on the curve
      [key, "00", 32, /bad_point/],                                       // infinity encoding
      [key, b.getPublicKey("hex").slice(0, 128), 32, /bad_point/],        // 64 bytes: wrong length
      [key, "04" + "ff".repeat(64), 32, /bad_point/],                     // coordinates >= p
      ["00".repeat(32), b.getPublicKey("hex"), 31, /bad_key/],            // zero key
      [N.toString(16), b.getPublicKey("hex"), 31, /bad_key/],             // key = n
      ["abcd", b.getPublicKey("hex"), 1, /bad_args/],                     // wrong key length
    ];
    for (const [k, p, code, re] of cases) {
      const e = await run("ecdh", "--key", k, "--pub", p);
      assert.equal(e.code, code, `ecdh --key ${k.slice(0, 8)}… --pub ${p.slice(0, 8)}…: ${e.stderr}`);
      assert.match(e.stderr, re);
      assert.equal(e.result, null);
    }
  });
}

test("crypto cose: COSE_Key {1:2, 3:-7, -1:1, -2:x, -3:y} of the RFC 6979 key", async () => {
  const pub = "04" + rfc.publicKey.x + rfc.publicKey.y;
  const r = await runCryptoFirmware(["cose", "--pub", pub], {});
  assert.equal(r.result!.cose, "a5010203262001215820" + rfc.publicKey.x + "225820" + rfc.publicKey.y);
});

test("both engines print identical sign/ecdh output", { skip: engines.length < 2 }, async () => {
  const args = ["sign", "--key", rfc.privateKey.slice(-64), "--msg", "0102030405"];
  const [a, b] = await Promise.all([runCryptoFirmware(args, { engine: "node" }), runCryptoFirmware(args, { engine: "wasmtime" })]);
  assert.deepEqual(a.result, b.result);
});

test("host CLI handler: `glasses crypto sign … --json` prints the firmware JSON line", async () => {
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  (process.stdout as any).write = (c: any) => { chunks.push(String(c)); return true; };
  let code: number;
  try {
    code = await cryptoCommand(["sign", "--key", rfc.privateKey.slice(-64), "--msg", Buffer.from("sample").toString("hex"), "--json"],
      { board: "desktop", engine: "node", json: false });
  } finally { (process.stdout as any).write = orig; }
  assert.equal(code, 0);
  const t = rfc.tests.find((t: any) => t.hash === "SHA-256" && t.msg === "sample");
  assert.deepEqual(JSON.parse(chunks.join("").trim()), { der: t.sigDer, raw: t.sigP1363 });
});
