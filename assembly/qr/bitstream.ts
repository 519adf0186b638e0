// Big-endian bit reader over the corrected data codewords.
export let bsPtr: usize = 0;
export let bsLen: i32 = 0;   // bytes
export let bsPos: i32 = 0;   // bits consumed

export function bsInit(ptr: usize, len: i32): void { bsPtr = ptr; bsLen = len; bsPos = 0; }
export function bsAvailable(): i32 { return bsLen * 8 - bsPos; }
/** Reads n ≤ 24 bits; returns -1 if fewer remain. */
export function bsRead(n: i32): i32 {
  if (n <= 0) return 0;
  if (bsAvailable() < n) return -1;
  let v: i32 = 0;
  for (let i = 0; i < n; i++) {
    const p = bsPos + i;
    const bit = (<i32>load<u8>(bsPtr + <usize>(p >> 3)) >> (7 - (p & 7))) & 1;
    v = (v << 1) | bit;
  }
  bsPos += n;
  return v;
}
