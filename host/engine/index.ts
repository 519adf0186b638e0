// One door to the firmware for every host command, test and benchmark.
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { ensureBuilt } from "../build.ts";
import { DEFAULT_BOARD, deviceConfigRecord, loadBoard, wasmPath } from "../boards.ts";
import { FirmwareError } from "../status.ts";
import { NodeDevice, runNode } from "./node.ts";
import { WasmtimeDevice, runWasmtime } from "./wasmtime.ts";
import type { Device, EngineName, RunOptions, RunResult } from "./types.ts";

export type { Device, EngineName, RunOptions, RunResult } from "./types.ts";
export { NodeDevice } from "./node.ts";
export { WasmtimeDevice, hasWasmtimeCli, wasmtimePythonProblem } from "./wasmtime.ts";

export function resolveWasm(opts: RunOptions = {}): string {
  if (opts.wasm) return opts.wasm;
  const board = opts.board ?? DEFAULT_BOARD;
  loadBoard(board); // validates the board name and file
  const target = opts.target ?? "release";
  ensureBuilt(board, target);
  const file = wasmPath(board, target);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
}

function defaultPreopens(): Record<string, string> {
  return { [process.cwd()]: ".", "/": "/" };
}

/** Runs the firmware's command face once: `glasses <args…>`. */
export async function runCommand(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const wasm = resolveWasm(opts);
  const preopens = opts.preopens ?? defaultPreopens();
  if ((opts.engine ?? "node") === "wasmtime") return runWasmtime(wasm, args, preopens, !!opts.fuel);
  return runNode(wasm, args, preopens);
}

/**
 * Opens the device face (after `_start device`). With `init: true` it also hands over the device secret
 * (`secret`, default: 32 fresh random bytes) and the board config. `entropySeed` (tests and benchmarks only)
 * replaces the firmware's random source with a repeatable one, the same bytes on both engines: see engine/entropy.ts.
 */
export async function openDevice(opts: RunOptions & { init?: boolean; secret?: Uint8Array; entropySeed?: string } = {}): Promise<Device> {
  const wasm = resolveWasm(opts);
  const wasmtime = (opts.engine ?? "node") === "wasmtime";
  const dev: Device = wasmtime ? await WasmtimeDevice.open(wasm, opts.entropySeed) : NodeDevice.open(wasm, opts.entropySeed);
  if (opts.init) {
    const secret = opts.secret ?? new Uint8Array(randomBytes(32));
    await dev.write(await dev.call("secretBuffer"), secret);
    const st = await dev.call("setDeviceSecret", secret.length);
    if (st !== 0) { await dev.close(); throw new FirmwareError("device secret refused (16–64 bytes)", st); }
    const rec = deviceConfigRecord(loadBoard(opts.board ?? DEFAULT_BOARD));
    await dev.write(await dev.call("configBuffer"), rec);
    const status = await dev.call("init", rec.length);
    if (status !== 0) { await dev.close(); throw new FirmwareError("device init failed", status); }
  }
  return dev;
}

/** Opens the device face in this process (Node), for benchmarks and hot loops. */
export function openNodeDevice(opts: RunOptions = {}): NodeDevice {
  return NodeDevice.open(resolveWasm(opts));
}

/** Drains the device's event queue into parsed JSON objects. */
export async function drainEvents(dev: Device): Promise<any[]> {
  const ptr = await dev.call("eventBuffer");
  const out: any[] = [];
  for (;;) {
    const n = await dev.call("nextEvent");
    if (n <= 0) break;
    out.push(JSON.parse(Buffer.from(await dev.read(ptr, n)).toString("utf8")));
  }
  return out;
}

export function engineName(v: string | undefined): EngineName {
  if (v === undefined || v === "node" || v === "wasmtime") return (v ?? "node") as EngineName;
  throw new Error(`--engine must be node or wasmtime, not '${v}'`);
}
