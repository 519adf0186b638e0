// Link framing (CTAP-BLE-shaped fragments sized by the MTU) and the CBOR codec, through the
// firmware's kernel exports (assembly/link/exports.ts compiled on its own).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKernel, type Kernel } from "./payload-kernel.ts";
import { CMD, ST, MSG_MAX, fragment, encode } from "./link-ref.ts";

let k: Kernel;
test.before(() => { k = loadKernel("link"); });

function init(mtu: number, timeout = 3000) { assert.equal(k.call("linkInit", mtu, timeout), 0); }
function feed(f: Uint8Array, t = 0): number {
  k.write(k.call("linkFragBuffer"), f);
  return k.call("linkFeed", f.length, BigInt(t));
}
function rxMessage(): { cmd: number; data: Uint8Array } | null {
  if (!k.call("linkRxReady")) return null;
  const r = { cmd: k.call("linkRxCmd"), data: k.read(k.call("linkRxData"), k.call("linkRxLen")) };
  k.call("linkRxTake");
  return r;
}
function txFragments(cmd: number, body: Uint8Array): Uint8Array[] {
  k.write(k.call("linkTxBody"), body);
  assert.equal(k.call("linkTxStart", cmd, body.length), 0);
  const out: Uint8Array[] = [];
  for (let n; (n = k.call("linkTxNext")) > 0;) out.push(k.read(k.call("linkTxFrag"), n));
  return out;
}
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);

test("fragmenter output matches the reference framing at every MTU", () => {
  for (const mtu of [20, 23, 128, 185, 244, 512]) {
    init(mtu);
    for (const len of [1, 2, mtu - 4, mtu - 3, mtu - 2, mtu, 1000, 2 * mtu + 5, MSG_MAX]) {
      const body = bytes(len, mtu);
      const frags = txFragments(CMD.MSG, body);
      assert.deepEqual(frags.map((f) => Buffer.from(f).toString("hex")), fragment(CMD.MSG, body, mtu).map((f) => Buffer.from(f).toString("hex")), `mtu ${mtu} len ${len}`);
      for (const f of frags) assert.ok(f.length <= mtu);
    }
  }
});

test("round trip through the reassembler, including sequence wrap past 0x7f", () => {
  for (const mtu of [20, 128, 244]) {
    init(mtu);
    for (const [cmd, len] of [[CMD.MSG, 1], [CMD.MSG, 17], [CMD.MSG, 18], [CMD.MSG, 700], [CMD.MSG, MSG_MAX], [CMD.PING, 0], [CMD.PING, 300]] as const) {
      const body = bytes(len, len);
      const frags = fragment(cmd, body, mtu);
      if (mtu === 20 && len === MSG_MAX) assert.ok(frags.length > 129, "wraps");
      frags.forEach((f, i) => assert.equal(feed(f, i), 0, `mtu ${mtu} len ${len} frag ${i}`));
      const m = rxMessage();
      assert.ok(m);
      assert.equal(m!.cmd, cmd);
      assert.deepEqual(m!.data, body);
    }
  }
});

test("keepalive, cancel and error frames", () => {
  init(20);
  assert.equal(feed(Uint8Array.from([CMD.KEEPALIVE, 0, 1, 2])), 0);
  assert.deepEqual(rxMessage(), { cmd: CMD.KEEPALIVE, data: Uint8Array.from([2]) });
  assert.equal(feed(Uint8Array.from([CMD.KEEPALIVE, 0, 1, 9])), ST.LEN);
  assert.equal(k.call("linkError"), 2); // INVALID_PAR
  assert.equal(feed(Uint8Array.from([CMD.KEEPALIVE, 0, 2, 1, 1])), ST.LEN);
  assert.equal(feed(Uint8Array.from([CMD.CANCEL, 0, 0])), 0);
  assert.equal(rxMessage()!.cmd, CMD.CANCEL);
  assert.equal(feed(Uint8Array.from([CMD.MSG, 0, 0])), ST.LEN);   // empty MSG
  // the firmware's own ERROR frame
  assert.equal(k.call("linkTxError", 4), 0);
  const n = k.call("linkTxNext");
  assert.deepEqual(k.read(k.call("linkTxFrag"), n), Uint8Array.from([CMD.ERROR, 0, 1, 4]));
  assert.equal(k.call("linkTxNext"), 0);
});

test("CANCEL aborts a message in progress", () => {
  init(20);
  const frags = fragment(CMD.MSG, bytes(100), 20);
  assert.equal(feed(frags[0]), 0);
  assert.equal(feed(frags[1]), 0);
  assert.equal(feed(Uint8Array.from([CMD.CANCEL, 0, 0])), 0);
  assert.equal(rxMessage()!.cmd, CMD.CANCEL);
  assert.equal(feed(frags[2]), ST.SEQ);   // the rest of the cancelled message is unexpected
});

