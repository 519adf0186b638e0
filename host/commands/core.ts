// selftest and info: the foundation's own commands.
import { listBoards, loadBoard, wasmPath } from "../boards.ts";
import { resolveWasm, runCommand } from "../engine/index.ts";
import { wasmInfo } from "../wasm-info.ts";
import type { GlobalFlags } from "../args.ts";
import { AOT_FLAGS, cachedAot } from "../wamr/aot.ts";
import { aotTargets, boardRuntime } from "../wamr/runtime.ts";
import { peakPages } from "../wamr/peak.ts";

export async function selftestCommand(_rest: string[], flags: GlobalFlags): Promise<number> {
  const r = await runCommand(["selftest"], { board: flags.board, engine: flags.engine });
  if (flags.json) {
    process.stdout.write(r.stdout);
  } else {
    for (const line of r.stdout.split("\n").filter(Boolean)) {
      const o = JSON.parse(line);
      if (o.check) console.log(`${o.ok ? "ok  " : "FAIL"} ${o.check}`);
      else console.log(`self-test ${o.selftest} on ${o.board} (${flags.engine}): ${o.passed} passed, ${o.failed} failed`);
    }
  }
  process.stderr.write(r.stderr);
  return r.code;
}

export function boardInfo(board: string) {
  const b = loadBoard(board);
  const info = wasmInfo(resolveWasm({ board }));
  const nonWasi = info.imports.filter((i) => !i.startsWith("wasi_snapshot_preview1."));
  return {
    board: b.id,
    description: b.description,
    wasm: wasmPath(board),
    module_bytes: info.bytes,
    imports: info.imports,
    imports_wasi_only: nonWasi.length === 0,
    memory_pages: { initial: info.memory.initialPages, max: info.memory.maxPages, board_cap: b.maxMemoryPages },
    within_memory_cap: info.memory.maxPages !== null && info.memory.maxPages <= b.maxMemoryPages,
    features: { simd: b.wasm.simd, runtime: "incremental" },
    exports: info.exports,
    budgets: b.budgets,
  };
}

/** `info --all`: what a board's module costs where it runs: runtime, bytes (wasm and AOT), exports, peak pages, budgets. */
export function boardSummary(board: string) {
  const b = loadBoard(board);
  const wasm = resolveWasm({ board });
  const info = wasmInfo(wasm);
  const rt = boardRuntime(b);
  const aot: Record<string, number | null> = {};
  for (const t of Object.keys(AOT_FLAGS)) if (aotTargets(b).some((a) => t.startsWith(a))) aot[t] = cachedAot(wasm, board, t);
  return {
    board: b.id, runtime: rt.name, runtime_simd: rt.simd, simd_build: b.wasm.simd, cycles_per_fuel: b.cpu.cyclesPerFuel ?? null,
    module_bytes: info.bytes, aot_bytes: aot, exports: info.exports.length,
    peak: peakPages(board), budgets: b.budgets,
  };
}

export async function infoCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  if (rest.includes("--all")) {
    for (const board of listBoards()) {
      const s = boardSummary(board);
      if (flags.json) { console.log(JSON.stringify(s)); continue; }
      const flash = (s.budgets as { aotBytes?: number }).aotBytes;
      const aot = Object.entries(s.aot_bytes).map(([t, n]) => `${t} ${n ?? "not built"}`).join(", ");
      console.log(`${s.board}: runtime ${s.runtime} (SIMD ${s.runtime_simd ? "yes" : "no"}; module built ${s.simd_build ? "with" : "without"} SIMD), ${s.cycles_per_fuel ?? "?"} cycles/fuel`);
      console.log(`  module   ${s.module_bytes} bytes (budget ${s.budgets.binaryBytes}), ${s.exports} exports`);
      if (aot) console.log(`  AOT      ${aot} bytes${flash ? ` (flash budget ${flash})` : ""}  (npm run bench -- mcu builds them)`);
      console.log(`  memory   peak ${s.peak.peak_pages} pages of ${s.peak.cap_pages} (${s.peak.peak_bytes} bytes; initial ${s.peak.initial_pages})`);
      console.log(`  budgets  frame ${s.budgets.fuelPerFrame} fuel, audio hop ${s.budgets.fuelPerAudioHop}, signature ${s.budgets.fuelPerSignature}, ${s.budgets.memoryPages} pages`);
      if (s.budgets.derivation) console.log(`  derivation: ${s.budgets.derivation}`);
    }
    return 0;
  }
  const boards = [flags.board];
  for (const board of boards) {
    const i = boardInfo(board);
    if (flags.json) { console.log(JSON.stringify(i)); continue; }
    console.log(`${i.board}: ${i.description}`);
    console.log(`  module   ${i.wasm} (${i.module_bytes} bytes; budget ${i.budgets.binaryBytes})`);
    console.log(`  memory   ${i.memory_pages.initial}..${i.memory_pages.max} pages (board cap ${i.memory_pages.board_cap})`);
    console.log(`  imports  ${i.imports.join(", ")}${i.imports_wasi_only ? "" : "  <-- NOT WASI-only"}`);
    console.log(`  features simd=${i.features.simd} runtime=${i.features.runtime}`);
  }
  return 0;
}
