// Test helper (payload, link and HUD tests): the kernel exports (assembly/<engine>/exports.ts) of the
// desktop test build, instantiated under node:wasi. The build is scripts/asc.ts's "test" target (release
// options + kernel exports); "--runtime stub" selects its "test-stub" twin, whose bump allocator never
// frees, for the tests that prove a hot path allocates nothing.
import { readFileSync } from "node:fs";
import { WASI } from "../host/engine/wasi.ts";
import { resolveWasm } from "../host/engine/index.ts";

export interface Kernel {
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  call(name: string, ...args: (number | bigint)[]): number;
  write(ptr: number, bytes: Uint8Array): void;
  read(ptr: number, len: number): Uint8Array;
}

const quiet = process.emitWarning;
process.emitWarning = ((w: any, ...rest: any[]) => {
  if (String(w).includes("WASI is an experimental feature")) return;
  return (quiet as any).call(process, w, ...rest);
}) as typeof process.emitWarning;

/** Path of the test build that holds the kernel exports (built when stale). */
export function buildKernel(_name: string, extra: string[] = []): string {
  return resolveWasm({ board: "desktop", target: extra.includes("stub") ? "test-stub" : "test" });
}

/** A fresh instance of the test build; `name` names the engine whose exports the caller uses. */
export function loadKernel(name: string, extra: string[] = []): Kernel {
  const file = buildKernel(name, extra);
  const wasi = new WASI({ version: "preview1", args: ["glasses", "device"], env: {}, returnOnExit: true });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), wasi.getImportObject() as WebAssembly.Imports);
  const code = wasi.start(inst);
  if (code !== 0) throw new Error(`test build start exited ${code}`);
  const exports = inst.exports as Record<string, any>;
  const memory = exports.memory as WebAssembly.Memory;
  return {
    exports,
    memory,
    call(n, ...a) {
      const f = exports[n];
      if (typeof f !== "function") throw new Error(`no export ${n}`);
      return Number(f(...a));
    },
    write(ptr, bytes) {
      new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
    },
    read(ptr, len) {
      return new Uint8Array(memory.buffer, ptr, len).slice();
    },
  };
}

/** Reference CRC-16/CCITT-FALSE over the UTF-8 bytes of s, upper-case hex (independent of the firmware). */
export function crc(s: string): string {
  let c = 0xffff;
  for (const b of Buffer.from(s, "utf8")) {
    c ^= b << 8;
    for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c.toString(16).toUpperCase().padStart(4, "0");
}
