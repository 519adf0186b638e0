// Strict UTF-8 validation, shared by the CBOR reader and the payment-URL parser.

/** Strict UTF-8 check (no overlongs, no surrogates, ≤ U+10FFFF). */
export function utf8Valid(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const b0 = <i32>load<u8>(p + <usize>i);
    if (b0 < 0x80) { i++; continue; }
    let k = 0, c = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { k = 1; c = b0 & 0x1f; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { k = 2; c = b0 & 0x0f; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { k = 3; c = b0 & 0x07; }
    else return false;
    if (i + k >= n) return false;
    for (let j = 1; j <= k; j++) {
      const b = <i32>load<u8>(p + <usize>(i + j));
      if ((b & 0xc0) != 0x80) return false;
      c = (c << 6) | (b & 0x3f);
    }
    if ((k == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (k == 3 && (c < 0x10000 || c > 0x10ffff))) return false;
    i += k + 1;
  }
  return true;
}
