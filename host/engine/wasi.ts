// node:wasi without its ExperimentalWarning: the warning is printed when the module is first loaded, so
// the filter is installed before loading it (an `import` would be hoisted above the filter).
import { createRequire } from "node:module";

const emitWarning = process.emitWarning;
process.emitWarning = ((w: any, ...rest: any[]) => {
  if (String(w).includes("WASI is an experimental feature")) return;
  return (emitWarning as any).call(process, w, ...rest);
}) as typeof process.emitWarning;

export const WASI: typeof import("node:wasi").WASI = createRequire(import.meta.url)("node:wasi").WASI;
