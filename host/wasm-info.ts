// Facts about a module read from its binary: imports, exports, memory limits.
import { readFileSync, statSync } from "node:fs";

export interface WasmInfo {
  bytes: number;
  imports: string[];
  exports: string[];
  memory: { initialPages: number; maxPages: number | null };
}

function leb(buf: Uint8Array, pos: { p: number }): number {
  let result = 0, shift = 0, b: number;
  do { b = buf[pos.p++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return result;
}

/** Memory limits from the memory section (id 5) or an imported memory. */
function memoryLimits(buf: Uint8Array): { initialPages: number; maxPages: number | null } {
  const pos = { p: 8 };
  while (pos.p < buf.length) {
    const id = buf[pos.p++];
    const size = leb(buf, pos);
    const end = pos.p + size;
    if (id === 5) {
      leb(buf, pos); // count (1)
      const flags = buf[pos.p++];
      const initialPages = leb(buf, pos);
      const maxPages = flags & 1 ? leb(buf, pos) : null;
      return { initialPages, maxPages };
    }
    pos.p = end;
  }
  throw new Error("module has no memory section");
}

export function wasmInfo(file: string): WasmInfo {
  const buf = new Uint8Array(readFileSync(file));
  const mod = new WebAssembly.Module(buf);
  return {
    bytes: statSync(file).size,
    imports: WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`),
    exports: WebAssembly.Module.exports(mod).map((e) => e.name),
    memory: memoryLimits(buf),
  };
}
