// Reads a module's exports with their kinds and, for functions, their signatures in WAMR notation
// ("(iiiI)i"), straight from the binary's type, import, function and export sections.
import { readFileSync } from "node:fs";

export interface ExportSig { name: string; kind: "func" | "table" | "memory" | "global"; signature?: string }

const VAL: Record<number, string> = { 0x7f: "i", 0x7e: "I", 0x7d: "f", 0x7c: "F", 0x7b: "V" };

export function exportSignatures(file: string): ExportSig[] {
  const b = new Uint8Array(readFileSync(file));
  let p = 8;
  const u = () => { let r = 0, s = 0, x: number; do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
  const name = () => { const n = u(); const s = Buffer.from(b.subarray(p, p + n)).toString("utf8"); p += n; return s; };
  const types: string[] = [];
  const funcTypes: number[] = [];   // imported functions first, then the module's own
  const exps: ExportSig[] = [];
  const exportIdx: number[] = [];
  while (p < b.length) {
    const id = b[p++]; const size = u(); const end = p + size;
    if (id === 1) {
      for (let n = u(); n > 0; n--) {
        p++; // 0x60
        const ps = Array.from({ length: u() }, () => VAL[b[p++]] ?? "?").join("");
        const rs = Array.from({ length: u() }, () => VAL[b[p++]] ?? "?").join("");
        types.push(`(${ps})${rs}`);
      }
    } else if (id === 2) {
      for (let n = u(); n > 0; n--) {
        name(); name();
        const kind = b[p++];
        if (kind === 0) funcTypes.push(u());
        else if (kind === 1) { p++; const f = b[p++]; u(); if (f & 1) u(); }
        else if (kind === 2) { const f = b[p++]; u(); if (f & 1) u(); }
        else if (kind === 3) { p += 2; }
      }
    } else if (id === 3) {
      for (let n = u(); n > 0; n--) funcTypes.push(u());
    } else if (id === 7) {
      for (let n = u(); n > 0; n--) {
        const nm = name(); const kind = b[p++]; const idx = u();
        exps.push({ name: nm, kind: (["func", "table", "memory", "global"] as const)[kind] });
        exportIdx.push(idx);
      }
    }
    p = end;
  }
  exps.forEach((e, i) => { if (e.kind === "func") e.signature = types[funcTypes[exportIdx[i]]]; });
  return exps;
}
