// Constant time, measured: wasmtime fuel (a deterministic count of executed wasm work) for
// keygen (k*G), ECDSA sign and ECDH must be exactly equal across secrets with very different bit
// patterns. Runs the crypto kernel under wasmtime through host/engine's WasmtimeDevice.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { firmwareWasm, hex, unhex } from "../tools/crypto/kernel.ts";
import { WasmtimeDevice, wasmtimePythonProblem } from "../host/engine/wasmtime.ts";

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const be32 = (v: bigint) => unhex(v.toString(16).padStart(64, "0"));
const SECRETS: [string, Uint8Array][] = [
  ["1", be32(1n)],
  ["2", be32(2n)],
  ["3", be32(3n)],
  ["2^255", be32(1n << 255n)],
  ["2^128+1", be32((1n << 128n) + 1n)],
  ["n-1", be32(N - 1n)],
  ["n-2", be32(N - 2n)],
  ["0x5555…", be32(BigInt("0x" + "55".repeat(32)))],
  ["0x0f0f…", be32(BigInt("0x" + "0f".repeat(32)))],
  ["2^255-1 (255 bits set)", be32((1n << 255n) - 1n)],
  ["2^224-1 (224 low bits set)", be32((1n << 224n) - 1n)],
  ["even, 1 bit: 2^200", be32(1n << 200n)],
  ["random A", new Uint8Array(crypto.createHash("sha256").update("a").digest())],
  ["random B", new Uint8Array(crypto.createHash("sha256").update("b").digest())],
  ["random C", new Uint8Array(crypto.createHash("sha256").update("c").digest())],
];

const problem = wasmtimePythonProblem();

test("keygen, sign, ECDH, AEAD and seal use exactly equal wasmtime fuel for every secret", { skip: problem ?? false }, async () => {
  const dev = await WasmtimeDevice.open(firmwareWasm("mcu-s3"));   // the MCU build, runtime and all
  try {
    const buf = await dev.call("cryptoBuffer");
    const PRIV = buf, PUB = buf + 64, MSG = buf + 192, OUT = buf + 512, PEER = buf + 1024;
    const msg = new Uint8Array(100).map((_, i) => i * 3);
    await dev.write(MSG, msg);
    // a fixed peer point for ECDH
    const peer = crypto.createECDH("prime256v1"); peer.generateKeys();
    await dev.write(PEER, new Uint8Array(peer.getPublicKey()));
    const rows: string[] = [];
    const fuel: Record<string, Set<number>> = { keygen: new Set(), sign: new Set(), ecdh: new Set() };
    for (const [name, sk] of SECRETS) {
      await dev.write(PRIV, sk);
      assert.equal(await dev.call("cryptoPublicKey", PUB, PRIV), 0, name);
      const fk = dev.lastFuel()!;
      assert.equal(await dev.call("cryptoSign", OUT, PRIV, MSG, msg.length, 0), 0, name);
      const fs = dev.lastFuel()!;
      assert.equal(await dev.call("cryptoEcdh", OUT, PRIV, PEER, 65), 0, name);
      const fe = dev.lastFuel()!;
      // sanity: the results are right (node agrees)
      const e = crypto.createECDH("prime256v1"); e.setPrivateKey(Buffer.from(sk));
      assert.equal(hex(await dev.read(OUT, 32)), e.computeSecret(peer.getPublicKey()).toString("hex"), name);
      fuel.keygen.add(fk); fuel.sign.add(fs); fuel.ecdh.add(fe);
      rows.push(`  ${name.padEnd(46)} keygen ${fk}  sign ${fs}  ecdh ${fe}`);
    }
    // AEAD and the state seal: same fuel whatever the key bytes are
    const KEY = buf + 2048, NONCE = buf + 2112, DATA = buf + 4096, CT = buf + 8192;
    await dev.write(NONCE, new Uint8Array(12).fill(7));
    await dev.write(DATA, new Uint8Array(1000).map((_, i) => i));
    // the module DRBG seeds itself from random_get on first use (a one-time cost): warm it up first
    await dev.write(KEY, new Uint8Array(32).fill(1));
    await dev.call("cryptoSeal", CT, KEY, 32, 0, 0, DATA, 1000);
    const aead: Record<string, Set<number>> = { "aes128gcm": new Set(), "aes256gcm": new Set(), "chacha20poly1305": new Set(), "seal": new Set() };
    for (const [name, key] of [["zeros", new Uint8Array(32)], ["ones", new Uint8Array(32).fill(0xff)], ["0x80", new Uint8Array(32).fill(0x80)],
      ["random", new Uint8Array(crypto.randomBytes(32))]] as [string, Uint8Array][]) {
      await dev.write(KEY, key);
      await dev.call("cryptoAesGcmSeal", CT, KEY, 16, NONCE, 12, 0, 0, DATA, 1000); aead.aes128gcm.add(dev.lastFuel()!);
      await dev.call("cryptoAesGcmSeal", CT, KEY, 32, NONCE, 12, 0, 0, DATA, 1000); aead.aes256gcm.add(dev.lastFuel()!);
      await dev.call("cryptoChachaSeal", CT, KEY, NONCE, 12, 0, 0, DATA, 1000); aead.chacha20poly1305.add(dev.lastFuel()!);
      await dev.call("cryptoSeal", CT, KEY, 32, 0, 0, DATA, 1000); aead.seal.add(dev.lastFuel()!);
      rows.push(`  AEAD key ${name.padEnd(37)} ${Object.entries(aead).map(([k, v]) => `${k} ${[...v].pop()}`).join("  ")}`);
    }
    console.log(rows.join("\n"));
    for (const [k, v] of Object.entries(aead)) assert.equal(v.size, 1, `${k} fuel differs between keys`);
    assert.equal(fuel.keygen.size, 1, "keygen fuel differs between secrets");
    assert.equal(fuel.sign.size, 1, "sign fuel differs between secrets");
    assert.equal(fuel.ecdh.size, 1, "ecdh fuel differs between secrets");
  } finally {
    await dev.close();
  }
});
