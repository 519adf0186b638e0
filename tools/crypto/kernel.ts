// Loads the crypto kernel (assembly/crypto/exports.ts) in Node's WASI and wraps its pointer-based
// exports with byte-array helpers. Used by tests/crypto*.test.ts and host/bench/crypto.ts.
// By default the exports are those of the firmware build itself (assembly/main.ts re-exports them);
// buildKernel() makes a standalone module of the crypto exports alone, to measure the bytes crypto adds.
import { newestSource } from "../../host/build.ts";
import { readFileSync, statSync, existsSync, mkdirSync, renameSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { WASI } from "../../host/engine/wasi.ts";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveWasm } from "../../host/engine/index.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const kernelWasm = path.join(repoRoot, "build/crypto/kernel.wasm");


/** Compiles the kernel when missing or stale. Returns the wasm path. */
export function buildKernel(opts: { force?: boolean; out?: string; runtime?: string } = {}): string {
  const out = opts.out ?? kernelWasm;
  const src = path.join(repoRoot, "assembly/crypto");
  const stale = !existsSync(out) || statSync(out).mtimeMs < Math.max(newestSource(src),
    statSync(path.join(repoRoot, "assembly/errors.ts")).mtimeMs);
  if (opts.force || stale) {
    mkdirSync(path.dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;   // concurrent test files: build privately, rename atomically
    execFileSync(process.execPath, [path.join(repoRoot, "node_modules/assemblyscript/bin/asc.js"),
      "assembly/crypto/exports.ts", "--config", "node_modules/@assemblyscript/wasi-shim/asconfig.json",
      "-O3", "--noAssert", "--runtime", opts.runtime ?? "stub", "-o", tmp],
      { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
    renameSync(tmp, out);
  }
  return out;
}

export type Exports = Record<string, any> & { memory: WebAssembly.Memory };

export class Kernel {
  readonly buf: number;
  readonly size: number;
  constructor(public readonly ex: Exports) {
    this.buf = ex.cryptoBuffer();
    this.size = ex.cryptoBufferSize();
  }
  get mem(): Uint8Array { return new Uint8Array(this.ex.memory.buffer); }
  /** Writes byte arrays consecutively into the exchange buffer; returns their pointers. */
  put(...arrs: Uint8Array[]): number[] {
    let off = this.buf;
    const mem = this.mem;
    const ptrs: number[] = [];
    for (const a of arrs) {
      if (off + a.length > this.buf + this.size) throw new Error("kernel buffer overflow");
      mem.set(a, off); ptrs.push(off); off += (a.length + 15) & ~15;
    }
    ptrs.push(off);
    return ptrs;
  }
  get(ptr: number, len: number): Uint8Array { return this.mem.slice(ptr, ptr + len); }

  sha256(msg: Uint8Array): Uint8Array {
    const [m, out] = this.put(msg);
    this.ex.cryptoSha256(out, m, msg.length);
    return this.get(out, 32);
  }
  hmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
    const [k, m, out] = this.put(key, msg);
    this.ex.cryptoHmac(out, k, key.length, m, msg.length);
    return this.get(out, 32);
  }
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, len: number): { status: number; okm: Uint8Array } {
    const [i, s, f, out] = this.put(ikm, salt, info);
    const st = this.ex.cryptoHkdf(out, len, s, salt.length, i, ikm.length, f, info.length);
    return { status: st, okm: st === 0 ? this.get(out, len) : new Uint8Array(0) };
  }
  publicKey(priv: Uint8Array): { status: number; pub: Uint8Array } {
    const [p, out] = this.put(priv);
    const st = this.ex.cryptoPublicKey(out, p);
    return { status: st, pub: this.get(out, 65) };
  }
  sign(priv: Uint8Array, msg: Uint8Array, lowS = false): { status: number; sig: Uint8Array } {
    const [p, m, out] = this.put(priv, msg);
    const st = this.ex.cryptoSign(out, p, m, msg.length, lowS ? 1 : 0);
    return { status: st, sig: this.get(out, 64) };
  }
  signDigest(priv: Uint8Array, digest: Uint8Array, lowS = false): { status: number; sig: Uint8Array } {
    const [p, d, out] = this.put(priv, digest);
    const st = this.ex.cryptoSignDigest(out, p, d, lowS ? 1 : 0);
    return { status: st, sig: this.get(out, 64) };
  }
  verify(pub: Uint8Array, msg: Uint8Array, sig64: Uint8Array): number {
    const [q, m, s] = this.put(pub, msg, sig64);
    return this.ex.cryptoVerify(q, pub.length, m, msg.length, s);
  }
  rfc6979k(priv: Uint8Array, digest: Uint8Array): Uint8Array {
    const [p, d, out] = this.put(priv, digest);
    this.ex.cryptoRfc6979K(out, p, d);
    return this.get(out, 32);
  }
  ecdh(priv: Uint8Array, pub: Uint8Array): { status: number; shared: Uint8Array } {
    const [p, q, out] = this.put(priv, pub);
    const st = this.ex.cryptoEcdh(out, p, q, pub.length);
    return { status: st, shared: this.get(out, 32) };
  }
}

/** Instantiates the kernel module in Node (WASI preview1, reactor). */
/** The firmware build the vector tests and benchmarks run (it re-exports assembly/crypto/exports.ts). */
export function firmwareWasm(board = "desktop"): string { return resolveWasm({ board }); }

export async function loadKernel(wasmPath = firmwareWasm()): Promise<Kernel> {
  const wasi = new WASI({ version: "preview1", args: ["glasses", "device"], env: {}, returnOnExit: true });
  const mod = await WebAssembly.compile(readFileSync(wasmPath));
  const inst = await WebAssembly.instantiate(mod, wasi.getImportObject() as WebAssembly.Imports);
  wasi.start(inst);
  return new Kernel(inst.exports as unknown as Exports);
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));
