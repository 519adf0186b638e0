// Fuzzing the payload parser inside node:test, bounded by count and time: random bytes, mutated valid
// EMV strings (with and without a recomputed CRC) and mutated URLs. Checks: no trap, no hang, and no
// wrong acceptance: whatever the firmware accepts must carry a matching CRC and agree with an
// independent TLV walk written here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadKernel, crc, type Kernel } from "./payload-kernel.ts";
import { sharedPath } from "../host/shared.ts";

const vectors: any[] = JSON.parse(readFileSync(sharedPath("vectors", "payment-qr", "payloads.json"), "utf8"));
const validEmv = vectors.filter((v) => v.kind === "emv-mpm" && v.crcValid).map((v) => v.payload as string);
const urls = vectors.filter((v) => v.kind !== "emv-mpm").map((v) => v.payload as string);

// a fixed number of cases (FUZZ_CASES, split over the three tests) from a printed seed, never "until a timer"
const MAX_CASES = Number(process.env.FUZZ_CASES ?? 9000);

// deterministic PRNG (xorshift32) so a failure can be replayed with FUZZ_SEED
let seed = Number(process.env.FUZZ_SEED ?? 0x9e3779b9) >>> 0;
console.log(`payload-fuzz: FUZZ_SEED=0x${seed.toString(16)} FUZZ_CASES=${MAX_CASES}`);
function rnd(n: number): number { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; }

let k: Kernel;
test.before(() => { k = loadKernel("pay"); });

function parse(bytes: Uint8Array): { status: number; r: any } {
  k.write(k.call("payloadBuffer"), bytes);
  const status = k.call("payloadParse", bytes.length);
  return { status, r: JSON.parse(Buffer.from(k.read(k.call("payloadResultPtr"), k.call("payloadResultLen"))).toString("utf8")) };
}

/** Independent top-level TLV walk over code points; null when malformed. */
function walk(s: string): Map<string, string> | null {
  const cps = Array.from(s);
  const m = new Map<string, string>();
  let p = 0;
  while (p < cps.length) {
    if (p + 4 > cps.length) return null;
    const id = cps.slice(p, p + 2).join(""), len = cps.slice(p + 2, p + 4).join("");
    if (!/^\d\d$/.test(id) || !/^\d\d$/.test(len)) return null;
    const l = Number(len);
    if (p + 4 + l > cps.length) return null;
    if (m.has(id)) return null;
    m.set(id, cps.slice(p + 4, p + 4 + l).join(""));
    p += 4 + l;
  }
  return m;
}

function checkAccepted(text: string, r: any, tag: string) {
  if (r.kind !== "emv-mpm") return;
  const cps = Array.from(text);
  const body = cps.slice(0, -4).join("");
  assert.equal(crc(body), cps.slice(-4).join(""), `accepted with a wrong CRC: ${tag}`);
  const m = walk(text);
  assert.ok(m, `accepted but the reference walk fails: ${tag}`);
  assert.equal([...m!.keys()][0], "00", tag);
  assert.equal([...m!.keys()].at(-1), "63", tag);
  assert.equal(r.merchantName, m!.get("59") ?? null, tag);
  assert.equal(r.merchantCity, m!.get("60") ?? null, tag);
  assert.ok(m!.has("53") && m!.has("58"), tag);
  if (m!.has("54")) assert.ok(r.amount !== null && /^\d+(\.\d+)?$/.test(r.amount), tag);
  else assert.equal(r.amount, null, tag);
}

function mutate(s: string): string {
  const a = Array.from(s);
  const ops = 1 + rnd(3);
  const alphabet = "0123456789ABCDEFabcdef.-/ %&=?:@é最\u0000\u00ff";
  for (let i = 0; i < ops && a.length > 0; i++) {
    const at = rnd(a.length);
    switch (rnd(6)) {
      case 0: a[at] = alphabet[rnd(alphabet.length)]; break;                 // replace
      case 1: a.splice(at, 1); break;                                        // delete
      case 2: a.splice(at, 0, alphabet[rnd(alphabet.length)]); break;        // insert
      case 3: a[at] = String((Number(a[at]) + 1 + rnd(9)) % 10); break;      // nudge a digit
      case 4: { const b = rnd(a.length); [a[at], a[b]] = [a[b], a[at]]; break; } // swap
      case 5: a.splice(at, rnd(8)); break;                                   // cut a run
    }
  }
  return a.join("");
}

