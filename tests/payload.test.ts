// Payload parser against ../shared/vectors/payment-qr/payloads.json, through the firmware's kernel
// exports (assembly/pay/exports.ts compiled on its own), plus the command face via the host engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { loadKernel, type Kernel } from "./payload-kernel.ts";
import { sharedPath } from "../host/shared.ts";

const vectors: any[] = JSON.parse(readFileSync(sharedPath("vectors", "payment-qr", "payloads.json"), "utf8"));

let k: Kernel;
test.before(() => { k = loadKernel("pay"); });

function parse(text: string | Uint8Array): { status: number; r: any } {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const ptr = k.call("payloadBuffer");
  k.write(ptr, bytes);
  const status = k.call("payloadParse", bytes.length);
  const out = k.read(k.call("payloadResultPtr"), k.call("payloadResultLen"));
  return { status, r: JSON.parse(Buffer.from(out).toString("utf8")) };
}

// ISO 4217 exponents of the currencies the vectors use (independent of the firmware's table)
const EXP: Record<string, [string, number]> = {
  "986": ["BRL", 2], "704": ["VND", 0], "360": ["IDR", 2], "764": ["THB", 2], "344": ["HKD", 2], "702": ["SGD", 2],
  "356": ["INR", 2], "458": ["MYR", 2], "156": ["CNY", 2], "840": ["USD", 2], "392": ["JPY", 0], "418": ["LAK", 2],
  "116": ["KHR", 2], "566": ["NGN", 2], "860": ["UZS", 2],
};

/** Independent scaling: the exact decimal value at the currency exponent, or null when not representable. */
function scaled(raw: string, exp: number): string | null {
  const [i, f = ""] = raw.split(".");
  const frac = f.replace(/0+$/, "");
  if (frac.length > exp) return null;
  const int = i.replace(/^0+(?=\d)/, "");
  return exp === 0 ? int : `${int}.${frac.padEnd(exp, "0")}`;
}

test("vectors: 127 entries, 94 valid EMV + 13 URL/URI", () => {
  assert.equal(vectors.length, 127);
});

test("every valid vector parses to its recorded fields", () => {
  let n = 0;
  for (const v of vectors) {
    const valid = v.kind === "emv-mpm" ? v.crcValid === true : true;
    if (!valid) continue;
    n++;
    const { status, r } = parse(v.payload);
    const tag = `${v.scheme} ${v.payload.slice(0, 50)}…`;
    assert.equal(r.valid, true, `${tag}: ${r.error}`);
    assert.equal(status, 0, tag);
    assert.equal(r.kind, v.kind, tag);
    assert.equal(r.scheme, v.scheme, tag);
    assert.equal(r.error, null, tag);
    assert.deepEqual(r.fields, v.fields, tag);
    if (v.kind === "emv-mpm") {
      const f = v.fields;
      assert.equal(r.crcValid, true, tag);
      assert.equal(r.crcGiven, v.crcGiven, tag);
      assert.equal(r.crcComputed, v.crcComputed, tag);
      assert.equal(r.tlvValid, v.tlvValid, tag);
      assert.equal(r.structureValid, v.structureValid, tag);
      assert.equal(r.merchantName, f.merchantName ?? null, tag);
      assert.equal(r.merchantCity, f.merchantCity ?? null, tag);
      assert.equal(r.pointOfInitiation, f.pointOfInitiation ?? undefined, tag);
      const [alpha, exp] = EXP[f.currency];
      assert.equal(r.currency, alpha, tag);
      if (f.amount === undefined) assert.equal(r.amount, null, tag);
      else {
        const s = scaled(f.amount, exp);
        if (s === null) {
          // e.g. JPY "999.123": kept exact, flagged, and never given minor units
          assert.equal(r.amount, f.amount, tag);
          assert.equal(r.amountMinor, null, tag);
          assert.ok(r.warnings.some((w: string) => w.includes("more decimals")), tag);
        } else {
          assert.equal(r.amount, s, tag);
          assert.equal(r.amountMinor, s.replace(".", "").replace(/^0+(?=\d)/, ""), tag);
        }
      }
      if (f.languageTemplate) {
        assert.equal(r.merchantNameAlt, f.languageTemplate.merchantNameAlt, tag);
        assert.equal(r.language, f.languageTemplate.languagePreference, tag);
      }
    } else if (v.kind === "upi-uri") {
      const q = v.fields.query;
      assert.equal(r.merchantName, q.pn ?? null, tag);
      assert.equal(r.payeeAddress, q.pa, tag);
      assert.equal(r.currency, "INR", tag);
      assert.equal(r.amount, q.am === undefined ? null : scaled(q.am, 2), tag);
      assert.equal(r.crcValid, null, tag);
    } else {
      assert.equal(r.amount, null, tag);
      assert.equal(r.merchantName, null, tag);
      assert.equal(r.crcValid, null, tag);
    }
  }
  assert.equal(n, 94 + 13);
});

