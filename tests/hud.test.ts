// HUD: render known screens on the MCU (256×128, 1 bpp) and glasses (640×400, 8 bpp) geometries,
// then check pixels: element boxes, lit pixels only inside them, the amount drawn glyph by glyph
// against the font drawings, the countdown fill, PNG output, and a flat heap across many frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadKernel, type Kernel } from "./payload-kernel.ts";
import { GLYPHS, glyphRows } from "../host/display/fontgen.ts";
import { writeFramebufferPng, readPngGray, pixel, type Framebuffer } from "../host/display/png.ts";

let k: Kernel;
test.before(() => { k = loadKernel("hud"); });

const BOX = { payee: 0, amount: 1, prompt: 2, bar: 3, fill: 4, title: 5, detail: 6 };
type Box = { x: number; y: number; w: number; h: number };

function boxes(): Box[] {
  const raw = new Int32Array(k.read(k.call("hudBoxes"), k.call("hudBoxCount") * 16).buffer);
  return Array.from({ length: raw.length / 4 }, (_, i) => ({ x: raw[4 * i], y: raw[4 * i + 1], w: raw[4 * i + 2], h: raw[4 * i + 3] }));
}
function fbOf(w: number, h: number, bpp: 1 | 8): Framebuffer {
  return { data: k.read(k.call("hudFbBuffer"), k.call("hudFbBytes")), width: w, height: h, bpp, stride: k.call("hudFbStride") };
}
function confirm(payee: string, amount: string | null, cur: string, rem: number, total: number, expectStatus: number | null = 0): number {
  const p = Buffer.from(payee), a = Buffer.from(amount ?? ""), c = Buffer.from(cur);
  k.write(k.call("hudTextBuffer"), Buffer.concat([p, a, c]));
  const s = k.call("hudRenderConfirm", p.length, amount === null ? -1 : a.length, c.length, rem, total);
  if (expectStatus !== null) assert.equal(s, expectStatus);
  return s;
}
function lit(fb: Framebuffer, b: Box): number {
  let n = 0;
  for (let y = b.y; y < b.y + b.h; y++) for (let x = b.x; x < b.x + b.w; x++) if (pixel(fb, x, y) >= 128) n++;
  return n;
}
const inside = (b: Box, x: number, y: number) => x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;
const disjoint = (a: Box, b: Box) => a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;

/** Checks that the glyphs of `text` at `scale` are drawn at (x0, y0) exactly as the font drawings say. */
function expectText(fb: Framebuffer, text: string, x0: number, y0: number, scale: number) {
  [...text].forEach((ch, i) => {
    const rows = glyphRows(GLYPHS[ch] ? ch : "\uFFFD");
    for (let r = 0; r < 8; r++) for (let c = 0; c < 5; c++) {
      const on = (rows[r] >> (4 - c)) & 1;
      const px = x0 + (i * 6 + c) * scale + (scale >> 1), py = y0 + r * scale + (scale >> 1);
      assert.equal(pixel(fb, px, py) >= 128 ? 1 : 0, on, `glyph '${ch}' #${i} row ${r} col ${c}`);
    }
  });
}

for (const [w, h, bpp] of [[256, 128, 1], [640, 400, 8], [128, 64, 1]] as const) {
  test(`confirm screen at ${w}×${h}, ${bpp} bpp`, () => {
    assert.equal(k.call("hudFbInit", w, h, bpp), 0);
    confirm("Luckin Coffee", "25.00", "HKD", 15000, 30000);
    const fb = fbOf(w, h, bpp);
    const b = boxes();
    for (const name of ["payee", "amount", "prompt", "bar"] as const) {
      const x = b[BOX[name]];
      assert.ok(x.w > 0 && x.h > 0, name);
      assert.ok(x.x >= 0 && x.y >= 0 && x.x + x.w <= w && x.y + x.h <= h, `${name} on screen`);
    }
    // elements do not overlap and are stacked top to bottom
    assert.ok(disjoint(b[BOX.payee], b[BOX.amount]) && disjoint(b[BOX.amount], b[BOX.prompt]) && disjoint(b[BOX.prompt], b[BOX.bar]));
    assert.ok(b[BOX.payee].y < b[BOX.amount].y && b[BOX.amount].y < b[BOX.prompt].y && b[BOX.prompt].y < b[BOX.bar].y);
    // the amount is the largest text
    assert.ok(b[BOX.amount].h >= b[BOX.payee].h);
    // every lit pixel lies inside one of the element boxes
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (pixel(fb, x, y) >= 128) assert.ok([BOX.payee, BOX.amount, BOX.prompt, BOX.bar].some((i) => inside(b[i], x, y)), `stray pixel at ${x},${y}`);
    }
    // the amount reads "HK$25.00", the payee and prompt read as given
    const as = b[BOX.amount].h / 9, ps = b[BOX.payee].h / 9;
    assert.equal(b[BOX.amount].w, ("HK$25.00".length * 6 - 1) * as);
    expectText(fb, "HK$25.00", b[BOX.amount].x, b[BOX.amount].y, as);
    expectText(fb, "Luckin Coffee", b[BOX.payee].x, b[BOX.payee].y, ps);
    expectText(fb, "say yes / no", b[BOX.prompt].x, b[BOX.prompt].y, ps);
    // countdown: half the time left lights half the bar
    const bar = b[BOX.bar], fill = b[BOX.fill];
    assert.equal(fill.w, Math.floor(bar.w / 2));
    assert.equal(lit(fb, fill), fill.w * fill.h);
    // text is horizontally centred (±1 px)
    assert.ok(Math.abs(b[BOX.amount].x * 2 + b[BOX.amount].w - w) <= 1);
  });
}