function withCrc(s: string): string {
  const cps = Array.from(s);
  if (cps.length < 8) return s;
  const body = cps.slice(0, -4).join("");
  return body + crc(body);
}

test("fuzz: random bytes never trap and are never accepted as EMV without a CRC match", { timeout: 120000 }, (t) => {
  let n = 0, accepted = 0;
  while (n < MAX_CASES / 3) {
    const len = rnd(4) === 0 ? rnd(3017) : rnd(120);
    const b = new Uint8Array(len);
    const digitsOnly = rnd(2) === 0;
    for (let i = 0; i < len; i++) b[i] = digitsOnly ? 48 + rnd(10) : rnd(256);
    const { status, r } = parse(b);
    assert.equal(r.valid, status === 0);
    if (r.valid) { accepted++; checkAccepted(Buffer.from(b).toString("utf8"), r, Buffer.from(b).toString("hex")); }
    n++;
  }
  assert.ok(n > 100, `only ${n} cases ran`);
  t.diagnostic(`${n} random inputs, ${accepted} accepted`);
  // over the limit: rejected with E_TOO_LARGE, nothing read past the buffer
  const big = parse(new Uint8Array(3001).fill(48));
  assert.equal(big.status, 6);
  assert.equal(big.r.valid, false);
  assert.equal(k.call("payloadParse", 1 << 20), 6);
  assert.equal(k.call("payloadParse", -1), 6);
});

test("fuzz: mutated valid EMV payloads (CRC kept) are accepted only when the CRC still matches", { timeout: 120000 }, (t) => {
  let n = 0, accepted = 0;
  while (n < MAX_CASES / 3) {
    const src = validEmv[rnd(validEmv.length)];
    const m = mutate(src);
    const { status, r } = parse(Buffer.from(m, "utf8"));
    assert.equal(r.valid, status === 0);
    if (r.valid) {
      accepted++;
      checkAccepted(m, r, m);
      // re-parsing is deterministic
      assert.deepEqual(parse(Buffer.from(m, "utf8")).r, r);
    }
    n++;
  }
  assert.ok(n > 100);
  t.diagnostic(`${n} mutants, ${accepted} accepted (all re-checked)`);
  // with 1-3 edits, a CRC collision is ~1/65536 per case; mostly the only survivors are no-op edits
  assert.ok(accepted < n / 10, `${accepted} of ${n} mutants accepted`);
});

test("fuzz: mutated payloads with a recomputed CRC agree with the reference walk", { timeout: 120000 }, (t) => {
  let n = 0, accepted = 0, rejected = 0;
  while (n < MAX_CASES / 3) {
    const src = rnd(5) === 0 ? urls[rnd(urls.length)] : validEmv[rnd(validEmv.length)];
    const m = src.startsWith("0") ? withCrc(mutate(src)) : mutate(src);
    const { status, r } = parse(Buffer.from(m, "utf8"));
    assert.equal(r.valid, status === 0);
    if (r.valid) { accepted++; checkAccepted(m, r, m); } else { rejected++; assert.ok(typeof r.error === "string" && r.error.length > 0); }
    n++;
  }
  assert.ok(accepted > 0 && rejected > 0, `accepted ${accepted}, rejected ${rejected}`);
  t.diagnostic(`${n} CRC-fixed mutants: ${accepted} accepted (checked against the reference walk), ${rejected} rejected`);
});

test("memory stays flat over thousands of parses", () => {
  for (let i = 0; i < 2000; i++) parse(Buffer.from(validEmv[i % validEmv.length]));
  const pages = k.memory.buffer.byteLength / 65536;
  for (let i = 0; i < 20000; i++) parse(Buffer.from(i % 7 === 0 ? urls[i % urls.length] : validEmv[i % validEmv.length]));
  assert.equal(k.memory.buffer.byteLength / 65536, pages);
});
