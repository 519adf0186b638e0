// What each board's named runtime can run. A board names its runtime in boards/<id>.json (cpu.runtime);
// a runtime without 128-bit SIMD needs a build without SIMD (wasm.simd false), or it refuses the module.
import type { Board } from "../boards.ts";

export const RUNTIMES = ["wasmtime", "WAMR fast interpreter", "WAMR interpreter", "WAMR AOT"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

// wamrc lowers SIMD only for x86_64, aarch64 and arc and silently drops it for every other target
// (core/iwasm/compilation/aot_llvm.c in the vendored WAMR); the classic interpreter refuses 0xfd opcodes;
// the fast interpreter runs them through SIMDe.
const AOT_SIMD_TARGETS = ["x86_64", "aarch64", "arc"];

export interface RuntimeFacts { name: RuntimeName; simd: boolean; wamr: "fast" | "classic" | "aot" | null }

export function boardRuntime(b: Board): RuntimeFacts {
  const name = (b.cpu.runtime ?? "wasmtime") as RuntimeName;
  if (!RUNTIMES.includes(name)) throw new Error(`boards/${b.id}.json: cpu.runtime '${name}' is not one of ${RUNTIMES.join(", ")}`);
  if (name === "wasmtime") return { name, simd: true, wamr: null };
  if (name === "WAMR fast interpreter") return { name, simd: true, wamr: "fast" };
  if (name === "WAMR interpreter") return { name, simd: false, wamr: "classic" };
  const targets = aotTargets(b);
  return { name, simd: targets.length > 0 && targets.every((t) => AOT_SIMD_TARGETS.some((s) => t.startsWith(s))), wamr: "aot" };
}

/** The wamrc targets a board's AOT image is compiled for (cpu.aotTargets). */
export function aotTargets(b: Board): string[] {
  return ((b.cpu as { aotTargets?: string[] }).aotTargets ?? []).slice();
}