test("every invalid vector is rejected with its recorded reason", () => {
  let n = 0;
  for (const v of vectors) {
    if (v.kind !== "emv-mpm" || v.crcValid !== false) continue;
    n++;
    const { status, r } = parse(v.payload);
    const tag = `${v.scheme} ${v.payload.slice(0, 50)}…`;
    assert.equal(r.valid, false, tag);
    assert.notEqual(status, 0, tag);
    // never show untrusted fields
    assert.equal(r.merchantName, null, tag);
    assert.equal(r.amount, null, tag);
    assert.equal(r.currency, null, tag);
    assert.equal(r.tlvValid, v.tlvValid, tag);
    assert.equal(r.structureValid, v.structureValid, tag);
    assert.equal(r.crcGiven, v.crcGiven, tag);
    assert.equal(r.crcComputed, v.crcComputed, tag);
    assert.equal(r.crcValid, false, tag);
    if (!v.tlvValid) {
      assert.equal(r.error, v.tlvError, tag);
      assert.equal(r.tlvError, v.tlvError, tag);
      assert.equal(status, 94, tag);
    } else {
      assert.equal(status, 93, tag);
      assert.deepEqual(r.fields, v.fields, tag);
      if (v.crcValidIgnoringCase) {
        assert.equal(r.crcValidIgnoringCase, true, tag);
        assert.equal(r.error, "crc hex is lower-case", tag);
      } else {
        assert.equal(r.error, "crc mismatch", tag);
      }
    }
  }
  assert.equal(n, 20);
});

test("CRC-16/CCITT-FALSE check values", () => {
  // protocols.md §1 vector: the body ending in 6304 gives 6197
  const body = "00020101021129370016A000000677010111011300668012345675802TH53037646304";
  const { r } = parse(body + "6197");
  assert.equal(r.crcComputed, "6197");
  assert.equal(r.valid, true, r.error);
  assert.equal(r.currency, "THB");
});

test("field rules reject what the CRC cannot catch", async () => {
  const { crc } = await import("./payload-kernel.ts");
  const withCrc = (b: string) => b + "6304" + crc(b + "6304");
  const ok = "000201010211" + "29370016A00000067701011101130066801234567" + "5802TH" + "5303764";
  assert.equal(parse(withCrc(ok)).r.valid, true);
  const cases: [string, RegExp][] = [
    ["000201010211" + "5802TH5303764", /no merchant account/],
    ["000201010211" + "29370016A00000067701011101130066801234567" + "5802TH" + "5303999", /unknown transaction currency/],
    ["000201010211" + "29370016A00000067701011101130066801234567" + "5802TH", /missing transaction currency/],
    ["000201010211" + "29370016A00000067701011101130066801234567" + "5303764", /missing country/],
    [ok + "54041.2.", /transaction amount/],
    [ok + "5405-1.00", /transaction amount/],
    [ok + "5802TH", /duplicate tag 58/],
    ["000201010213" + "29370016A00000067701011101130066801234567" + "5802TH5303764", /point of initiation/],
    [ok + "550203", /convenience fee percentage \(57\) is required/],
    [ok + "5502035705100.0", /57/],
    [ok + "5502025604abcd", /convenience fee fixed/],
    [ok + "5502015908ABCDEFGH6000", /merchant city \(60\) is empty/],
    [ok + "5900", /merchant name \(59\) is empty/],
    ["000201010211" + "29190016A000000677010111" + "5802TH5303764", /non-numeric|overruns|truncated/],
    ["000201010211" + "26080104abcd" + "5802TH5303764", /no globally unique identifier/],
    [ok + "64100002ZH0102", /language template/],
    [ok + "5905Ev\u202Eil", /merchant name \(59\) contains control/],
    [ok + "6005A\u0007BCD", /merchant city \(60\) contains control/],
    [ok + "64150002ZH0105ab\u200Bcd", /language template \(64\) contains/],
  ];
  for (const [body, re] of cases) {
    const { r } = parse(withCrc(body));
    assert.equal(r.valid, false, body);
    assert.match(r.error, re, body);
  }
  // structure
  assert.match(parse(withCrc("0102110002015802TH")).r.error, /first data object is not 00/);
  assert.match(parse("0002016304ABCD5802TH").r.error, /last data object/);
});

