// wasmtime: the `wasmtime` CLI when it is on PATH, otherwise the wasmtime engine through its Python
// package (host/engine/wasmtime_runner.py). Fuel (executed wasm work) is measured through Python only,
// so a run that asks for fuel always goes through it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Device, RunResult, WasmValue } from "./types.ts";

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), "wasmtime_runner.py");
const PYTHON = process.env.GLASSES_PYTHON ?? "python3";

let cliCache: boolean | undefined;
export function hasWasmtimeCli(): boolean {
  return (cliCache ??= spawnSync("wasmtime", ["--version"], { stdio: "ignore" }).status === 0);
}

let pyCache: string | null | undefined;
/** null when the Python wasmtime package is importable, else the reason it is not. */
export function wasmtimePythonProblem(): string | null {
  if (pyCache === undefined) {
    const r = spawnSync(PYTHON, ["-c", "import wasmtime"], { encoding: "utf8" });
    pyCache = r.status === 0 ? null : `python3 cannot import wasmtime (pip install wasmtime==49.0.0): ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`;
  }
  return pyCache;
}

export function runWasmtime(wasmFile: string, argv: string[], preopens: Record<string, string>, wantFuel: boolean): RunResult {
  if (hasWasmtimeCli() && !wantFuel) {
    const dirs = Object.entries(preopens).map(([host, guest]) => `--dir=${host}::${guest}`);
    const r = spawnSync("wasmtime", ["run", ...dirs, wasmFile, ...argv], { encoding: "utf8" });
    return { code: r.status ?? 134, stdout: r.stdout, stderr: r.stderr };
  }
  const problem = wasmtimePythonProblem();
  if (problem) throw new Error(problem);
  const dir = mkdtempSync(path.join(tmpdir(), "glasses-wt-"));
  try {
    const out = path.join(dir, "out"), err = path.join(dir, "err");
    const r = spawnSync(PYTHON, [RUNNER, "run", wasmFile, out, err, JSON.stringify(Object.entries(preopens)), ...argv], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`wasmtime runner failed: ${r.stdout}${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
    return { code: res.code, stdout: readFileSync(out, "utf8"), stderr: readFileSync(err, "utf8"), fuel: res.fuel };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The device face in a wasmtime process; every call reports the fuel it used. */
export class WasmtimeDevice implements Device {
  readonly engine = "wasmtime" as const;
  private fuel: number | undefined;
  private pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private constructor(private proc: ReturnType<typeof spawn>, lines: AsyncIterable<string> & { on: Function }) {
    (lines as any).on("line", (l: string) => this.pending.shift()?.resolve(l));
    proc.once("exit", (code) => {
      for (const p of this.pending.splice(0)) p.reject(new Error(`wasmtime device exited (${code})`));
    });
  }

  /** entropySeed: tests and benchmarks only, the repeatable random source of engine/entropy.ts (the runner's twin). */
  static async open(wasmFile: string, entropySeed?: string): Promise<WasmtimeDevice> {
    const problem = wasmtimePythonProblem();
    if (problem) throw new Error(problem);
    const args = [RUNNER, "device", wasmFile, ...(entropySeed === undefined ? [] : [entropySeed])];
    const proc = spawn(PYTHON, args, { stdio: ["pipe", "pipe", "inherit"] });
    const rl = createInterface({ input: proc.stdout! });
    const dev = new WasmtimeDevice(proc, rl as any);
    const first = JSON.parse(await dev.next());
    if (!first.ready) throw new Error(first.error ?? "wasmtime device did not start");
    return dev;
  }

  private next(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.proc.exitCode !== null) reject(new Error(`wasmtime device exited (${this.proc.exitCode})`));
      else this.pending.push({ resolve, reject });
    });
  }

  private async request(req: object): Promise<any> {
    const p = this.next();
    this.proc.stdin!.write(JSON.stringify(req, (_k, v) => (typeof v === "bigint" ? Number(v) : v)) + "\n");
    const res = JSON.parse(await p);
    if (res.error) throw new Error(res.error);
    return res;
  }

  async call(name: string, ...args: WasmValue[]): Promise<number> {
    const r = await this.request({ op: "call", name, args });
    this.fuel = r.fuel;
    return Number(r.result);
  }
  async call64(name: string, ...args: WasmValue[]): Promise<bigint> {
    const r = await this.request({ op: "call", name, args });
    this.fuel = r.fuel;
    return BigInt(r.result);
  }
  async write(ptr: number, bytes: Uint8Array): Promise<void> {
    await this.request({ op: "write", ptr, hex: Buffer.from(bytes).toString("hex") });
  }
  async read(ptr: number, len: number): Promise<Uint8Array> {
    const r = await this.request({ op: "read", ptr, len });
    return new Uint8Array(Buffer.from(r.hex, "hex"));
  }
  lastFuel(): number | undefined { return this.fuel; }
  async close(): Promise<void> {
    this.proc.stdin!.end(JSON.stringify({ op: "quit" }) + "\n");
    await new Promise((r) => (this.proc.exitCode !== null ? r(null) : this.proc.once("exit", r)));
  }
}
