// The QR engine's exports for benchmarks and tests: the board's test build (build/<board>/glasses.test.wasm,
// compiled by scripts/asc.ts with the release's options), not a separately compiled kernel.
import { REPO } from "../../host/boards.ts";
import { resolveWasm } from "../../host/engine/index.ts";

export { REPO };

export function kernelPath(board = "desktop"): string {
  return resolveWasm({ board, target: "test" });
}

/** Builds (if stale) and returns the test build of a board; the camera size is the board's. */
export function ensureKernel(board = "desktop", ..._sizeOverrides: (number | undefined)[]): string {
  return kernelPath(board);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) console.log(ensureKernel(process.argv[2] ?? "desktop"));