test("strict checks: each malformed frame is rejected with its CTAP code, and the link recovers", () => {
  init(20);
  const good = fragment(CMD.MSG, bytes(60), 20);
  const cases: [string, Uint8Array[], number, number][] = [
    ["unexpected continuation", [Uint8Array.from([0, 1, 2])], ST.SEQ, 4],
    ["bad sequence", [good[0], good[2]], ST.SEQ, 4],
    ["repeated sequence", [good[0], good[1], good[1]], ST.SEQ, 4],
    ["overlong fragment", [new Uint8Array(21).fill(0x83)], ST.LEN, 3],
    ["empty fragment", [new Uint8Array(0)], ST.LEN, 3],
    ["short init", [Uint8Array.from([CMD.MSG, 0])], ST.LEN, 3],
    ["announced length over the buffer", [Uint8Array.from([CMD.MSG, 0x10, 0x01, 1])], ST.LEN, 3],
    ["init carries more than announced", [Uint8Array.from([CMD.MSG, 0, 2, 1, 2, 3])], ST.LEN, 3],
    ["continuation past the announced length", [Uint8Array.from([CMD.MSG, 0, 18, ...bytes(17)]), Uint8Array.from([0, 1, 2])], ST.LEN, 3],
    ["empty continuation", [good[0], Uint8Array.from([0])], ST.LEN, 3],
    ["unknown command", [Uint8Array.from([0x84, 0, 0])], ST.CMD, 1],
    ["unknown command 0x80", [Uint8Array.from([0x80, 0, 1, 5])], ST.CMD, 1],
    ["new init inside a message", [good[0], Uint8Array.from([CMD.PING, 0, 1, 7])], ST.SEQ, 4],
  ];
  for (const [name, frags, status, code] of cases) {
    let last = 0;
    for (const f of frags) { last = feed(f); if (last !== 0) break; }
    assert.equal(last, status, name);
    assert.equal(k.call("linkError"), code, name);
    assert.equal(k.call("linkRxReady"), 0, name);
    // recovers: a complete good message goes through next
    good.forEach((f) => assert.equal(feed(f), 0, `${name}: recovery`));
    assert.deepEqual(rxMessage()!.data, bytes(60), name);
  }
});

test("timeouts: tick drops a stale partial message; a late fragment is refused", () => {
  init(20, 500);
  const frags = fragment(CMD.MSG, bytes(40), 20);
  assert.equal(feed(frags[0], 1000), 0);
  assert.equal(k.call("linkTick", 1400n), 0);
  assert.equal(k.call("linkTick", 1501n), ST.TIMEOUT);
  assert.equal(k.call("linkError"), 5);
  assert.equal(feed(frags[1], 1502), ST.SEQ);
  assert.equal(feed(frags[0], 2000), 0);
  assert.equal(feed(frags[1], 2600), ST.TIMEOUT);
  assert.equal(feed(frags[0], 3000), 0);
  assert.equal(feed(frags[1], 3500), 0);
  assert.equal(feed(frags[2], 4000), 0);
  assert.deepEqual(rxMessage()!.data, bytes(40));
});

test("a completed message must be taken before the next one (busy)", () => {
  init(20);
  assert.equal(feed(Uint8Array.from([CMD.PING, 0, 1, 1])), 0);
  assert.equal(feed(Uint8Array.from([CMD.PING, 0, 1, 2])), ST.BUSY);
  assert.equal(k.call("linkError"), 6);
  assert.deepEqual(rxMessage()!.data, Uint8Array.from([1]));
  assert.equal(feed(Uint8Array.from([CMD.PING, 0, 1, 2])), 0);
  rxMessage();
});

test("linkInit rejects MTUs outside 20..512", () => {
  assert.notEqual(k.call("linkInit", 19, 100), 0);
  assert.notEqual(k.call("linkInit", 513, 100), 0);
  assert.equal(k.call("linkInit", 244, 0), 0);
  assert.equal(k.call("linkFeed", 100000, 0n), ST.LEN);
  assert.equal(k.call("linkFeed", -1, 0n), ST.LEN);
});

// ---- CBOR ---------------------------------------------------------------------------------------
function cbor(fn: "cborCheck" | "cborDump" | "cborReencode", b: Uint8Array | number[]): { status: number; out: Uint8Array } {
  const u = Uint8Array.from(b);
  k.write(k.call("cborBuffer"), u);
  const status = k.call(fn, u.length);
  return { status, out: k.read(k.call("cborOutPtr"), k.call("cborOutLen")) };
}
const hx = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

