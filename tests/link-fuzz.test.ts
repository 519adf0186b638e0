// Fuzzing the link reassembler and the CBOR decoder inside node:test: a fixed number of cases from a printed
// seed (FUZZ_SEED replays a run, FUZZ_SCALE multiplies the counts), never "until a timer".
// The reassembler is run side by side with the reference model in link-ref.ts: every status, error
// code and delivered message must agree. CBOR: whatever the decoder accepts must be the unique
// deterministic encoding of what it reports (re-encoding reproduces the input byte for byte).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKernel, type Kernel } from "./payload-kernel.ts";
import { CMD, RefReassembler, fragment, encode, canonical, randomValue } from "./link-ref.ts";

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
let seed = Number(process.env.FUZZ_SEED ?? 0x12345678) >>> 0;
console.log(`link-fuzz: FUZZ_SEED=0x${seed.toString(16)} FUZZ_SCALE=${SCALE}`);
function rnd(n: number): number { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; }

let k: Kernel;
test.before(() => { k = loadKernel("link"); });

function feed(f: Uint8Array, t: number): number {
  k.write(k.call("linkFragBuffer"), f);
  return k.call("linkFeed", f.length, BigInt(t));
}

function randomFragment(mtu: number): Uint8Array {
  const len = Math.min(512, rnd(10) === 0 ? rnd(mtu + 3) : 1 + rnd(Math.min(mtu, 8)));
  const f = Uint8Array.from({ length: len }, () => rnd(256));
  if (len > 0 && rnd(2)) f[0] = [0x81, 0x82, 0x83, 0xbe, 0xbf, 0, 1, 2, 0x7f][rnd(9)];
  if (len > 2 && rnd(2)) { f[1] = 0; f[2] = rnd(len + 4); }
  return f;
}

function stream(mtu: number): Uint8Array[] {
  const cmd = [CMD.MSG, CMD.PING, CMD.KEEPALIVE, CMD.CANCEL, CMD.ERROR][rnd(5)];
  const len = cmd === CMD.KEEPALIVE || cmd === CMD.ERROR ? 1 : cmd === CMD.CANCEL ? 0 : rnd(5) === 0 ? rnd(4097) : rnd(300);
  const body = Uint8Array.from({ length: len }, () => (cmd === CMD.KEEPALIVE ? 1 + rnd(2) : rnd(256)));
  const frags = fragment(cmd, body, mtu);
  // mutate: drop, duplicate, swap, corrupt a byte, truncate, extend
  if (rnd(2)) {
    const i = rnd(frags.length);
    switch (rnd(6)) {
      case 0: frags.splice(i, 1); break;
      case 1: frags.splice(i, 0, frags[i]); break;
      case 2: { const j = rnd(frags.length); [frags[i], frags[j]] = [frags[j], frags[i]]; break; }
      case 3: { const f = frags[i].slice(); f[rnd(f.length)] ^= 1 << rnd(8); frags[i] = f; break; }
      case 4: frags[i] = frags[i].slice(0, rnd(frags[i].length + 1)); break;
      case 5: frags[i] = Uint8Array.from([...frags[i], rnd(256)]); break;
    }
  }
  return frags;
}

