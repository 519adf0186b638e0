// Reference models for the link tests: a CTAP-BLE-shaped reassembler written from the spec, and a
// deterministic CBOR encoder for the firmware's typed JSON dump ({"i"},{"b"},{"t"},[..],{"m"},bools,null).
export const CMD = { PING: 0x81, KEEPALIVE: 0x82, MSG: 0x83, CANCEL: 0xbe, ERROR: 0xbf } as const;
export const ST = { OK: 0, BUSY: 9, SEQ: 96, LEN: 97, CMD: 98, TIMEOUT: 99, CBOR: 100, CBOR_LIMIT: 101 } as const;
export const MSG_MAX = 4096;

// The fragmenter is the phone's own (host/phone/glasses-link.ts): these tests then also hold the phone's
// framing to the firmware's, byte for byte.
export { fragment } from "../host/phone/glasses-link.ts";

/** Same rules as assembly/link/framing.ts, written from the spec in its header comment. */
export class RefReassembler {
  state: "idle" | "asm" | "done" = "idle";
  cmd = 0; total = 0; data: number[] = []; seq = 0; last = 0; err = 0;
  constructor(public mtu: number, public timeout: number) {}
  private fail(st: number, code: number) { this.err = code; this.state = "idle"; this.data = []; return st; }
  take() { if (this.state === "done") { this.state = "idle"; this.data = []; } }
  tick(t: number) { return this.state === "asm" && t - this.last > this.timeout ? this.fail(ST.TIMEOUT, 5) : ST.OK; }
  feed(f: Uint8Array, t: number): number {
    if (this.state === "done") { this.err = 6; return ST.BUSY; }
    if (f.length === 0 || f.length > this.mtu) return this.fail(ST.LEN, 3);
    if (this.state === "asm" && t - this.last > this.timeout) return this.fail(ST.TIMEOUT, 5);
    const b0 = f[0];
    if (b0 & 0x80) {
      if (this.state === "asm" && b0 !== CMD.CANCEL) return this.fail(ST.SEQ, 4);
      if (!Object.values(CMD).includes(b0 as any)) return this.fail(ST.CMD, 1);
      if (f.length < 3) return this.fail(ST.LEN, 3);
      const total = (f[1] << 8) | f[2];
      if (total > MSG_MAX || f.length - 3 > total) return this.fail(ST.LEN, 3);
      this.cmd = b0; this.total = total; this.data = [...f.subarray(3)]; this.seq = 0; this.last = t;
    } else {
      if (this.state !== "asm" || b0 !== this.seq) return this.fail(ST.SEQ, 4);
      if (f.length === 1 || this.data.length + f.length - 1 > this.total) return this.fail(ST.LEN, 3);
      this.data.push(...f.subarray(1)); this.seq = (this.seq + 1) & 0x7f; this.last = t;
    }
    this.state = "asm";
    if (this.data.length === this.total) {
      const c = this.cmd, n = this.total;
      if (c === CMD.KEEPALIVE && n !== 1) return this.fail(ST.LEN, 3);
      if (c === CMD.KEEPALIVE && this.data[0] !== 1 && this.data[0] !== 2) return this.fail(ST.LEN, 2);
      if (c === CMD.CANCEL && n !== 0) return this.fail(ST.LEN, 3);
      if (c === CMD.ERROR && n !== 1) return this.fail(ST.LEN, 3);
      if (c === CMD.MSG && n === 0) return this.fail(ST.LEN, 3);
      this.state = "done"; this.err = 0;
    }
    return ST.OK;
  }
}

// ---- CBOR -------------------------------------------------------------------------------------
function head(major: number, v: bigint): number[] {
  const m = major << 5;
  if (v < 24n) return [m | Number(v)];
  const sizes: [bigint, number, number][] = [[0xffn, 24, 1], [0xffffn, 25, 2], [0xffffffffn, 26, 4], [0xffffffffffffffffn, 27, 8]];
  for (const [max, ai, n] of sizes) if (v <= max) {
    const out = [m | ai];
    for (let i = n - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
    return out;
  }
  throw new Error("too big");
}

/** Deterministic CBOR of a typed value (keys sorted bytewise). */
export function encode(x: any): number[] {
  if (x === false) return [0xf4];
  if (x === true) return [0xf5];
  if (x === null) return [0xf6];
  if (Array.isArray(x)) return [...head(4, BigInt(x.length)), ...x.flatMap(encode)];
  if ("i" in x) { const v = BigInt(x.i); return v >= 0n ? head(0, v) : head(1, -1n - v); }
  if ("b" in x) { const b = Buffer.from(x.b, "hex"); return [...head(2, BigInt(b.length)), ...b]; }
  if ("t" in x) { const b = Buffer.from(x.t, "utf8"); return [...head(3, BigInt(b.length)), ...b]; }
  if ("m" in x) {
    const pairs = (x.m as any[]).map(([k, v]) => [encode(k), encode(v)] as [number[], number[]]);
    pairs.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
    return [...head(5, BigInt(pairs.length)), ...pairs.flatMap(([k, v]) => [...k, ...v])];
  }
  throw new Error("bad value " + JSON.stringify(x));
}

/** Sorts map entries the way the encoder orders them (to compare with a firmware dump). */
export function canonical(x: any): any {
  if (x === null || typeof x !== "object") return x;
  if (Array.isArray(x)) return x.map(canonical);
  if ("m" in x) {
    const pairs = (x.m as any[]).map(([k, v]) => [canonical(k), canonical(v)]);
    pairs.sort((a, b) => Buffer.compare(Buffer.from(encode(a[0])), Buffer.from(encode(b[0]))));
    return { m: pairs };
  }
  return x;
}

export function randomValue(rnd: (n: number) => number, depth = 0): any {
  const k = rnd(depth > 3 ? 6 : 9);
  switch (k) {
    case 0: return { i: String(BigInt(rnd(2) ? 1 : -1) * BigInt(rnd(30) === 0 ? "9223372036854775807" : [0, 1, 23, 24, 255, 256, 65535, 65536, 4294967295, 4294967296][rnd(10)]) - BigInt(rnd(2))) };
    case 1: return { i: String(rnd(100000) - 50000) };
    case 2: return { b: Buffer.from(Array.from({ length: rnd(40) }, () => rnd(256))).toString("hex") };
    case 3: { const cs = Array.from("aZ0 \"\\é€最😀\n\u0001"); return { t: Array.from({ length: rnd(20) }, () => cs[rnd(cs.length)]).join("") }; }
    case 4: return [true, false, null][rnd(3)];
    case 5: return { i: String(rnd(24)) };
    case 6: return Array.from({ length: rnd(5) }, () => randomValue(rnd, depth + 1));
    default: {
      const m: any[] = [];
      const seen = new Set<string>();
      for (let i = rnd(5); i > 0; i--) {
        const key = rnd(2) ? { i: String(rnd(40) - 10) } : { t: "k" + rnd(30) };
        const ks = JSON.stringify(key);
        if (seen.has(ks)) continue;
        seen.add(ks); m.push([key, randomValue(rnd, depth + 1)]);
      }
      return { m };
    }
  }
}