test("CBOR: RFC 8949 Appendix A examples that are deterministic decode and re-encode exactly", () => {
  const ok: [string, any][] = [
    ["00", { i: "0" }], ["17", { i: "23" }], ["1818", { i: "24" }], ["1903e8", { i: "1000" }],
    ["1a000f4240", { i: "1000000" }], ["1b000000e8d4a51000", { i: "1000000000000" }],
    ["20", { i: "-1" }], ["3863", { i: "-100" }], ["3903e7", { i: "-1000" }],
    ["3b7fffffffffffffff", { i: "-9223372036854775808" }], ["1b7fffffffffffffff", { i: "9223372036854775807" }],
    ["f4", false], ["f5", true], ["f6", null], ["40", { b: "" }], ["4401020304", { b: "01020304" }],
    ["60", { t: "" }], ["6161", { t: "a" }], ["6449455446", { t: "IETF" }], ["62225c", { t: "\"\\" }],
    ["62c3bc", { t: "ü" }], ["63e6b0b4", { t: "水" }], ["64f0908591", { t: "𐅑" }],
    ["80", []], ["83010203", [{ i: "1" }, { i: "2" }, { i: "3" }]], ["a0", { m: [] }],
    ["a201020304", { m: [[{ i: "1" }, { i: "2" }], [{ i: "3" }, { i: "4" }]] }],
    ["a26161016162820203", { m: [[{ t: "a" }, { i: "1" }], [{ t: "b" }, [{ i: "2" }, { i: "3" }]]] }],
  ];
  for (const [h, v] of ok) {
    const d = cbor("cborDump", hx(h));
    assert.equal(d.status, 0, h);
    assert.deepEqual(JSON.parse(Buffer.from(d.out).toString()), v, h);
    const r = cbor("cborReencode", hx(h));
    assert.equal(Buffer.from(r.out).toString("hex"), h, h);
    assert.equal(Buffer.from(encode(v)).toString("hex"), h, `reference encoder ${h}`);
  }
});

test("CBOR: rejects malformed, non-canonical and unsupported input", () => {
  const bad: [string, number, string][] = [
    ["", ST.CBOR, "empty"], ["18", ST.CBOR, "truncated head"], ["1817", ST.CBOR, "non-shortest int"],
    ["190017", ST.CBOR, "non-shortest 2-byte"], ["1a0000ffff", ST.CBOR, "non-shortest 4-byte"],
    ["1b00000000ffffffff", ST.CBOR, "non-shortest 8-byte"], ["1b8000000000000000", ST.CBOR_LIMIT, "uint over i64"],
    ["3b8000000000000000", ST.CBOR_LIMIT, "nint under i64"], ["1c", ST.CBOR, "reserved ai 28"],
    ["5f4101ff", ST.CBOR, "indefinite bytes"], ["9fff", ST.CBOR, "indefinite array"], ["bfff", ST.CBOR, "indefinite map"],
    ["c11a514b67b0", ST.CBOR, "tag"], ["f93c00", ST.CBOR, "half float"], ["fb3ff199999999999a", ST.CBOR, "double"],
    ["f7", ST.CBOR, "undefined"], ["f0", ST.CBOR, "simple 16"], ["f820", ST.CBOR, "simple 32"],
    ["4501020304", ST.CBOR, "bytes overrun"], ["62c3", ST.CBOR, "text overrun"], ["62c328", ST.CBOR, "bad utf-8"],
    ["63eda080", ST.CBOR, "utf-8 surrogate"], ["62c080", ST.CBOR, "overlong utf-8"],
    ["820102ff", ST.CBOR, "trailing byte"], ["0000", ST.CBOR, "two items"], ["8301", ST.CBOR, "short array"],
    ["a2030401 02", ST.CBOR, "keys out of order"], ["a201020103", ST.CBOR, "duplicate key"],
    ["a2616201616102", ST.CBOR, "text keys out of order"], ["a1200001", ST.CBOR, "odd map"],
    ["a2200001 02", ST.CBOR, "negative key before positive"],
    ["9a00010000", ST.CBOR_LIMIT, "array count over limit"],
  ];
  for (const [h, status, name] of bad) assert.equal(cbor("cborCheck", hx(h)).status, status, name);
  // depth: 8 nested arrays are fine, 10 are not
  assert.equal(cbor("cborCheck", [...Array(8).fill(0x81), 0]).status, 0);
  assert.equal(cbor("cborCheck", [...Array(10).fill(0x81), 0]).status, ST.CBOR_LIMIT);
  assert.equal(cbor("cborCheck", [...Array(3000).fill(0x81), 0]).status, ST.CBOR_LIMIT);
});

test("no allocation per fragment: the stub-runtime build's bump pointer does not move", () => {
  const s = loadKernel("link", ["--runtime", "stub"]);
  assert.equal(s.call("linkInit", 20, 1000), 0);
  const before = s.call("linkHeapProbe");
  assert.equal(s.call("linkHeapProbe"), before, "probe itself is stable");
  for (let i = 0; i < 200; i++) {
    const body = bytes(1 + (i * 37) % 2000, i);
    s.write(s.call("linkTxBody"), body);
    assert.equal(s.call("linkTxStart", CMD.MSG, body.length), 0);
    for (let n; (n = s.call("linkTxNext")) > 0;) {
      s.write(s.call("linkFragBuffer"), s.read(s.call("linkTxFrag"), n));
      s.call("linkFeed", n, BigInt(i));
    }
    assert.equal(s.call("linkRxReady"), 1);
    s.call("linkRxTake");
    s.call("linkTick", BigInt(i));
  }
  const w = Uint8Array.from([0x83, 0, 2, 1, 2, 3]);          // a malformed frame too
  s.write(s.call("linkFragBuffer"), w);
  assert.equal(s.call("linkFeed", w.length, 0n), ST.LEN);
  assert.equal(s.call("linkHeapProbe"), before);
});
