// Node's WASI engine (V8). Stdout/stderr of a command run are captured through temporary files,
// because node:wasi takes file descriptors, not streams.
import { WASI } from "./wasi.ts";
import { readFileSync, openSync, closeSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { seededRandomGet } from "./entropy.ts";
import type { Device, RunResult, WasmValue } from "./types.ts";

const compiled = new Map<string, WebAssembly.Module>();
export function compileModule(wasmFile: string): WebAssembly.Module {
  let m = compiled.get(wasmFile);
  if (!m) { m = new WebAssembly.Module(readFileSync(wasmFile)); compiled.set(wasmFile, m); }
  return m;
}


export function runNode(wasmFile: string, argv: string[], preopens: Record<string, string>): RunResult {
  const dir = mkdtempSync(path.join(tmpdir(), "glasses-run-"));
  const outFile = path.join(dir, "out"), errFile = path.join(dir, "err");
  const out = openSync(outFile, "w"), err = openSync(errFile, "w");
  try {
    const guestPreopens: Record<string, string> = {};
    for (const [host, guest] of Object.entries(preopens)) guestPreopens[guest] = host;
    const wasi = new WASI({ version: "preview1", args: ["glasses", ...argv], env: {},
      preopens: guestPreopens, returnOnExit: true, stdout: out, stderr: err });
    const inst = new WebAssembly.Instance(compileModule(wasmFile), wasi.getImportObject() as WebAssembly.Imports);
    let code: number;
    try {
      code = wasi.start(inst);
    } catch (e) {
      // A trap is a firmware bug, reported as such rather than crashing the host.
      closeSync(out); closeSync(err);
      return { code: 134, stdout: readFileSync(outFile, "utf8"), stderr: readFileSync(errFile, "utf8") + `trap: ${(e as Error).message}\n` };
    }
    closeSync(out); closeSync(err);
    return { code, stdout: readFileSync(outFile, "utf8"), stderr: readFileSync(errFile, "utf8") };
  } finally {
    try { closeSync(out); } catch {}
    try { closeSync(err); } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The device face in this process: synchronous access to exports and memory for fast paths. */
export class NodeDevice implements Device {
  readonly engine = "node" as const;
  readonly exports: Record<string, any>;
  readonly memory: WebAssembly.Memory;
  private constructor(inst: WebAssembly.Instance) {
    this.exports = inst.exports as Record<string, any>;
    this.memory = this.exports.memory as WebAssembly.Memory;
  }
  /** `entropySeed`: a repeatable random source for tests (host/engine/entropy.ts); never for real use. */
  static open(wasmFile: string, entropySeed?: string): NodeDevice {
    const wasi = new WASI({ version: "preview1", args: ["glasses", "device"], env: {}, returnOnExit: true });
    const imports = wasi.getImportObject() as Record<string, Record<string, unknown>>;
    let inst: WebAssembly.Instance | undefined = undefined;
    if (entropySeed !== undefined) {
      imports.wasi_snapshot_preview1 = { ...imports.wasi_snapshot_preview1,
        random_get: seededRandomGet(entropySeed, () => inst!.exports.memory as WebAssembly.Memory) };
    }
    inst = new WebAssembly.Instance(compileModule(wasmFile), imports as WebAssembly.Imports);
    const code = wasi.start(inst);
    if (code !== 0) throw new Error(`firmware 'device' start exited with ${code}`);
    return new NodeDevice(inst);
  }
  /** A fresh view: memory.grow detaches the old buffer. */
  u8(ptr: number, len: number): Uint8Array { return new Uint8Array(this.memory.buffer, ptr, len); }
  callSync(name: string, ...args: WasmValue[]): any {
    const f = this.exports[name];
    if (typeof f !== "function") throw new Error(`firmware has no export '${name}'`);
    return f(...args);
  }
  async call(name: string, ...args: WasmValue[]): Promise<number> { return Number(this.callSync(name, ...args)); }
  async call64(name: string, ...args: WasmValue[]): Promise<bigint> { return BigInt(this.callSync(name, ...args)); }
  async write(ptr: number, bytes: Uint8Array): Promise<void> { this.u8(ptr, bytes.length).set(bytes); }
  async read(ptr: number, len: number): Promise<Uint8Array> { return this.u8(ptr, len).slice(); }
  lastFuel(): number | undefined { return undefined; }
  async close(): Promise<void> {}
}