test("fuzz: reassembler agrees with the reference model on random and mutated fragment streams", { timeout: 120000 }, (t) => {
  let n = 0, delivered = 0, errors = 0;
  while (n < 1500 * SCALE) {
    const mtu = [20, 23, 64, 128, 244, 512][rnd(6)];
    const timeout = 100 + rnd(1000);
    assert.equal(k.call("linkInit", mtu, timeout), 0);
    const ref = new RefReassembler(mtu, timeout);
    let t = rnd(1000);
    for (let round = 0; round < 20; round++) {
      const frags = rnd(3) === 0 ? Array.from({ length: 1 + rnd(4) }, () => randomFragment(mtu)) : stream(mtu);
      for (const f of frags) {
        t += rnd(8) === 0 ? rnd(2 * timeout) : rnd(50);
        if (rnd(20) === 0) {
          assert.equal(k.call("linkTick", BigInt(t)), ref.tick(t), `tick n=${n}`);
          assert.equal(k.call("linkError"), ref.err);
        }
        const s = feed(f, t), rs = ref.feed(f, t);
        n++;
        assert.equal(s, rs, `status n=${n} frag ${Buffer.from(f).toString("hex")}`);
        assert.equal(k.call("linkError"), ref.err, `error code n=${n}`);
        if (s !== 0) errors++;
        const ready = k.call("linkRxReady") === 1;
        assert.equal(ready, ref.state === "done", `ready n=${n}`);
        if (ready) {
          delivered++;
          assert.equal(k.call("linkRxCmd"), ref.cmd);
          assert.deepEqual(k.read(k.call("linkRxData"), k.call("linkRxLen")), Uint8Array.from(ref.data));
          if (rnd(8) !== 0) { k.call("linkRxTake"); ref.take(); }
        }
      }
    }
  }
  assert.ok(delivered > 100 && errors > 100, `delivered ${delivered}, errors ${errors} of ${n}`);
  t.diagnostic(`${n} fragments: ${delivered} messages delivered, ${errors} rejected, all matching the model`);
});

function cbor(fn: string, b: Uint8Array | number[]): { status: number; out: Uint8Array } {
  const u = Uint8Array.from(b);
  k.write(k.call("cborBuffer"), u);
  const status = k.call(fn, u.length);
  return { status, out: k.read(k.call("cborOutPtr"), k.call("cborOutLen")) };
}

test("fuzz: CBOR random values round-trip; random and mutated bytes are accepted only when canonical", { timeout: 120000 }, (t) => {
  let n = 0, acceptedMutants = 0;
  while (n < 5000 * SCALE) {
    const v = randomValue(rnd);
    const enc = encode(v);
    if (enc.length > 4096) continue;
    const d = cbor("cborDump", enc);
    assert.equal(d.status, 0, Buffer.from(enc).toString("hex"));
    assert.deepEqual(JSON.parse(Buffer.from(d.out).toString()), canonical(v));
    assert.deepEqual([...cbor("cborReencode", enc).out], enc);
    // mutate or make random bytes
    let m: number[];
    if (rnd(4) === 0) m = Array.from({ length: rnd(24) }, () => rnd(256));
    else {
      m = enc.slice();
      const ops = 1 + rnd(3);
      for (let i = 0; i < ops; i++) {
        const at = rnd(m.length + 1);
        switch (rnd(4)) {
          case 0: if (m.length) m[at % m.length] = rnd(256); break;
          case 1: m.splice(at, 1); break;
          case 2: m.splice(at, 0, rnd(256)); break;
          case 3: if (m.length) m[at % m.length] ^= 1 << rnd(8); break;
        }
      }
    }
    const r = cbor("cborReencode", m);
    if (r.status === 0) {
      acceptedMutants++;
      assert.deepEqual([...r.out], m, "accepted bytes must be their own canonical encoding");
      const dd = cbor("cborDump", m);
      assert.equal(dd.status, 0);
      assert.deepEqual(encode(JSON.parse(Buffer.from(dd.out).toString())), m, "dump re-encodes to the input");
    } else {
      assert.ok(r.status === 100 || r.status === 101, `status ${r.status}`);
    }
    n++;
  }
  assert.ok(n > 200 && acceptedMutants > 0, `n ${n}, accepted mutants ${acceptedMutants}`);
  t.diagnostic(`${n} random values round-tripped; ${acceptedMutants} mutants accepted, each canonical`);
});

test("memory stays flat over many link messages", () => {
  assert.equal(k.call("linkInit", 128, 1000), 0);
  const pages = k.memory.buffer.byteLength;
  for (let i = 0; i < 5000; i++) {
    for (const f of fragment(CMD.MSG, Uint8Array.from({ length: 1 + (i % 900) }, (_, j) => j), 128)) feed(f, i);
    k.call("linkRxTake");
  }
  assert.equal(k.memory.buffer.byteLength, pages);
});
