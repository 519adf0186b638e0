// Builds WAMR tools from the vendored sources in ../shared/vendor into build/wamr/, cached.
//   node --import tsx scripts/wamr/build.ts [fast] [classic] [wamrc]     (default: fast classic)
// Each variant lives in build/wamr/<variant>/ with a `.key` file: the sha256 of the tarballs and the
// cmake flags. A second run with the same key does nothing; a changed tarball or flag rebuilds.
// The vendored sources are extracted into build/wamr/src/ (never copied into the repository).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { sharedPath } from "../shared.ts";

const REPO = path.resolve(import.meta.dirname, "../..");
export const WAMR_DIR = path.join(REPO, "build", "wamr");
const WAMR_TAR = "wamr-646b5a9bc.tar.xz";
const SIMDE_TAR = "simde-c285589a.tar.xz";

export type Variant = "fast" | "classic" | "wamrc";

/** Where the extracted WAMR tree is (after ensureSources). */
export function wamrRoot(): string { return path.join(WAMR_DIR, "src", "wasm-micro-runtime"); }
export function simdeRoot(): string { return path.join(WAMR_DIR, "src", "simde"); }

/** Path of a built tool (may not exist yet). */
export function toolPath(v: Variant): string {
  return path.join(WAMR_DIR, v, v === "wamrc" ? "wamrc" : "iwasm");
}

/**
 * Runs fn holding build/wamr/.lock (a directory: mkdir is atomic), so test files running in parallel
 * never extract or build into the same folder at once. A lock older than 30 minutes is a crashed run's.
 */
function lockOwnerDead(lock: string): boolean {
  let pid: number;
  try { pid = Number(readFileSync(path.join(lock, "pid"), "utf8")); } catch { return false; }   // being written
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); return false; } catch (e) { return (e as NodeJS.ErrnoException).code === "ESRCH"; }
}

export function withWamrLock<T>(fn: () => T): T {
  const lock = path.join(WAMR_DIR, ".lock");
  mkdirSync(WAMR_DIR, { recursive: true });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += 200) {
    try { mkdirSync(lock); writeFileSync(path.join(lock, "pid"), String(process.pid)); break; } catch {
      // A lock left by a process that died (killed mid-build) is broken at once; an old one after 30 minutes.
      if (lockOwnerDead(lock)) { rmSync(lock, { recursive: true, force: true }); continue; }
      try { if (Date.now() - statSync(lock).mtimeMs > 30 * 60_000) { rmSync(lock, { recursive: true, force: true }); continue; } } catch { continue; }
      if (waited % 30_000 === 0) process.stderr.write("wamr: waiting for another build of build/wamr to finish\n");
      Atomics.wait(sleeper, 0, 0, 200);
    }
  }
  try { return fn(); } finally { rmSync(lock, { recursive: true, force: true }); }
}

function sha256File(p: string): string { return createHash("sha256").update(readFileSync(p)).digest("hex"); }

/** Runs a build step quietly (its output would flood test logs); on failure the error carries its tail. */
export function run(cmd: string, args: string[], cwd = REPO): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 256 << 20, stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-40).join("\n");
    throw new Error(`${cmd} ${args.join(" ")} failed (status ${r.status ?? r.error?.message})\n${tail}`);
  }
}

/** Extracts the vendored WAMR and SIMDe tarballs into build/wamr/src (once per tarball hash). */
export function ensureSources(): string {
  return withWamrLock(extractSources);
}

function extractSources(): string {
  const tars = [sharedPath("vendor", WAMR_TAR), sharedPath("vendor", SIMDE_TAR)];
  const key = tars.map(sha256File).join(" ");
  const src = path.join(WAMR_DIR, "src");
  const stamp = path.join(src, ".key");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return key;
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  for (const t of tars) run("tar", ["-xJf", t, "-C", src]);
  writeFileSync(stamp, key);
  return key;
}

function flags(v: Variant): { srcDir: string; defs: string[] } {
  const common = ["-DCMAKE_BUILD_TYPE=Release", "-DFETCHCONTENT_FULLY_DISCONNECTED=ON"];
  const linux = path.join(wamrRoot(), "product-mini", "platforms", "linux");
  if (v === "fast") return { srcDir: linux, defs: [...common, `-DFETCHCONTENT_SOURCE_DIR_SIMDE=${simdeRoot()}`] };
  if (v === "classic") return { srcDir: linux, defs: [...common, "-DWAMR_BUILD_FAST_INTERP=0", "-DWAMR_BUILD_SIMD=0"] };
  return {
    srcDir: path.join(wamrRoot(), "wamr-compiler"),
    defs: [...common, "-DWAMR_BUILD_WITH_CUSTOM_LLVM=1", "-DCMAKE_PREFIX_PATH=/usr/lib/llvm-16"],
  };
}

/** Builds one variant unless its cached key matches; returns the tool's path. */
export function buildVariant(v: Variant, log = (s: string) => process.stderr.write(s + "\n")): string {
  return withWamrLock(() => buildLocked(v, log));
}

function buildLocked(v: Variant, log: (s: string) => void): string {
  const srcKey = extractSources();
  const { srcDir, defs } = flags(v);
  const key = `${srcKey}\n${defs.join(" ")}\n`;
  const out = path.join(WAMR_DIR, v);
  const stamp = path.join(out, ".key");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key && existsSync(toolPath(v))) return toolPath(v);
  log(`wamr: building ${v} into ${path.relative(REPO, out)} (about ${v === "wamrc" ? "10 minutes" : "1 minute"} on 2 cores)`);
  rmSync(out, { recursive: true, force: true });
  run("cmake", ["-S", srcDir, "-B", out, ...defs]);
  run("cmake", ["--build", out, "-j2"]);
  if (!existsSync(toolPath(v))) throw new Error(`wamr: ${v} built but ${toolPath(v)} is missing`);
  writeFileSync(stamp, key);
  return toolPath(v);
}

/** True when a variant is already built with the current key (no build is started). */
export function isBuilt(v: Variant): boolean {
  if (!existsSync(toolPath(v))) return false;
  try {
    const srcKey = readFileSync(path.join(WAMR_DIR, "src", ".key"), "utf8");
    return readFileSync(path.join(WAMR_DIR, v, ".key"), "utf8") === `${srcKey}\n${flags(v).defs.join(" ")}\n`;
  } catch { return false; }
}
