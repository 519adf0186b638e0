// The one place that finds ../shared (corpora, vectors, vendor sources) beside the repository.
// Override with GLASSES_SHARED=/path. Tests call requireShared(): under CI a missing folder is a failure,
// never a silent skip.
import { existsSync } from "node:fs";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "..");

/** The shared folder (absolute), or null when it is not there. */
export function sharedDir(): string | null {
  const dir = process.env.GLASSES_SHARED ?? path.resolve(REPO, "../shared");
  return existsSync(dir) ? dir : null;
}

/** A path inside the shared folder; throws a clear error when the folder or the entry is missing. */
export function sharedPath(...parts: string[]): string {
  const dir = sharedDir();
  if (dir == null) throw new Error(`the shared folder is missing: expected ${path.resolve(REPO, "../shared")} (or set GLASSES_SHARED)`);
  const p = path.join(dir, ...parts);
  if (!existsSync(p)) throw new Error(`missing from the shared folder: ${p}`);
  return p;
}

/** True when the entry exists; for tests that may skip locally (CI=true turns a skip into a failure). */
export function hasShared(...parts: string[]): boolean {
  const dir = sharedDir();
  return dir != null && existsSync(path.join(dir, ...parts));
}
