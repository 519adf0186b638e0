// Allocation-free JSON writer into the fixed result buffer (one line per decoded code).
export const RES_CAP: i32 = 65536;
export const resBuf: usize = memory.data(65536, 8);
export let resLen: i32 = 0;
export let resOverflow: bool = false;
export function resReset(): void { resLen = 0; resOverflow = false; }
export function resMark(): i32 { return resLen; }
export function resRewind(m: i32): void { resLen = m; }

// @ts-ignore
@inline function put(b: i32): void {
  if (resLen >= RES_CAP) { resOverflow = true; return; }
  store<u8>(resBuf + <usize>resLen, <u8>b); resLen++;
}
export function wByte(b: i32): void { put(b); }
/** ASCII literal (keys, punctuation). */
export function wLit(s: string): void { for (let i = 0, n = s.length; i < n; i++) put(s.charCodeAt(i)); }
export function wInt(v: i32): void {
  if (v < 0) { put(45); v = -v; }
  if (v >= 10) wInt(v / 10);
  put(48 + v % 10);
}
/** Fixed-point with d decimals (d ≤ 6). */
export function wNum(x: f64, d: i32): void {
  if (!isFinite(x)) { put(48); return; }
  let scale: f64 = 1; for (let i = 0; i < d; i++) scale *= 10;
  let v = <i64>Math.round(x * scale);
  if (v < 0) { put(45); v = -v; }
  const ip = v / <i64>scale;
  let fp = v % <i64>scale;
  wI64(ip);
  if (d > 0) {
    put(46);
    let div = <i64>scale / 10;
    for (let i = 0; i < d; i++) { put(48 + <i32>((fp / div) % 10)); div /= 10; if (div == 0) break; }
  }
}
function wI64(v: i64): void { if (v >= 10) wI64(v / 10); put(48 + <i32>(v % 10)); }
/** A JSON string from UTF-8 bytes, escaped. */
export function wStrUtf8(p: usize, n: i32): void {
  put(34);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + i);
    if (c == 34) { put(92); put(34); }
    else if (c == 92) { put(92); put(92); }
    else if (c == 10) { put(92); put(110); }
    else if (c == 13) { put(92); put(114); }
    else if (c == 9) { put(92); put(116); }
    else if (c < 0x20 || c == 0x7f) { wLit("\\u00"); put(hexc(c >> 4)); put(hexc(c & 15)); }
    else put(c);
  }
  put(34);
}
function hexc(v: i32): i32 { return v < 10 ? 48 + v : 87 + v; }
export function wHex(p: usize, n: i32): void {
  put(34);
  for (let i = 0; i < n; i++) { const c = <i32>load<u8>(p + i); put(hexc(c >> 4)); put(hexc(c & 15)); }
  put(34);
}
