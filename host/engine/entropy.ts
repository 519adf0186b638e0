// Seeded entropy for repeatable runs. The firmware draws everything random (device key, credential id,
// spoken codes, pairing codes) from its HMAC-DRBG, seeded through WASI random_get. A test that pays through
// the real keyword spotter and speaker check needs the same code every run, or its result would depend on
// which code came up (recognition rates are measured by `npm run bench -- consent`, not by tests).
// NEVER for real use: a seeded device has a predictable key and predictable codes. Only tests, the consent bench's
// demo sessions and the benches' paired glasses (bench/paired-device.ts) pass a seed, programmatically; no flag or
// environment variable turns it on. host/engine/wasmtime_runner.py draws the same bytes on the wasmtime engine.
import { createHash } from "node:crypto";

/** random_get for a node:wasi import object: SHA-256(seed ‖ counter) blocks, deterministic per seed. */
export function seededRandomGet(seed: string, memory: () => WebAssembly.Memory): (ptr: number, len: number) => number {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (ptr: number, len: number): number => {
    while (pool.length < len) {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(BigInt(counter++));
      pool = Buffer.concat([pool, createHash("sha256").update(seed).update(c).digest()]);
    }
    new Uint8Array(memory().buffer, ptr, len).set(pool.subarray(0, len));
    pool = pool.subarray(len);
    return 0;
  };
}
