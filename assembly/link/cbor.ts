// A small CBOR (RFC 8949) codec for link message bodies. Deterministic ("canonical") only:
// definite lengths, shortest heads, map keys in bytewise order of their encodings (RFC 8949 §4.2.1),
// no duplicate keys. Supported items: unsigned/negative ints within i64, byte and text strings,
// arrays, maps, false/true/null. Tags, floats, undefined and other simple values are rejected.
// Nothing is allocated: the writer fills a caller's buffer, the reader walks the caller's bytes.
import { utf8Valid } from "../util/utf8";
export { utf8Valid };
import { OK, E_CBOR, E_CBOR_LIMIT } from "../errors";

export const CBOR_MAX_DEPTH: i32 = 8;
export const CBOR_MAX_ITEMS: i32 = 1024;   // per array/map, and in total per validate()

export const MT_UINT: i32 = 0;
export const MT_NINT: i32 = 1;
export const MT_BYTES: i32 = 2;
export const MT_TEXT: i32 = 3;
export const MT_ARRAY: i32 = 4;
export const MT_MAP: i32 = 5;
export const MT_SIMPLE: i32 = 7;

// ---------------------------------------------------------------------------------------------
// Writer

export class CborWriter {
  ptr: usize = 0;
  cap: i32 = 0;
  len: i32 = 0;
  overflow: bool = false;

  reset(ptr: usize, cap: i32): CborWriter { this.ptr = ptr; this.cap = cap; this.len = 0; this.overflow = false; return this; }

  private put(b: u32): void {
    if (this.len >= this.cap) { this.overflow = true; return; }
    store<u8>(this.ptr + <usize>this.len, <u8>b);
    this.len++;
  }

  head(major: i32, v: u64): void {
    const m = <u32>(major << 5);
    if (v < 24) this.put(m | <u32>v);
    else if (v <= 0xff) { this.put(m | 24); this.put(<u32>v); }
    else if (v <= 0xffff) { this.put(m | 25); this.put(<u32>(v >> 8) & 0xff); this.put(<u32>v & 0xff); }
    else if (v <= 0xffffffff) { this.put(m | 26); for (let s = 24; s >= 0; s -= 8) this.put(<u32>(v >> <u64>s) & 0xff); }
    else { this.put(m | 27); for (let s = 56; s >= 0; s -= 8) this.put(<u32>(v >> <u64>s) & 0xff); }
  }

  uint(v: u64): CborWriter { this.head(MT_UINT, v); return this; }
  int(v: i64): CborWriter {
    if (v >= 0) this.head(MT_UINT, <u64>v); else this.head(MT_NINT, <u64>(-1 - v));
    return this;
  }
  bytes(p: usize, n: i32): CborWriter { this.head(MT_BYTES, <u64>n); this.raw(p, n); return this; }
  /** Text from UTF-8 bytes (the caller guarantees valid UTF-8). */
  textUtf8(p: usize, n: i32): CborWriter { this.head(MT_TEXT, <u64>n); this.raw(p, n); return this; }
  /** Text from an AS string, encoded without allocating. */
  text(s: string): CborWriter {
    const n = String.UTF8.byteLength(s);
    this.head(MT_TEXT, <u64>n);
    if (this.len + n > this.cap) { this.overflow = true; return this; }
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.ptr + <usize>this.len);
    this.len += n;
    return this;
  }
  array(n: i32): CborWriter { this.head(MT_ARRAY, <u64>n); return this; }
  map(n: i32): CborWriter { this.head(MT_MAP, <u64>n); return this; }
  bool(b: bool): CborWriter { this.put(b ? 0xf5 : 0xf4); return this; }
  nul(): CborWriter { this.put(0xf6); return this; }
  raw(p: usize, n: i32): void {
    if (n < 0 || this.len + n > this.cap) { this.overflow = true; return; }
    memory.copy(this.ptr + <usize>this.len, p, <usize>n);
    this.len += n;
  }
}

// ---------------------------------------------------------------------------------------------
// Reader

export class CborReader {
  ptr: usize = 0;
  end: i32 = 0;
  pos: i32 = 0;
  status: i32 = OK;
  /** What the last head read: major type and argument; for strings the value span. */
  major: i32 = 0;
  arg: u64 = 0;
  valPtr: usize = 0;
  valLen: i32 = 0;
  items: i32 = 0;

  reset(ptr: usize, len: i32): CborReader {
    this.ptr = ptr; this.end = len; this.pos = 0; this.status = OK; this.items = 0;
    return this;
  }

  private err(code: i32): bool { if (this.status == OK) this.status = code; return false; }