test("currency symbols have glyphs and are drawn before the amount", () => {
  assert.equal(k.call("hudFbInit", 640, 400, 8), 0);
  for (const [cur, sym] of [["CNY", "¥"], ["EUR", "€"], ["GBP", "£"], ["INR", "₹"], ["THB", "฿"], ["VND", "₫"], ["JPY", "¥"], ["KRW", "₩"], ["NGN", "₦"], ["BRL", "R$"], ["SGD", "S$"], ["MYR", "RM"]]) {
    for (const ch of sym) assert.equal(k.call("hudHasGlyph", ch.codePointAt(0)!), 1, ch);
    confirm("Shop", "1.00", cur, 1, 1);
    const b = boxes()[BOX.amount];
    expectText(fbOf(640, 400, 8), sym + "1.00", b.x, b.y, b.h / 9);
  }
  // no symbol: the alpha code and a space
  confirm("Shop", "1.00", "UZS", 1, 1);
  const b = boxes()[BOX.amount];
  expectText(fbOf(640, 400, 8), "UZS 1.00", b.x, b.y, b.h / 9);
  // missing amount: asks for it
  confirm("Shop", null, "USD", 1, 1);
  const b2 = boxes()[BOX.amount];
  expectText(fbOf(640, 400, 8), "$amount?", b2.x, b2.y, b2.h / 9);
});

test("an amount that cannot fit whole is never cut: the screen says \"too long\" and the render reports it", () => {
  assert.equal(k.call("hudFbInit", 64, 32, 1), 0);
  assert.equal(confirm("Shop", "1234567890.12", "HKD", 1, 2, null), 6);
  const b = boxes()[BOX.amount];
  expectText(fbOf(64, 32, 1), "too long", b.x, b.y, b.h / 9);
  assert.equal(confirm("Shop", "12.50", "EUR", 1, 2, null), 0);
  expectText(fbOf(64, 32, 1), "€12.50", boxes()[BOX.amount].x, boxes()[BOX.amount].y, 1);
  expectText(fbOf(64, 32, 1), "yes / no", boxes()[BOX.prompt].x, boxes()[BOX.prompt].y, 1);
});

test("long payee names are cut with an ellipsis and stay on screen; unknown characters show a box", () => {
  assert.equal(k.call("hudFbInit", 256, 128, 1), 0);
  const name = "A VERY LONG MERCHANT NAME THAT DOES NOT FIT ON THE HUD";
  confirm(name, "1", "VND", 0, 1000);
  const fb = fbOf(256, 128, 1);
  const b = boxes();
  assert.ok(b[BOX.payee].x >= 0 && b[BOX.payee].x + b[BOX.payee].w <= 256);
  const s = b[BOX.payee].h / 9;
  const n = (b[BOX.payee].w / s + 1) / 6;
  expectText(fb, name.slice(0, n - 1) + "…", b[BOX.payee].x, b[BOX.payee].y, s);
  assert.equal(b[BOX.fill].w, 0);              // no time left: empty bar
  confirm("最佳运输", "1", "CNY", 1, 1);
  const b2 = boxes()[BOX.payee];
  expectText(fbOf(256, 128, 1), "\uFFFD\uFFFD\uFFFD\uFFFD", b2.x, b2.y, b2.h / 9);
});

test("result screens", () => {
  assert.equal(k.call("hudFbInit", 640, 400, 8), 0);
  for (const [kind, title] of [[0, "PAID ✓"], [1, "CANCELLED"], [2, "FAILED"]] as const) {
    const detail = Buffer.from("HK$25.00 to Luckin Coffee");
    k.write(k.call("hudTextBuffer"), detail);
    assert.equal(k.call("hudRenderResult", kind, detail.length), 0);
    const fb = fbOf(640, 400, 8), b = boxes();
    expectText(fb, title, b[BOX.title].x, b[BOX.title].y, b[BOX.title].h / 9);
    expectText(fb, "HK$25.00 to Luckin Coffee", b[BOX.detail].x, b[BOX.detail].y, b[BOX.detail].h / 9);
    assert.equal(b[BOX.payee].w, 0);
  }
  assert.notEqual(k.call("hudRenderResult", 7, 0), 0);
});

