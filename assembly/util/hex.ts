// Hex encoding for command-face arguments and output (lowercase out, either case in).
const DIGITS = "0123456789abcdef";

export function toHex(ptr: usize, len: i32): string {
  let s = "";
  for (let i = 0; i < len; i++) {
    const b = load<u8>(ptr + i);
    s += DIGITS.charAt(b >> 4) + DIGITS.charAt(b & 15);
  }
  return s;
}

export function bytesToHex(a: Uint8Array): string { return toHex(a.dataStart, a.length); }

function nibble(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Decodes hex; returns null for odd length or a non-hex character. */
export function hexToBytes(s: string): Uint8Array | null {
  if (s.length & 1) return null;
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i)), lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = <u8>((hi << 4) | lo);
  }
  return out;
}
