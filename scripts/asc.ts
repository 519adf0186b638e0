// The one compile path of the firmware. Every build of assembly/ (npm run build, the test and bench
// builds, the host's build-on-demand) goes through compile() here, with one set of compiler options
// (asconfig.json's "release" target: -O3, no asserts, incremental runtime) and the board's constants.
// Targets differ only in the entry file, the runtime and whether function names are kept:
//   release    assembly/release.ts   → build/<board>/glasses.wasm        the device face only (shipped)
//   test       assembly/testbuild.ts → build/<board>/glasses.test.wasm   + test hooks and kernel exports
//   test-stub  assembly/testbuild.ts → build/<board>/glasses.test-stub.wasm  stub runtime (never frees), for
//              tests that prove a hot path allocates nothing (its bump pointer must not move)
//   names      assembly/release.ts   → build/<board>/glasses.names.wasm  release code + name section, for
//              the bench's per-engine code-size share
// Sources are never rewritten; outputs are written to a private name and renamed (parallel test files).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { REPO, BUILD_FILES, boardConstants, loadBoard, wasmPath, type BuildTarget } from "../host/boards.ts";
import { isStale, newestSource } from "../host/build.ts";

export { isStale, newestSource };

export type Target = BuildTarget;

interface TargetSpec {
  entry: string;
  file: string;
  runtime: "incremental" | "stub";
  names: boolean;
  summary: string;
}

export const TARGETS: Record<Target, TargetSpec> = {
  release: {
    entry: "assembly/release.ts",
    file: BUILD_FILES.release,
    runtime: "incremental",
    names: false,
    summary: "shipped module: device face + command face",
  },
  test: {
    entry: "assembly/testbuild.ts",
    file: BUILD_FILES.test,
    runtime: "incremental",
    names: false,
    summary: "release + test hooks + kernel exports",
  },
  "test-stub": {
    entry: "assembly/testbuild.ts",
    file: BUILD_FILES["test-stub"],
    runtime: "stub",
    names: false,
    summary: "test build on the stub runtime (allocation probes)",
  },
  names: {
    entry: "assembly/release.ts",
    file: BUILD_FILES.names,
    runtime: "incremental",
    names: true,
    summary: "release code with a name section (code-size shares)",
  },
};

export function isTarget(t: string): t is Target {
  return Object.hasOwn(TARGETS, t);
}

export function outPath(board: string, target: Target = "release"): string {
  return wasmPath(board, target);
}

/** The package version (package.json, the one place it is written) as the firmware's three numbers. */
export function versionConstants(): Record<string, number> {
  const v = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version as string;
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) throw new BuildError(`package.json version '${v}' is not MAJOR.MINOR.PATCH`);
  return { GLASSES_VERSION_MAJOR: +m[1], GLASSES_VERSION_MINOR: +m[2], GLASSES_VERSION_PATCH: +m[3] };
}

/** The asc command line of one board and target (argv after `node`). */
export function ascArgs(board: string, target: Target, out: string): string[] {
  const b = loadBoard(board);
  const spec = TARGETS[target];
  const uses = Object.entries({ ...boardConstants(b), ...versionConstants() }).flatMap(([k, v]) => ["--use", `${k}=${v}`]);
  const argv = [
    path.join(REPO, "node_modules", "assemblyscript", "bin", "asc.js"),
    spec.entry,
    "--config",
    "asconfig.json",
    "--target",
    "release",
    "--runtime",
    spec.runtime,
    "-o",
    out,
    "--maximumMemory",
    String(b.maxMemoryPages),
    "--disableWarning",
    "210",
    ...uses,
  ];
  if (spec.names) argv.push("--debug");
  if (b.wasm.simd) argv.push("--enable", "simd");
  return argv;
}

export class BuildError extends Error {}

/** Compiles one board's target; returns the output path. Throws BuildError with the compiler's output. */
export function compile(board: string, target: Target = "release"): string {
  const out = outPath(board, target);
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp.wasm`;
  const r = spawnSync(process.execPath, ascArgs(board, target, tmp), { cwd: REPO, encoding: "utf8" });
  if (r.status !== 0) throw new BuildError(`${target} build failed for board ${board}:\n${r.stderr}${r.stdout}`);
  renameSync(tmp, out);
  return out;
}

/** Compiles when stale; returns the output path. */
export function ensure(board: string, target: Target = "release"): string {
  return isStale(board, target) ? compile(board, target) : outPath(board, target);
}
