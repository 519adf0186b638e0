// selftest and info: the foundation's own commands.
import { listBoards, loadBoard, wasmPath } from "../boards.ts";
import { resolveWasm, runCommand } from "../engine/index.ts";
import { wasmInfo } from "../wasm-info.ts";
import type { GlobalFlags } from "../args.ts";

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

export async function infoCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const boards = rest.includes("--all") ? listBoards() : [flags.board];
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
