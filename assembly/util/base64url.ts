// base64url without padding (RFC 4648 §5), as WebAuthn uses in clientDataJSON and on the wire.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function base64url(ptr: usize, len: i32): string {
  let s = "";
  let i = 0;
  for (; i + 3 <= len; i += 3) {
    const v = (<u32>load<u8>(ptr + i) << 16) | (<u32>load<u8>(ptr + i + 1) << 8) | <u32>load<u8>(ptr + i + 2);
    s += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63) + ALPHABET.charAt(v & 63);
  }
  const rest = len - i;
  if (rest == 1) {
    const v = <u32>load<u8>(ptr + i) << 16;
    s += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63);
  } else if (rest == 2) {
    const v = (<u32>load<u8>(ptr + i) << 16) | (<u32>load<u8>(ptr + i + 1) << 8);
    s += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63);
  }
  return s;
}

export function base64urlBytes(a: Uint8Array): string { return base64url(a.dataStart, a.length); }