test("PNG output matches the framebuffer (1 bpp expanded, upscaled)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hud-"));
  for (const [w, h, bpp] of [[256, 128, 1], [640, 400, 8]] as const) {
    assert.equal(k.call("hudFbInit", w, h, bpp), 0);
    confirm("Luckin Coffee", "25.00", "HKD", 20000, 30000);
    const fb = fbOf(w, h, bpp);
    const file = path.join(dir, `confirm-${w}x${h}.png`);
    writeFramebufferPng(file, fb, { scale: 2 });
    assert.deepEqual(readFileSync(file).subarray(1, 4), Buffer.from("PNG"));
    const back = readPngGray(file);
    assert.equal(back.width, w * 2);
    assert.equal(back.height, h * 2);
    for (let y = 0; y < h; y += 3) for (let x = 0; x < w; x += 3) assert.equal(back.data[(2 * y + 1) * back.width + 2 * x + 1], pixel(fb, x, y));
  }
  if (process.env.HUD_PNG_DIR) console.log(`PNGs in ${dir}`);
});

test("no allocation per frame: countdown ticks and re-renders keep memory flat", () => {
  assert.equal(k.call("hudFbInit", 640, 400, 8), 0);
  confirm("Luckin Coffee", "25.00", "HKD", 30000, 30000);
  const pages = k.memory.buffer.byteLength;
  for (let t = 30000; t >= 0; t -= 10) assert.equal(k.call("hudRenderCountdown", t, 30000), 0);
  for (let i = 0; i < 300; i++) confirm("Luckin Coffee", String(i), "HKD", i, 300);
  assert.equal(k.memory.buffer.byteLength, pages);
  assert.notEqual(k.call("hudFbInit", 4096, 4096, 8), 0);   // beyond the one allocation
  assert.notEqual(k.call("hudFbInit", 100, 100, 4), 0);
});

test("no allocation per frame: countdown redraws do not move the stub-runtime bump pointer", () => {
  const s = loadKernel("hud", ["--runtime", "stub"]);
  assert.equal(s.call("hudFbInit", 256, 128, 1), 0);
  const p = Buffer.from("Luckin Coffee"), a = Buffer.from("25.00"), c = Buffer.from("HKD");
  s.write(s.call("hudTextBuffer"), Buffer.concat([p, a, c]));
  assert.equal(s.call("hudRenderConfirm", p.length, a.length, c.length, 30000, 30000), 0);
  const before = s.call("hudHeapProbe");
  for (let t = 30000; t >= 0; t -= 5) assert.equal(s.call("hudRenderCountdown", t, 30000), 0);
  assert.equal(s.call("hudHeapProbe"), before);
  // the probe does see allocation: the test export decodes its UTF-8 arguments into new strings
  assert.equal(s.call("hudRenderConfirm", p.length, a.length, c.length, 1, 2), 0);
  assert.notEqual(s.call("hudHeapProbe"), before);
});

test("fuzz: random geometry and text never draw outside the screen or the element boxes", { timeout: 120000 }, () => {
  let seed = Number(process.env.FUZZ_SEED ?? 0xc0ffee) >>> 0;
  console.log(`hud fuzz: FUZZ_SEED=0x${seed.toString(16)}, 150 cases`);
  const rnd = (n: number) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
  const chars = Array.from("AZaz09 .,-/$€¥£₹฿😀咖\u202e\u0007é");
  let n = 0;
  while (n < 150) {
    const w = 64 + rnd(577), h = 32 + rnd(369), bpp = rnd(2) ? 1 : 8;
    assert.equal(k.call("hudFbInit", w, h, bpp), 0, `${w}x${h}`);
    const payee = Array.from({ length: rnd(60) }, () => chars[rnd(chars.length)]).join("");
    const amount = rnd(5) === 0 ? null : String(rnd(1e9)) + (rnd(2) ? "." + String(rnd(100)).padStart(2, "0") : "");
    const cur = ["HKD", "EUR", "UZS", "JPY", "XXX", ""][rnd(6)];
    const status = confirm(payee, amount, cur, rnd(40000) - 5000, rnd(3) === 0 ? 0 : 30000, null);
    const fb = fbOf(w, h, bpp as 1 | 8);
    const b = boxes();
    // the amount is either drawn whole or replaced by "too long" (status 6): never cut
    const as = b[BOX.amount].h / 9;
    const sym: Record<string, string> = { HKD: "HK$", EUR: "€", JPY: "¥" };
    const shown = status === 0 ? (sym[cur] ?? cur + " ") + (amount ?? "amount?") : "too long";
    assert.ok(status === 0 || status === 6);
    expectText(fb, shown, b[BOX.amount].x, b[BOX.amount].y, as);
    for (const i of [BOX.payee, BOX.amount, BOX.prompt, BOX.bar]) {
      const x = b[i];
      if (x.w === 0) continue;
      assert.ok(x.x >= 0 && x.y >= 0 && x.x + x.w <= w && x.y + x.h <= h, `box ${i} off screen at ${w}x${h}: ${JSON.stringify(x)}`);
    }
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++)
      if (pixel(fb, x, y) >= 128) assert.ok([BOX.payee, BOX.amount, BOX.prompt, BOX.bar].some((i) => inside(b[i], x, y)), `stray pixel ${x},${y} at ${w}x${h}`);
    n++;
  }
  assert.equal(n, 150);
});
