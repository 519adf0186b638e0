// node:wasi without its ExperimentalWarning: the warning is printed when the module is first loaded, so
// the filter is installed before loading it (an `import` would be hoisted above the filter).
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";

// node:wasi's syscalls are V8 "fast API calls"; an allocation inside one can start a garbage collection that
// finalizes an earlier, dropped WASI instance, and Node 20-22 then abort the process in ~WASI() (nodejs/node
// #46777: seen here as a SIGABRT/SIGSEGV in a test process that ran many short command runs). Turning fast API
// calls off before any WASI call is compiled avoids it; WASI calls cost a little more, the firmware nothing.
setFlagsFromString("--no-turbo-fast-api-calls");

const emitWarning = process.emitWarning;
process.emitWarning = ((w: any, ...rest: any[]) => {
  if (String(w).includes("WASI is an experimental feature")) return;
  return (emitWarning as any).call(process, w, ...rest);
}) as typeof process.emitWarning;

export const WASI: typeof import("node:wasi").WASI = createRequire(import.meta.url)("node:wasi").WASI;
