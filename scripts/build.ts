// npm run build: compiles the release module of every board (or the boards named), through scripts/asc.ts.
// Usage: build.ts [BOARD…] [--target release|test|test-stub|names]… [--test]
//   --test adds the test build (hooks + kernels) of each board; --release-only is accepted (the default).
import { statSync } from "node:fs";
import path from "node:path";
import { REPO, listBoards, loadBoard } from "../host/boards.ts";
import { progress } from "../host/progress.ts";
import { BuildError, TARGETS, compile, isTarget, type Target } from "./asc.ts";

function parse(argv: string[]): { boards: string[]; targets: Target[] } {
  const boards: string[] = [], targets: Target[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(`usage: build.ts [BOARD…] [--target T]… [--test]\n  boards: ${listBoards().join(", ")}\n  targets:\n${
        Object.entries(TARGETS).map(([k, v]) => `    ${k.padEnd(10)} ${v.file.padEnd(24)} ${v.summary}`).join("\n")}`);
      process.exit(0);
    } else if (a === "--target") {
      const t = argv[++i];
      if (!t || !isTarget(t)) { console.error(`--target must be one of ${Object.keys(TARGETS).join(", ")}`); process.exit(2); }
      targets.push(t);
    } else if (a === "--test") targets.push("release", "test");
    else if (a === "--release-only") targets.push("release");
    else if (a.startsWith("--")) { console.error(`unknown option ${a}`); process.exit(2); }
    else boards.push(a);
  }
  for (const b of boards) loadBoard(b);
  return { boards: boards.length ? boards : listBoards(), targets: targets.length ? [...new Set(targets)] : ["release"] };
}

try {
  const { boards, targets } = parse(process.argv.slice(2));
  for (const board of boards) for (const target of targets) {
    const p = progress(`building ${target} for ${board}…`);
    const t0 = Date.now();
    try {
      const out = compile(board, target);
      p.done();
      console.log(`built ${path.relative(REPO, out)} (${statSync(out).size} bytes, max ${loadBoard(board).maxMemoryPages} pages, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) { p.done(); throw e; }
  }
} catch (e) {
  console.error(e instanceof BuildError ? e.message : `build: ${(e as Error).message}`);
  process.exit(1);
}
