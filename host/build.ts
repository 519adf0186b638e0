// Builds a board's firmware on demand when it is missing or older than its sources, so that
// `npm ci && npm start` needs no separate build step.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { REPO, wasmPath } from "./boards.ts";

/** Newest modification time of the .ts sources under dir (unit tests in __tests__ excluded). */
export function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== "__tests__") t = Math.max(t, newestSource(p)); }
    else if (e.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

export function isStale(board: string, debug = false): boolean {
  const out = wasmPath(board, debug);
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  const inputs = [newestSource(path.join(REPO, "assembly")), statSync(path.join(REPO, "boards", `${board}.json`)).mtimeMs,
    statSync(path.join(REPO, "asconfig.json")).mtimeMs];
  return inputs.some((t) => t > built);
}

/** GLASSES_NO_AUTOBUILD=1 (set by the test script after its own build) turns this off. */
export function ensureBuilt(board: string, debug = false): void {
  if (process.env.GLASSES_NO_AUTOBUILD === "1" && existsSync(wasmPath(board, debug))) return;
  if (!isStale(board, debug)) return;
  process.stderr.write(`building firmware for ${board}…\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO, "scripts", "build.ts"), board, ...(debug ? [] : ["--release-only"])],
    { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`firmware build for ${board} failed`);
}
