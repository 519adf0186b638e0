// Standalone build of the QR engine (assembly/qr/exports.ts; `_start` only runs module init) for benchmarks and tests,
// and for hosts when the firmware build is unavailable. Output: build/qr/kernel-<board>.wasm, rebuilt when
// any assembly/qr source is newer. Same compiler settings as the firmware release (-O3, incremental).
import { newestSource } from "../../host/build.ts";
import { loadBoard, boardConstants, BOARDS_DIR } from "../../host/boards.ts";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");


export function kernelPath(board = "desktop"): string { return path.join(REPO, "build", "qr", `kernel-${board}.wasm`); }

/**
 * Builds (if stale) and returns the kernel path for a board: its camera size, QR candidate cap and frame
 * fuel budget come from boards/<board>.json (camW/camH/maxPages override them).
 */
export function ensureKernel(board = "desktop", camW?: number, camH?: number, maxPages?: number): string {
  const out = kernelPath(board);
  const boardFile = path.join(BOARDS_DIR, `${board}.json`);
  const c: Record<string, number> = existsSync(boardFile) ? boardConstants(loadBoard(board)) : {};
  const uses: Record<string, number> = {
    BOARD_CAMERA_W: camW ?? c.BOARD_CAMERA_W ?? 1920, BOARD_CAMERA_H: camH ?? c.BOARD_CAMERA_H ?? 1440,
    ...(c.BOARD_QR_MAX_CAND ? { BOARD_QR_MAX_CAND: c.BOARD_QR_MAX_CAND } : {}),
    ...(c.BOARD_FRAME_FUEL ? { BOARD_FRAME_FUEL: c.BOARD_FRAME_FUEL } : {}),
  };
  maxPages ??= c.BOARD_MAX_PAGES;
  const src = Math.max(newestSource(path.join(REPO, "assembly", "qr")), statSync(path.join(REPO, "assembly", "errors.ts")).mtimeMs,
    existsSync(boardFile) ? statSync(boardFile).mtimeMs : 0);
  if (existsSync(out) && statSync(out).mtimeMs >= src) return out;
  mkdirSync(path.dirname(out), { recursive: true });
  const asc = path.join(REPO, "node_modules", "assemblyscript", "bin", "asc.js");
  const argv = [asc, "assembly/qr/exports.ts", "--config", "node_modules/@assemblyscript/wasi-shim/asconfig.json",
    "-O3", "--runtime", "incremental", "--noAssert", "-o", out,
    ...Object.entries(uses).flatMap(([k, v]) => ["--use", `${k}=${v}`])];
  if (maxPages) argv.push("--maximumMemory", String(maxPages));
  const r = spawnSync(process.execPath, argv, { cwd: REPO, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`QR kernel build failed:\n${r.stderr}${r.stdout}`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const num = (s?: string) => (s === undefined ? undefined : +s);
  console.log(ensureKernel(process.argv[2] ?? "desktop", num(process.argv[3]), num(process.argv[4])));
}
