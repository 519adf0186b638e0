// The crypto kernel exports (assembly/crypto/exports.ts) of a test build, wrapped with byte-array helpers:
// write inputs into the kernel's exchange buffer, call, read outputs. Used by the crypto bench and, through
// tools/crypto/kernel.ts, by the crypto tests.
import { readFileSync } from "node:fs";
import { WASI } from "./wasi.ts";
import { resolveWasm } from "./index.ts";

/** The build the vector tests and benchmarks run: the board's test build (it re-exports assembly/crypto/exports.ts). */
export function firmwareWasm(board = "desktop"): string {
  return resolveWasm({ board, target: "test" });
}

export type Exports = Record<string, any> & { memory: WebAssembly.Memory };

export class Kernel {
  readonly buf: number;
  readonly size: number;
  constructor(public readonly ex: Exports) {
    this.buf = ex.cryptoBuffer();
    this.size = ex.cryptoBufferSize();
  }
  get mem(): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer);
  }
  /** Writes byte arrays consecutively into the exchange buffer; returns their pointers. */
  put(...arrs: Uint8Array[]): number[] {
    let off = this.buf;
    const mem = this.mem;
    const ptrs: number[] = [];
    for (const a of arrs) {
      if (off + a.length > this.buf + this.size) throw new Error("kernel buffer overflow");
      mem.set(a, off);
      ptrs.push(off);
      off += (a.length + 15) & ~15;
    }
    ptrs.push(off);
    return ptrs;
  }
  get(ptr: number, len: number): Uint8Array {
    return this.mem.slice(ptr, ptr + len);
  }

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

export async function loadKernel(wasmPath = firmwareWasm()): Promise<Kernel> {
  const wasi = new WASI({ version: "preview1", args: ["glasses", "device"], env: {}, returnOnExit: true });
  const mod = await WebAssembly.compile(readFileSync(wasmPath));
  const inst = await WebAssembly.instantiate(mod, wasi.getImportObject() as WebAssembly.Imports);
  wasi.start(inst);
  return new Kernel(inst.exports as unknown as Exports);
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));
