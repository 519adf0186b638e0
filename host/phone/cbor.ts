/**
 * Minimal CBOR (RFC 8949) codec: the subset WebAuthn uses: unsigned/negative integers, byte strings,
 * text strings, arrays, maps, false/true/null. Definite lengths only; no tags, no floats.
 *
 * Encoding keeps map entries in the order given (Map insertion order or object key order), so the
 * caller controls CTAP2 canonical order (keys sorted by encoded length, then bytewise), which is
 * what the firmware emits: COSE_Key {1, 3, -1, -2, -3}, attestationObject {"fmt", "attStmt", "authData"}.
 */

export type CborValue =
  | number
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | Map<CborValue, CborValue>
  | { [k: string]: CborValue };

function head(major: number, n: number, out: number[]): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`cbor: bad length/value ${n}`);
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
  else if (n < 0x100000000) out.push(m | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const hi = Math.floor(n / 0x100000000);
    const lo = n >>> 0;
    out.push(m | 27, (hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff,
      (lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

function enc(v: CborValue, out: number[]): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError('cbor: only safe integers are supported');
    if (v >= 0) head(0, v, out);
    else head(1, -1 - v, out);
  } else if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    head(3, b.length, out);
    for (const x of b) out.push(x);
  } else if (typeof v === 'boolean') {
    out.push(v ? 0xf5 : 0xf4);
  } else if (v === null) {
    out.push(0xf6);
  } else if (v instanceof Uint8Array) {
    head(2, v.length, out);
    for (const x of v) out.push(x);
  } else if (Array.isArray(v)) {
    head(4, v.length, out);
    for (const x of v) enc(x, out);
  } else if (v instanceof Map) {
    head(5, v.size, out);
    for (const [k, x] of v) { enc(k, out); enc(x, out); }
  } else if (typeof v === 'object') {
    const keys = Object.keys(v);
    head(5, keys.length, out);
    for (const k of keys) { enc(k, out); enc(v[k], out); }
  } else {
    throw new TypeError(`cbor: cannot encode ${typeof v}`);
  }
}

export function cborEncode(v: CborValue): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  enc(v, out);
  return Uint8Array.from(out);
}

/** Decodes one item; maps decode to Map (keys may be numbers or strings), byte strings to Uint8Array. */
export function cborDecode(buf: Uint8Array, opts: { allowTrailing?: boolean } = {}): { value: CborValue; end: number } {
  let p = 0;
  const need = (n: number): void => {
    if (p + n > buf.length) throw new RangeError('cbor: truncated');
  };
  const readLen = (info: number): number => {
    if (info < 24) return info;
    if (info === 24) { need(1); return buf[p++]; }
    if (info === 25) { need(2); const n = (buf[p] << 8) | buf[p + 1]; p += 2; return n; }
    if (info === 26) { need(4); const n = ((buf[p] << 24) >>> 0) + (buf[p + 1] << 16) + (buf[p + 2] << 8) + buf[p + 3]; p += 4; return n; }
    if (info === 27) {
      need(8);
      const hi = ((buf[p] << 24) >>> 0) + (buf[p + 1] << 16) + (buf[p + 2] << 8) + buf[p + 3];
      const lo = ((buf[p + 4] << 24) >>> 0) + (buf[p + 5] << 16) + (buf[p + 6] << 8) + buf[p + 7];
      p += 8;
      const n = hi * 0x100000000 + lo;
      if (!Number.isSafeInteger(n)) throw new RangeError('cbor: integer too large');
      return n;
    }
    throw new RangeError('cbor: indefinite lengths and reserved info values are not supported');
  };
  const item = (depth: number): CborValue => {
    if (depth > 16) throw new RangeError('cbor: nesting too deep');
    need(1);
    const ib = buf[p++];
    const major = ib >> 5;
    const info = ib & 0x1f;
    switch (major) {
      case 0: return readLen(info);
      case 1: return -1 - readLen(info);
      case 2: { const n = readLen(info); need(n); const b = buf.slice(p, p + n); p += n; return b; }
      case 3: {
        const n = readLen(info); need(n);
        const s = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(p, p + n)); p += n; return s;
      }
      case 4: { const n = readLen(info); const a: CborValue[] = []; for (let i = 0; i < n; i++) a.push(item(depth + 1)); return a; }
      case 5: {
        const n = readLen(info); const m = new Map<CborValue, CborValue>();
        for (let i = 0; i < n; i++) {
          const k = item(depth + 1);
          if (typeof k !== 'number' && typeof k !== 'string') throw new TypeError('cbor: map keys must be ints or text');
          if (m.has(k)) throw new TypeError('cbor: duplicate map key');
          m.set(k, item(depth + 1));
        }
        return m;
      }
      case 7:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new RangeError('cbor: unsupported simple/float value');
      default:
        throw new RangeError('cbor: tags are not supported');
    }
  };
  const value = item(0);
  if (!opts.allowTrailing && p !== buf.length) throw new RangeError('cbor: trailing bytes');
  return { value, end: p };
}
