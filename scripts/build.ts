// npm run build: compiles the release module of every board (or the boards named), through scripts/asc.ts.
// Usage: build.ts [BOARD…] [--target release|test|test-stub|names]… [--test] [--manifest] [--if-stale]
//   --if-stale skips a build newer than its sources (npm test uses it);
//   --test adds the test build (hooks + kernels) of each board; --release-only is accepted (the default);
//   --manifest (npm pack's prepack) writes build/manifest.json: version, and each board's release module
//   with its bytes and SHA-256, so a glasses maker can check what the package ships.
import { createHash } from "node:crypto";
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO, listBoards, loadBoard } from "../host/boards.ts";
import { progress } from "../host/progress.ts";
import { BuildError, TARGETS, compile, ensure, isTarget, outPath, type Target } from "./asc.ts";

/** Writes build/manifest.json for the release modules of every board (atomically). */
function writeManifest(): string {
  const version = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;
  const modules: Record<string, { file: string; bytes: number; sha256: string }> = {};
  for (const board of listBoards()) {
    const file = outPath(board, "release");
    const bytes = readFileSync(file);
    modules[board] = { file: path.relative(REPO, file), bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  }
  const out = path.join(REPO, "build", "manifest.json");
  writeFileSync(`${out}.tmp`, JSON.stringify({ name: "glasses-pay", version, modules }, null, 2) + "\n");
  renameSync(`${out}.tmp`, out);
  return out;
}

function parse(argv: string[]): { boards: string[]; targets: Target[]; manifest: boolean; ifStale: boolean } {
  const boards: string[] = [];
  const targets: Target[] = [];
  let manifest = false;
  let ifStale = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(
        `usage: build.ts [BOARD…] [--target T]… [--test] [--if-stale] [--manifest]\n  boards: ${listBoards().join(", ")}\n  targets:\n${Object.entries(
          TARGETS,
        )
          .map(([k, v]) => `    ${k.padEnd(10)} ${v.file.padEnd(24)} ${v.summary}`)
          .join("\n")}`,
      );
      process.exit(0);
    } else if (a === "--target") {
      const t = argv[++i];
      if (!t || !isTarget(t)) {
        console.error(`--target must be one of ${Object.keys(TARGETS).join(", ")}`);
        process.exit(2);
      }
      targets.push(t);
    } else if (a === "--test") targets.push("release", "test");
    else if (a === "--release-only") targets.push("release");
    else if (a === "--manifest") manifest = true;
    else if (a === "--if-stale") ifStale = true;
    else if (a.startsWith("--")) {
      console.error(`unknown option ${a}`);
      process.exit(2);
    } else boards.push(a);
  }
  for (const b of boards) loadBoard(b);
  if (manifest && boards.length) {
    console.error("--manifest covers every board: name none");
    process.exit(2);
  }
  return {
    boards: boards.length ? boards : listBoards(),
    targets: targets.length ? [...new Set(targets)] : ["release"],
    manifest,
    ifStale,
  };
}

try {
  const { boards, targets, manifest, ifStale } = parse(process.argv.slice(2));
  for (const board of boards)
    for (const target of targets) {
      const p = progress(`building ${target} for ${board}…`);
      const t0 = Date.now();
      try {
        // the manifest (npm pack) only rebuilds what is stale: the modules it lists are always current
        const out = manifest || ifStale ? ensure(board, target) : compile(board, target);
        p.done();
        console.log(
          `built ${path.relative(REPO, out)} (${statSync(out).size} bytes, max ${loadBoard(board).maxMemoryPages} pages, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      } catch (e) {
        p.done();
        throw e;
      }
    }
  if (manifest) console.log(`wrote ${path.relative(REPO, writeManifest())}`);
} catch (e) {
  console.error(e instanceof BuildError ? e.message : `build: ${(e as Error).message}`);
  process.exit(1);
}
