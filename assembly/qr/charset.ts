// Text output: Unicode code points appended as UTF-8 to a fixed buffer, and byte-segment decoding by ECI
// charset (UTF-8, ISO-8859-1, Shift_JIS, UTF-16BE, ASCII, Windows-1252/1251) or, without ECI, by guessing
// (valid UTF-8 → UTF-8; valid Shift_JIS with double-byte characters → Shift_JIS; else ISO-8859-1).
import { SJIS_TABLE, GB2312_TABLE } from "./tables";

export const TEXT_CAP: i32 = 16384;
export const textBuf: usize = memory.data(16384, 8);
export let textLen: i32 = 0;
export let textOverflow: bool = false;
export function textReset(): void { textLen = 0; textOverflow = false; }

export function putCp(cp: i32): void {
  if (textLen + 4 > TEXT_CAP) { textOverflow = true; return; }
  const p = textBuf + <usize>textLen;
  if (cp < 0x80) { store<u8>(p, <u8>cp); textLen += 1; }
  else if (cp < 0x800) { store<u8>(p, <u8>(0xc0 | (cp >> 6))); store<u8>(p, <u8>(0x80 | (cp & 63)), 1); textLen += 2; }
  else if (cp < 0x10000) {
    store<u8>(p, <u8>(0xe0 | (cp >> 12))); store<u8>(p, <u8>(0x80 | ((cp >> 6) & 63)), 1);
    store<u8>(p, <u8>(0x80 | (cp & 63)), 2); textLen += 3;
  } else {
    store<u8>(p, <u8>(0xf0 | (cp >> 18))); store<u8>(p, <u8>(0x80 | ((cp >> 12) & 63)), 1);
    store<u8>(p, <u8>(0x80 | ((cp >> 6) & 63)), 2); store<u8>(p, <u8>(0x80 | (cp & 63)), 3); textLen += 4;
  }
}

/** Shift_JIS double byte → UTF-16 unit, 0 if invalid. */
export function sjisPair(lead: i32, trail: i32): i32 {
  let li: i32;
  if (lead >= 0x81 && lead <= 0x9f) li = lead - 0x81;
  else if (lead >= 0xe0 && lead <= 0xfc) li = lead - 0xe0 + 31;
  else return 0;
  if (trail < 0x40 || trail > 0xfc) return 0;
  return <i32>unchecked(SJIS_TABLE[li * 189 + trail - 0x40]);
}

/** GB2312 double byte → UTF-16 unit, 0 if invalid. */
export function gbPair(lead: i32, trail: i32): i32 {
  if (lead < 0xa1 || lead > 0xf7 || trail < 0xa1 || trail > 0xfe) return 0;
  return <i32>unchecked(GB2312_TABLE[(lead - 0xa1) * 94 + trail - 0xa1]);
}
function putGb(p: usize, n: i32): void {
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + i);
    if (c < 0x80) { putCp(c); i++; continue; }
    const u = i + 1 < n ? gbPair(c, <i32>load<u8>(p + i + 1)) : 0;
    putCp(u == 0 ? 0xfffd : u);
    i += 2;
  }
}

