// Test helper (payload, link and HUD tests): compiles one firmware kernel entry on its own
// (assembly/<engine>/exports.ts, as the brief's standalone build) and instantiates it under node:wasi.
// Once assembly/main.ts re-exports these kernels, the tests can switch to host/engine's openNodeDevice.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, readdirSync, existsSync, renameSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { WASI } from "../host/engine/wasi.ts";

export interface Kernel {
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  call(name: string, ...args: (number | bigint)[]): number;
  write(ptr: number, bytes: Uint8Array): void;
  read(ptr: number, len: number): Uint8Array;
}

/** Hash of the sources a kernel can import (the engines' own folders and the shared pieces). */
function sourceHash(dir: string): string {
  const h = createHash("sha256");
  const parts = ["pay", "link", "hud", "io", "util", "board", "errors.ts"];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) { if (f !== "__tests__") walk(p); }
      else if (f.endsWith(".ts")) h.update(p).update(readFileSync(p));
    }
  };
  for (const p of parts) {
    const full = path.join(dir, p);
    if (!existsSync(full)) continue;
    if (statSync(full).isDirectory()) walk(full); else h.update(full).update(readFileSync(full));
  }
  return h.digest("hex").slice(0, 16);
}

const quiet = process.emitWarning;
process.emitWarning = ((w: any, ...rest: any[]) => {
  if (String(w).includes("WASI is an experimental feature")) return;
  return (quiet as any).call(process, w, ...rest);
}) as typeof process.emitWarning;

/** Builds (cached by source hash) and instantiates assembly/<name>/exports.ts. */
export function buildKernel(name: string, extra: string[] = []): string {
  const root = process.cwd();
  const hash = sourceHash(path.join(root, "assembly")) + createHash("sha256").update(extra.join(" ")).digest("hex").slice(0, 6);
  const dir = path.join(tmpdir(), "glasses-kernels");
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${name}-${hash}.wasm`);
  if (!existsSync(out)) {
    // compile to a private name, then rename: parallel test files never read a half-written module
    const tmp = `${out}.${process.pid}.tmp.wasm`;
    execFileSync(process.execPath, [path.join(root, "node_modules/assemblyscript/bin/asc.js"),
      `assembly/${name}/exports.ts`, "--config", "node_modules/@assemblyscript/wasi-shim/asconfig.json",
      "-O3", "--runtime", "incremental", "-o", tmp, ...extra], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    renameSync(tmp, out);
  }
  return out;
}

export function loadKernel(name: string, extra: string[] = []): Kernel {
  const file = buildKernel(name, extra);
  const wasi = new WASI({ version: "preview1", args: ["kernel"], env: {}, returnOnExit: true });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), wasi.getImportObject() as WebAssembly.Imports);
  const code = wasi.start(inst);
  if (code !== 0) throw new Error(`kernel ${name} start exited ${code}`);
  const exports = inst.exports as Record<string, any>;
  const memory = exports.memory as WebAssembly.Memory;
  return {
    exports, memory,
    call(n, ...a) { const f = exports[n]; if (typeof f !== "function") throw new Error(`no export ${n}`); return Number(f(...a)); },
    write(ptr, bytes) { new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes); },
    read(ptr, len) { return new Uint8Array(memory.buffer, ptr, len).slice(); },
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
