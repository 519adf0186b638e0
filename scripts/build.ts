// Builds build/<board>/glasses.wasm (release) and glasses.debug.wasm for every board in boards/
// (or the boards named on the command line). The module's maximum memory is the board's cap.
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { REPO, listBoards, loadBoard, boardConstants, wasmPath } from "../host/boards.ts";

const args = process.argv.slice(2);
const debugToo = !args.includes("--release-only");
const named = args.filter((a) => !a.startsWith("--"));
const boards = named.length ? named : listBoards();
const asc = path.join(REPO, "node_modules", "assemblyscript", "bin", "asc.js");

function compile(board: string, debug: boolean): void {
  const b = loadBoard(board);
  const out = wasmPath(board, debug);
  mkdirSync(path.dirname(out), { recursive: true });
  const uses = Object.entries(boardConstants(b)).map(([k, v]) => `${k}=${v}`);
  const argv = [asc, "--config", "asconfig.json", "--target", debug ? "debug" : "release", "-o", out,
    "--maximumMemory", String(b.maxMemoryPages), "--disableWarning", "210", ...uses.flatMap((u) => ["--use", u])];
  if (b.wasm.simd) argv.push("--enable", "simd");
  const r = spawnSync(process.execPath, argv, { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) { console.error(`build failed for board ${board}${debug ? " (debug)" : ""}`); process.exit(r.status ?? 1); }
  console.log(`built ${path.relative(REPO, out)} (${statSync(out).size} bytes, max ${b.maxMemoryPages} pages)`);
}

for (const board of boards) {
  compile(board, false);
  if (debugToo) compile(board, true);
}
