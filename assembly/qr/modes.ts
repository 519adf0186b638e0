// Segment decoding: numeric, alphanumeric, byte, kanji, ECI, structured append, FNC1 (GS1/AIM).
// Raw payload bytes go to payBuf (digits/characters as ASCII, kanji as Shift_JIS), text to charset.textBuf.
import { bsInit, bsRead, bsAvailable } from "./bitstream";
import { textReset, putCp, putBytes, sjisPair, gbPair, textOverflow, setHintSjis } from "./charset";

export const PAY_CAP: i32 = 8192;
export const payBuf: usize = memory.data(8192, 8);
export let payLen: i32 = 0;
export let firstEci: i32 = -1;
export let saIndex: i32 = -1;
export let saTotal: i32 = 0;
export let saParity: i32 = 0;
export let fnc1: i32 = 0;        // 0 none, 1 GS1 (first position), 2 AIM (second position)
export let modesSeen: i32 = 0;    // bit per mode indicator value

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const ALNUM_CODES = new StaticArray<u8>(45);
function initAlnum(): void { for (let i = 0; i < 45; i++) unchecked(ALNUM_CODES[i] = <u8>ALNUM.charCodeAt(i)); }
initAlnum();

function putPay(b: i32): bool {
  if (payLen >= PAY_CAP) return false;
  store<u8>(payBuf + <usize>payLen, <u8>b); payLen++;
  return true;
}

function countBits(mode: i32, version: i32): i32 {
  const cls = version <= 9 ? 0 : (version <= 26 ? 1 : 2);
  if (mode == 1) return cls == 0 ? 10 : (cls == 1 ? 12 : 14);
  if (mode == 2) return cls == 0 ? 9 : (cls == 1 ? 11 : 13);
  if (mode == 4) return cls == 0 ? 8 : 16;
  if (mode == 8) return cls == 0 ? 8 : (cls == 1 ? 10 : 12);
  return 0;
}

function numeric(count: i32): bool {
  while (count >= 3) {
    const v = bsRead(10); if (v < 0 || v >= 1000) return false;
    const d0 = v / 100, d1 = (v / 10) % 10, d2 = v % 10;
    if (!putPay(48 + d0) || !putPay(48 + d1) || !putPay(48 + d2)) return false;
    putCp(48 + d0); putCp(48 + d1); putCp(48 + d2);
    count -= 3;
  }
  if (count == 2) {
    const v = bsRead(7); if (v < 0 || v >= 100) return false;
    if (!putPay(48 + v / 10) || !putPay(48 + v % 10)) return false;
    putCp(48 + v / 10); putCp(48 + v % 10);
  } else if (count == 1) {
    const v = bsRead(4); if (v < 0 || v >= 10) return false;
    if (!putPay(48 + v)) return false;
    putCp(48 + v);
  }
  return true;
}

function alnum(count: i32): bool {
  const start = payLen;
  while (count >= 2) {
    const v = bsRead(11); if (v < 0) return false;
    const a = v / 45, b = v % 45; if (a >= 45) return false;
    if (!putPay(<i32>unchecked(ALNUM_CODES[a])) || !putPay(<i32>unchecked(ALNUM_CODES[b]))) return false;
    count -= 2;
  }
  if (count == 1) {
    const v = bsRead(6); if (v < 0 || v >= 45) return false;
    if (!putPay(<i32>unchecked(ALNUM_CODES[v]))) return false;
  }
  // text: in FNC1 mode "%" is GS (0x1D) and "%%" is a literal "%"
  let i = start;
  while (i < payLen) {
    const c = <i32>load<u8>(payBuf + <usize>i);
    if (fnc1 != 0 && c == 0x25) {
      if (i + 1 < payLen && load<u8>(payBuf + <usize>(i + 1)) == 0x25) { putCp(0x25); i += 2; continue; }
      putCp(0x1d); i++; continue;
    }
    putCp(c); i++;
  }
  return true;
}

function bytes(count: i32, eci: i32): bool {
  const start = payLen;
  for (let i = 0; i < count; i++) {
    const v = bsRead(8); if (v < 0) return false;
    if (!putPay(v)) return false;
  }
  putBytes(payBuf + <usize>start, count, eci);
  return true;
}

