// Builds the C reference host (embed/wamr) into build/wamr/host: extracts WAMR from ../shared/vendor
// (scripts/wamr/build.ts), regenerates glasses.h into build/wamr/include (rewritten only when it changed,
// so make rebuilds only what changed), configures once, then an incremental `cmake --build`.
//   node --import tsx scripts/wamr/build-host.ts     → prints the path of glasses-host
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../../host/boards.ts";
import { WAMR_DIR, ensureSources, run as runTool, wamrRoot, withWamrLock } from "../../host/wamr/build.ts";

const run = (args: string[]) => runTool("cmake", args);
import { generateHeader } from "./gen-header.ts";

export const HOST_BUILD = path.join(WAMR_DIR, "host");
export const HOST_BIN = path.join(HOST_BUILD, "glasses-host");
const INCLUDE = path.join(WAMR_DIR, "include");

export function buildHost(): string {
  ensureSources();
  return withWamrLock(buildHostLocked);
}

function buildHostLocked(): string {
  mkdirSync(INCLUDE, { recursive: true });
  const header = path.join(INCLUDE, "glasses.h");
  const text = generateHeader();
  if (!existsSync(header) || readFileSync(header, "utf8") !== text) writeFileSync(header, text);
  if (!existsSync(path.join(HOST_BUILD, "CMakeCache.txt"))) {
    process.stderr.write("wamr: configuring the C host (WAMR as a library; about 1 minute to build once)\n");
    run(["-S", path.join(REPO, "embed", "wamr"), "-B", HOST_BUILD, `-DWAMR_ROOT_DIR=${wamrRoot()}`, `-DGLASSES_HEADER_DIR=${INCLUDE}`]);
  }
  run(["--build", HOST_BUILD, "-j2"]);
  return HOST_BIN;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(buildHost());
