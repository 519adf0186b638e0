// The crypto kernel for tests and tools: the Kernel wrapper lives in host/engine/crypto-kernel.ts and loads
// the board's test build (build/<board>/glasses.test.wasm, compiled by scripts/asc.ts with the release's
// options), so the vectors run the code that ships.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { firmwareWasm } from "../../host/engine/crypto-kernel.ts";

export { Kernel, loadKernel, firmwareWasm, hex, unhex, type Exports } from "../../host/engine/crypto-kernel.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The test build of a board (release code + kernel exports); built when missing or stale. */
export function buildKernel(board = "desktop"): string {
  return firmwareWasm(board);
}
