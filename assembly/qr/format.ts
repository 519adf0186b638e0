// Format information (15 bits: EC level, mask; BCH(15,5) + mask 0x5412) and version information
// (18 bits: version; BCH(18,6)). Decoding picks the valid codeword at the smallest Hamming distance
// (≤ 3 bit errors), which is the BCH bounded-distance decode for these short codes.

const FORMAT_CODES = new StaticArray<i32>(32);
const VERSION_CODES = new StaticArray<i32>(41);

export function formatBits(data: i32): i32 {
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | (rem & 0x3ff)) ^ 0x5412;
}
export function versionBits(v: i32): i32 {
  let rem = v;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (v << 12) | (rem & 0xfff);
}
function init(): void {
  for (let d = 0; d < 32; d++) unchecked(FORMAT_CODES[d] = formatBits(d));
  for (let v = 7; v <= 40; v++) unchecked(VERSION_CODES[v] = versionBits(v));
}
init();

/** Last decode's Hamming distance (bits corrected). */
export let fmtDistance: i32 = 0;

/** Decodes a 15-bit format word read from a symbol. Returns the 5 data bits (ecBits<<3|mask) or -1. */
export function decodeFormat(word: i32): i32 {
  let best = -1, bestD = 99;
  for (let d = 0; d < 32; d++) {
    const dist = popcnt<i32>(word ^ unchecked(FORMAT_CODES[d]));
    if (dist < bestD) { bestD = dist; best = d; }
  }
  fmtDistance = bestD;
  return bestD <= 3 ? best : -1;
}
/** Decodes two copies: the best one wins. */
export function decodeFormat2(a: i32, b: i32): i32 {
  let best = -1, bestD = 99;
  for (let d = 0; d < 32; d++) {
    const c = unchecked(FORMAT_CODES[d]);
    const da = popcnt<i32>(a ^ c), db = popcnt<i32>(b ^ c);
    const dist = da < db ? da : db;
    if (dist < bestD) { bestD = dist; best = d; }
  }
  fmtDistance = bestD;
  return bestD <= 3 ? best : -1;
}
/** Decodes an 18-bit version word (two copies). Returns 7..40 or -1. */
export function decodeVersion2(a: i32, b: i32): i32 {
  let best = -1, bestD = 99;
  for (let v = 7; v <= 40; v++) {
    const c = unchecked(VERSION_CODES[v]);
    const da = popcnt<i32>(a ^ c), db = popcnt<i32>(b ^ c);
    const dist = da < db ? da : db;
    if (dist < bestD) { bestD = dist; best = v; }
  }
  fmtDistance = bestD;
  return bestD <= 3 ? best : -1;
}

/** EC level index 0..3 = L,M,Q,H from the 2 format bits (L=01, M=00, Q=11, H=10). */
export function ecIndexFromBits(bits: i32): i32 {
  if (bits == 1) return 0;
  if (bits == 0) return 1;
  if (bits == 3) return 2;
  return 3;
}
export function ecBitsFromIndex(i: i32): i32 {
  if (i == 0) return 1;
  if (i == 1) return 0;
  if (i == 2) return 3;
  return 2;
}
export function ecName(i: i32): string {
  if (i == 0) return "L";
  if (i == 1) return "M";
  if (i == 2) return "Q";
  return "H";
}
