// Versions from one place: package.json holds the version; the firmware gets it at build time
// (scripts/asc.ts) and reports it with its `version` command.
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "./boards.ts";
import { runCommand } from "./engine/index.ts";

export function hostVersion(): string {
  return JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;
}

/** The firmware's own report (`glasses version` in the module): {"firmware","version","board",…}. */
export async function firmwareVersion(board: string): Promise<Record<string, unknown>> {
  const r = await runCommand(["version"], { board });
  if (r.code !== 0) throw new Error(`the ${board} firmware could not report its version: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split("\n")[0]);
}
