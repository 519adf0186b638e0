// Bytes of a module's code that belong to functions whose names start with a prefix, read from
// the "name" custom section (build with --debug so names are kept; -O3 code is otherwise the same).
import { readFileSync } from "node:fs";

function leb(b: Uint8Array, pos: { p: number }): number {
  let r = 0,
    s = 0,
    x: number;
  do {
    x = b[pos.p++];
    r += (x & 0x7f) * 2 ** s;
    s += 7;
  } while (x & 0x80);
  return r;
}

export interface CodeShare {
  totalBytes: number;
  codeBytes: number;
  prefixCodeBytes: number;
  dataBytes: number;
  functions: number;
  prefixFunctions: number;
}

export function codeShare(file: string, prefix: string): CodeShare {
  const b = new Uint8Array(readFileSync(file));
  const pos = { p: 8 };
  let importedFuncs = 0;
  const bodySizes: number[] = [];
  const names = new Map<number, string>();
  let codeBytes = 0,
    dataBytes = 0;
  while (pos.p < b.length) {
    const id = b[pos.p++];
    const size = leb(b, pos);
    const end = pos.p + size;
    if (id === 2) {
      const n = leb(b, pos);
      for (let i = 0; i < n; i++) {
        const ml = leb(b, pos);
        pos.p += ml;
        const fl = leb(b, pos);
        pos.p += fl;
        const kind = b[pos.p++];
        if (kind === 0) {
          importedFuncs++;
          leb(b, pos);
        } else if (kind === 1) {
          pos.p++;
          const f = b[pos.p++];
          leb(b, pos);
          if (f & 1) leb(b, pos);
        } else if (kind === 2) {
          const f = b[pos.p++];
          leb(b, pos);
          if (f & 1) leb(b, pos);
        } else if (kind === 3) {
          pos.p += 2;
        }
      }
    } else if (id === 10) {
      codeBytes = size;
      const n = leb(b, pos);
      for (let i = 0; i < n; i++) {
        const s = leb(b, pos);
        bodySizes.push(s);
        pos.p += s;
      }
    } else if (id === 11) {
      dataBytes = size;
    } else if (id === 0) {
      const nl = leb(b, pos);
      const name = new TextDecoder().decode(b.subarray(pos.p, pos.p + nl));
      pos.p += nl;
      if (name === "name") {
        while (pos.p < end) {
          const sub = b[pos.p++];
          const ss = leb(b, pos);
          const se = pos.p + ss;
          if (sub === 1) {
            const n = leb(b, pos);
            for (let i = 0; i < n; i++) {
              const idx = leb(b, pos);
              const l = leb(b, pos);
              names.set(idx, new TextDecoder().decode(b.subarray(pos.p, pos.p + l)));
              pos.p += l;
            }
          }
          pos.p = se;
        }
      }
    }
    pos.p = end;
  }
  let prefixCodeBytes = 0,
    prefixFunctions = 0;
  bodySizes.forEach((s, i) => {
    const n = names.get(i + importedFuncs) ?? "";
    if (n.startsWith(prefix)) {
      prefixCodeBytes += s;
      prefixFunctions++;
    }
  });
  return { totalBytes: b.length, codeBytes, prefixCodeBytes, dataBytes, functions: bodySizes.length, prefixFunctions };
}
