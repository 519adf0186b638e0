// Runs the firmware's command face under a WAMR build (iwasm from scripts/wamr/build.ts): the same
// argv and preopened directory as the Node and wasmtime engines, so outputs compare byte for byte.
import { spawnSync } from "node:child_process";
import { buildVariant, type Variant } from "./build.ts";

export interface IwasmResult { code: number; stdout: string; stderr: string; ms: number }

/** The runtime each board's runtime name maps to here ("aot" runs a .aot file under the fast build). */
export type IwasmMode = "fast" | "classic";

// The interpreters keep wasm operand and call frames on this native stack; the firmware needs about
// 4–6 KiB at its deepest (QR decode), so 64 KiB (iwasm's default) leaves room without hiding a leak.
const STACK = 64 * 1024;

/** Runs `glasses <args…>` with `cwd` preopened as "."; paths in args are relative to cwd. */
export function runIwasm(mode: IwasmMode, module: string, args: string[], cwd: string): IwasmResult {
  const iwasm = buildVariant(mode as Variant);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(iwasm, [`--stack-size=${STACK}`, "--dir=.", module, ...args],
    { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { code: r.status ?? 134, stdout: r.stdout, stderr: r.stderr, ms };
}