function kanji(count: i32): bool {
  for (let i = 0; i < count; i++) {
    const v = bsRead(13); if (v < 0) return false;
    let c = ((v / 0xc0) << 8) | (v % 0xc0);
    c += c < 0x1f00 ? 0x8140 : 0xc140;
    const hi = (c >> 8) & 0xff, lo = c & 0xff;
    if (!putPay(hi) || !putPay(lo)) return false;
    const u = sjisPair(hi, lo);
    putCp(u == 0 ? 0xfffd : u);
  }
  return true;
}

function hanzi(count: i32): bool {
  for (let i = 0; i < count; i++) {
    const v = bsRead(13); if (v < 0) return false;
    let c = ((v / 0x60) << 8) | (v % 0x60);
    c += c < 0x0a00 ? 0xa1a1 : 0xa6a1;
    const hi = (c >> 8) & 0xff, lo = c & 0xff;
    if (!putPay(hi) || !putPay(lo)) return false;
    const u = gbPair(hi, lo);
    putCp(u == 0 ? 0xfffd : u);
  }
  return true;
}

/**
 * Parses the data codewords. Returns false on any malformed segment (then no result is reported).
 * `skip`: leading bits that carry no data (4 in a Model 1 symbol).
 */
export function parseSegments(ptr: usize, n: i32, version: i32, skip: i32 = 0): bool {
  setHintSjis(false);
  if (!parseOnce(ptr, n, version, skip)) return false;
  // a symbol with Kanji segments is Japanese: re-read its byte segments with that hint
  if ((modesSeen & (1 << 8)) != 0 && (modesSeen & (1 << 4)) != 0 && firstEci < 0) {
    setHintSjis(true);
    return parseOnce(ptr, n, version, skip);
  }
  return true;
}

function parseOnce(ptr: usize, n: i32, version: i32, skip: i32): bool {
  bsInit(ptr, n); bsRead(skip); textReset(); payLen = 0; firstEci = -1; saIndex = -1; saTotal = 0; saParity = 0; fnc1 = 0; modesSeen = 0;
  let eci: i32 = -1;
  while (true) {
    if (bsAvailable() < 4) break;
    const mode = bsRead(4);
    if (mode == 0) break;
    modesSeen |= 1 << mode;
    if (mode == 1 || mode == 2 || mode == 4 || mode == 8) {
      const count = bsRead(countBits(mode, version));
      if (count < 0) return false;
      let ok = false;
      if (mode == 1) ok = numeric(count);
      else if (mode == 2) ok = alnum(count);
      else if (mode == 4) ok = bytes(count, eci);
      else ok = kanji(count);
      if (!ok) return false;
    } else if (mode == 7) {
      const b0 = bsRead(8); if (b0 < 0) return false;
      let v: i32;
      if ((b0 & 0x80) == 0) v = b0;
      else if ((b0 & 0xc0) == 0x80) { const b1 = bsRead(8); if (b1 < 0) return false; v = ((b0 & 0x3f) << 8) | b1; }
      else if ((b0 & 0xe0) == 0xc0) { const b1 = bsRead(16); if (b1 < 0) return false; v = ((b0 & 0x1f) << 16) | b1; }
      else return false;
      if (v > 999999) return false;
      eci = v;
      if (firstEci < 0) firstEci = v;
    } else if (mode == 3) {
      const a = bsRead(8), p = bsRead(8);
      if (a < 0 || p < 0) return false;
      saIndex = a >> 4; saTotal = (a & 15) + 1; saParity = p;
    } else if (mode == 5) {
      fnc1 = 1;
    } else if (mode == 9) {
      if (bsRead(8) < 0) return false;
      fnc1 = 2;
    } else if (mode == 13) {
      // Hanzi (GB/T 18284): subset 1 = GB2312
      const subset = bsRead(4);
      const cls = version <= 9 ? 0 : (version <= 26 ? 1 : 2);
      const count = bsRead(cls == 0 ? 8 : (cls == 1 ? 10 : 12));
      if (subset != 1 || count < 0) return false;
      if (!hanzi(count)) return false;
    } else {
      return false; // reserved modes
    }
  }
  return !textOverflow;
}