  /** Reads one head (and, for strings, skips over the value). Enforces the canonical rules. */
  readHead(): bool {
    if (this.status != OK) return false;
    if (this.pos >= this.end) return this.err(E_CBOR);
    const ib = <i32>load<u8>(this.ptr + <usize>this.pos);
    this.pos++;
    const major = ib >> 5, ai = ib & 31;
    let v: u64 = 0;
    if (ai < 24) v = <u64>ai;
    else if (ai <= 27) {
      const n = 1 << (ai - 24);
      if (this.pos + n > this.end) return this.err(E_CBOR);
      for (let i = 0; i < n; i++) { v = (v << 8) | <u64>load<u8>(this.ptr + <usize>this.pos); this.pos++; }
      // shortest form only
      const min: u64 = n == 1 ? 24 : n == 2 ? 0x100 : n == 4 ? 0x10000 : 0x100000000;
      if (v < min) return this.err(E_CBOR);
    } else return this.err(E_CBOR);       // 28-30 reserved, 31 indefinite: not allowed
    this.major = major; this.arg = v;
    if (major == 6) return this.err(E_CBOR);                 // tags: unsupported
    if (major == 7) {
      if (ai >= 24) return this.err(E_CBOR);                 // floats and 1-byte simple values
      if (ai != 20 && ai != 21 && ai != 22) return this.err(E_CBOR); // only false, true, null
    }
    if ((major == MT_UINT || major == MT_NINT) && v > <u64>i64.MAX_VALUE) return this.err(E_CBOR_LIMIT);
    if (major == MT_BYTES || major == MT_TEXT) {
      if (v > <u64>(this.end - this.pos)) return this.err(E_CBOR);
      this.valPtr = this.ptr + <usize>this.pos;
      this.valLen = <i32>v;
      this.pos += <i32>v;
      if (major == MT_TEXT && !utf8Valid(this.valPtr, this.valLen)) return this.err(E_CBOR);
    }
    if ((major == MT_ARRAY || major == MT_MAP) && v > <u64>CBOR_MAX_ITEMS) return this.err(E_CBOR_LIMIT);
    if (++this.items > CBOR_MAX_ITEMS * 4) return this.err(E_CBOR_LIMIT);
    return true;
  }

  /** Skips one complete item (validating it). */
  skip(depth: i32 = 0): bool {
    if (depth > CBOR_MAX_DEPTH) return this.err(E_CBOR_LIMIT);
    if (!this.readHead()) return false;
    const major = this.major;
    const n = <i32>this.arg;
    if (major == MT_ARRAY) {
      for (let i = 0; i < n; i++) if (!this.skip(depth + 1)) return false;
    } else if (major == MT_MAP) {
      let prevStart = -1, prevEnd = -1;
      for (let i = 0; i < n; i++) {
        const ks = this.pos;
        if (!this.skip(depth + 1)) return false;
        const ke = this.pos;
        if (prevStart >= 0 && compareBytes(this.ptr + <usize>prevStart, prevEnd - prevStart, this.ptr + <usize>ks, ke - ks) >= 0)
          return this.err(E_CBOR);          // keys out of order or repeated
        prevStart = ks; prevEnd = ke;
        if (!this.skip(depth + 1)) return false;
      }
    }
    return true;
  }

  // Typed reads for message parsers (each validates the head it consumes).
  readInt(): i64 {
    if (!this.readHead()) return 0;
    if (this.major == MT_UINT) return <i64>this.arg;
    if (this.major == MT_NINT) return -1 - <i64>this.arg;
    this.err(E_CBOR); return 0;
  }
  readBytes(): bool { if (!this.readHead()) return false; return this.major == MT_BYTES ? true : this.err(E_CBOR); }
  readText(): bool { if (!this.readHead()) return false; return this.major == MT_TEXT ? true : this.err(E_CBOR); }
  readArray(): i32 { if (!this.readHead()) return -1; if (this.major != MT_ARRAY) { this.err(E_CBOR); return -1; } return <i32>this.arg; }
  readMap(): i32 { if (!this.readHead()) return -1; if (this.major != MT_MAP) { this.err(E_CBOR); return -1; } return <i32>this.arg; }
  /** 0 false, 1 true, 2 null, -1 error */
  readSimple(): i32 { if (!this.readHead()) return -1; if (this.major != MT_SIMPLE) { this.err(E_CBOR); return -1; } return <i32>this.arg - 20; }
  atEnd(): bool { return this.pos == this.end; }
}

/** Bytewise lexicographic order (shorter first on a common prefix). */
export function compareBytes(a: usize, an: i32, b: usize, bn: i32): i32 {
  const n = min(an, bn);
  for (let i = 0; i < n; i++) {
    const x = <i32>load<u8>(a + <usize>i), y = <i32>load<u8>(b + <usize>i);
    if (x != y) return x - y;
  }
  return an - bn;
}

const checker = new CborReader();

/** Validates that [ptr, ptr+len) is exactly one deterministic CBOR item within the limits. */
export function cborValidate(ptr: usize, len: i32): i32 {
  const r = checker.reset(ptr, len);
  if (!r.skip(0)) return r.status == OK ? E_CBOR : r.status;
  if (!r.atEnd()) return E_CBOR;          // trailing bytes
  return OK;
}
