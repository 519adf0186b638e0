// Builds a board's firmware on demand when it is missing or older than its sources, so that
// `npm ci && npm start` needs no separate build step. The compiling itself is scripts/asc.ts's, run as a
// child process (scripts/build.ts): the host never imports scripts/ or tools/.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { REPO, wasmPath, type BuildTarget } from "./boards.ts";
import { progress } from "./progress.ts";

/** Newest modification time of the .ts sources under dir (unit tests in __tests__ excluded). */
export function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "__tests__") t = Math.max(t, newestSource(p));
    } else if (e.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** True when the build is missing or older than the firmware sources, the board file or asconfig.json. */
export function isStale(board: string, target: BuildTarget = "release"): boolean {
  const out = wasmPath(board, target);
  if (!existsSync(out)) return true;
  // an installed package ships prebuilt modules and no sources: never stale there
  if (!existsSync(path.join(REPO, "assembly"))) return false;
  const built = statSync(out).mtimeMs;
  const inputs = [
    newestSource(path.join(REPO, "assembly")),
    statSync(path.join(REPO, "boards", `${board}.json`)).mtimeMs,
    statSync(path.join(REPO, "asconfig.json")).mtimeMs,
  ];
  return inputs.some((t) => t > built);
}

/** GLASSES_NO_AUTOBUILD=1 (set by the test script after its own build) turns this off. */
export function ensureBuilt(board: string, target: BuildTarget = "release"): void {
  if (process.env.GLASSES_NO_AUTOBUILD === "1" && existsSync(wasmPath(board, target))) return;
  if (!isStale(board, target)) return;
  if (!existsSync(path.join(REPO, "assembly"))) {
    throw new Error(
      `${path.relative(process.cwd(), wasmPath(board, target))} is not in this package (only release modules ship); build it from a source checkout`,
    );
  }
  const p = progress(`building the ${target} firmware for ${board}…`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO, "scripts", "build.ts"), board, "--target", target], {
    cwd: REPO,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  p.done();
  if (r.status !== 0) throw new Error(`firmware build (${target}) for ${board} failed:\n${r.stderr}`);
}
