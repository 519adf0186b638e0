// The command line (WASI args), read once into one buffer and decoded with each argument's exact length.
// (The wasi-shim's process.argv decodes every argument with a length bound as large as its address, which
// makes the decoder reserve megabytes per argument: a command over a few hundred files ran out of memory.)
// Arguments that are not valid UTF-8 (a file name in another encoding) are flagged, so a command can say so
// instead of failing on a name whose bytes were replaced by U+FFFD.
import { args_sizes_get, args_get } from "bindings/wasi_snapshot_preview1";

const sizes: usize = memory.data(16, 8);
let cached: string[] | null = null;
const badUtf8 = new Array<bool>();

/** True when the bytes are well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF). */
export function isUtf8(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c < 0x80) { i++; continue; }
    let need = 0, min = 0;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; }
    else return false;
    if (i + need >= n) return false;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = <i32>load<u8>(p + <usize>(i + k));
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** argv (argv[0] is the program name). */
export function commandArgs(): string[] {
  if (cached != null) return cached!;
  const out = new Array<string>();
  if (args_sizes_get(sizes, sizes + 4) == 0) {
    const count = <i32>load<u32>(sizes), dataSize = <i32>load<u32>(sizes, 4);
    const ptrs = heap.alloc(<usize>(count * 4 + 4));
    const data = heap.alloc(<usize>(dataSize + 1));
    if (args_get(ptrs, data) == 0) {
      for (let i = 0; i < count; i++) {
        const p = <usize>load<u32>(ptrs + <usize>(i * 4));
        let n = 0;
        while (p + <usize>n < data + <usize>dataSize && load<u8>(p + <usize>n) != 0) n++;
        out.push(String.UTF8.decodeUnsafe(p, <usize>n, false));
        badUtf8.push(!isUtf8(p, n));
      }
    }
    heap.free(data);
    heap.free(ptrs);
  }
  cached = out;
  return out;
}

/** True when argv[i] was not valid UTF-8 (its string holds U+FFFD where the bytes were). */
export function argNotUtf8(i: i32): bool { return i >= 0 && i < badUtf8.length && badUtf8[i]; }