function validUtf8(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + i);
    if (c < 0x80) { i++; continue; }
    let need = 0, cp = 0;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
    else return false;
    if (i + need >= n) return false;
    for (let k = 1; k <= need; k++) {
      const t = <i32>load<u8>(p + i + k);
      if ((t & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (t & 63);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** Set when the symbol also has Kanji segments: ambiguous byte segments are then read as Shift_JIS. */
export let hintSjis: bool = false;
export function setHintSjis(v: bool): void { hintSjis = v; }
let sjisKana: i32 = 0;
/** Counts Shift_JIS double-byte characters, or -1 when the bytes are not valid Shift_JIS. */
function sjisDoubles(p: usize, n: i32): i32 {
  let i = 0, doubles = 0;
  sjisKana = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + i);
    if (c < 0x80) { i++; continue; }
    if (c >= 0xa1 && c <= 0xdf) { sjisKana++; i++; continue; }
    if (i + 1 >= n) return -1;
    if (sjisPair(c, <i32>load<u8>(p + i + 1)) == 0) return -1;
    doubles++; i += 2;
  }
  return doubles;
}

function putUtf8(p: usize, n: i32): void {
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + i);
    if (c < 0x80) { putCp(c); i++; continue; }
    let need = 0, cp = 0;
    if (c >= 0xf0) { need = 3; cp = c & 7; } else if (c >= 0xe0) { need = 2; cp = c & 15; } else { need = 1; cp = c & 31; }
    if (i + need >= n) { putCp(0xfffd); return; }
    for (let k = 1; k <= need; k++) cp = (cp << 6) | (<i32>load<u8>(p + i + k) & 63);
    if (cp == 0xfeff && i == 0) { i += need + 1; continue; } // BOM
    putCp(cp); i += need + 1;
  }
}

function putSjis(p: usize, n: i32): void {
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + i);
    if (c < 0x80) { putCp(c == 0x5c ? 0x5c : c); i++; continue; }
    if (c >= 0xa1 && c <= 0xdf) { putCp(0xff61 + c - 0xa1); i++; continue; }
    const u = i + 1 < n ? sjisPair(c, <i32>load<u8>(p + i + 1)) : 0;
    putCp(u == 0 ? 0xfffd : u);
    i += 2;
  }
}

// Windows-1252 0x80..0x9F
const CP1252: StaticArray<u16> = [0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
  0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178];

function putCyrillic1251(c: i32): void {
  if (c < 0x80) { putCp(c); return; }
  if (c >= 0xc0) { putCp(0x410 + c - 0xc0); return; }
  if (c == 0xa8) { putCp(0x401); return; }
  if (c == 0xb8) { putCp(0x451); return; }
  putCp(c); // rarely used punctuation: approximate
}

/** Appends a byte segment decoded with the ECI designator eci (-1 = none: guess). Returns the charset name id. */
export function putBytes(p: usize, n: i32, eci: i32): i32 {
  let cs = eci;
  if (cs < 0) {
    let high = false;
    for (let i = 0; i < n; i++) if (load<u8>(p + i) >= 0x80) { high = true; break; }
    if (!high || validUtf8(p, n)) cs = 26;
    else {
      const d = sjisDoubles(p, n);
      cs = (d > 0 || (d == 0 && (hintSjis || sjisKana >= 3))) ? 20 : 3;
    }
  }
  if (cs == 26) { putUtf8(p, n); return cs; }
  if (cs == 20) { putSjis(p, n); return cs; }
  if (cs == 29) { putGb(p, n); return cs; }
  if (cs == 25) { // UTF-16BE
    for (let i = 0; i + 1 < n; i += 2) {
      let u = (<i32>load<u8>(p + i) << 8) | <i32>load<u8>(p + i + 1);
      if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
        const lo = (<i32>load<u8>(p + i + 2) << 8) | <i32>load<u8>(p + i + 3);
        if (lo >= 0xdc00 && lo <= 0xdfff) { putCp(0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00)); i += 2; continue; }
      }
      putCp(u);
    }
    return cs;
  }
  if (cs == 22) { for (let i = 0; i < n; i++) putCyrillic1251(<i32>load<u8>(p + i)); return cs; }
  if (cs == 21 || cs == 23) {
    for (let i = 0; i < n; i++) {
      const c = <i32>load<u8>(p + i);
      putCp(c >= 0x80 && c < 0xa0 ? <i32>unchecked(CP1252[c - 0x80]) : c);
    }
    return cs;
  }
  // ISO-8859-1, ASCII, CP437 (approximated) and other single-byte sets: code point = byte
  for (let i = 0; i < n; i++) putCp(<i32>load<u8>(p + i));
  return cs;
}