test("amount scaling follows the ISO 4217 exponent", async () => {
  const { crc } = await import("./payload-kernel.ts");
  const acct = "29370016A00000067701011101130066801234567";
  const make = (cur: string, country: string, amt: string) => {
    const b = `000201010212${acct}5303${cur}54${String(amt.length).padStart(2, "0")}${amt}5802${country}6304`;
    return parse(b + crc(b)).r;
  };
  assert.equal(make("392", "JP", "1500").amount, "1500");          // JPY, 0 decimals
  assert.equal(make("392", "JP", "1500.").amount, "1500");
  assert.equal(make("392", "JP", "1500.00").amount, "1500");       // zero decimals dropped
  assert.equal(make("048", "BH", "1.5").amount, "1.500");           // BHD, 3 decimals
  assert.equal(make("048", "BH", "1.5").amountMinor, "1500");
  assert.equal(make("704", "VN", "50000").amount, "50000");         // VND, 0 decimals
  assert.equal(make("986", "BR", "007.5").amount, "7.50");
  assert.equal(make("986", "BR", "0.001").amountMinor, null);       // not representable
  assert.equal(make("990", "CL", "1.2345").amount, "1.2345");       // CLF, 4 decimals
  assert.equal(make("978", "DE", "9999999999.99").amount, "9999999999.99");
  assert.equal(make("978", "DE", "9999999999.99").currency, "EUR");
});

test("URL and URI payloads: shape checks", () => {
  const bad: [string, RegExp][] = [
    ["http://qr.alipay.com/bax03190uxd47wbekffy6033", /https/],
    ["https://qr.alipay.com/", /missing/],
    ["https://qr.alipay.com/ab%20cd", /characters/],
    ["wxp://f2f0", /f2f0/],
    ["wxp://abcdefgh1234", /f2f0/],
    ["weixin://wxpay/other?pr=abc", /bizpayurl/],
    ["weixin://wxpay/bizpayurl?x=1", /pr/],
    ["upi://pay?pn=Shop", /pa/],
    ["upi://pay?pa=shop", /name@handle/],
    ["upi://pay?pa=a@b&am=1.2.3", /am/],
    ["upi://pay?pa=a@b&am=1.234", /decimals/],
    ["upi://pay?pa=a@b&cu=USD&am=1", /INR/],
    ["upi://pay?pa=a@b&am=1&am=2", /duplicate/],
    ["upi://pay?pa=a@b&pn=%ZZ", /percent/],
    ["upi://pay?pa=a@b&pn=Shop%E2%80%AEliam", /bidi/],
    ["upi://pay?pa=a@b&pn=A%0AB", /control/],
    ["upi://collect?pa=a@b", /upi:\/\/pay/],
    ["https://example.com/pay", /unrecognised/],
    ["hello", /unrecognised/],
    ["", /empty/],
  ];
  for (const [p, re] of bad) {
    const { r, status } = parse(p);
    assert.equal(r.valid, false, p);
    assert.notEqual(status, 0, p);
    assert.match(r.error, re, p);
  }
  const upi = parse("UPI://PAY?pa=shop@okaxis&pn=Chai+Point&am=25.5").r;
  assert.equal(upi.valid, true);
  assert.equal(upi.merchantName, "Chai Point");
  assert.equal(upi.amount, "25.50");
  assert.equal(upi.currency, "INR");
  assert.equal(parse(new Uint8Array([0x75, 0x70, 0x69, 0xff])).r.error, "payload is not valid UTF-8");
});

test("lengths count characters (code points), the CRC covers UTF-8 bytes", async () => {
  const { crc } = await import("./payload-kernel.ts");
  const acct = "29370016A00000067701011101130066801234567";
  // tag 64: language "ZH", alternate name "😀咖啡" = 3 characters, 10 UTF-8 bytes
  const lang = "0002ZH" + "0103😀咖啡";
  const body = `000201010211${acct}5303764` + "5802TH" + "5905Hello" + "6007Bangkok" + `64${String(Array.from(lang).length).padStart(2, "0")}${lang}` + "6304";
  const { r } = parse(body + crc(body));
  assert.equal(r.valid, true, r.error);
  assert.equal(r.merchantNameAlt, "😀咖啡");
  assert.equal(r.language, "ZH");
  // counting UTF-16 units instead would make the 01 length 4: that walk must fail
  const lang2 = "0002ZH" + "0104😀咖啡";
  const body2 = `000201010211${acct}5303764` + "5802TH" + `64${String(Array.from(lang2).length).padStart(2, "0")}${lang2}` + "6304";
  assert.equal(parse(body2 + crc(body2)).r.valid, false);
});
