// Generates hard synthetic QR frames (our own, from the `qrcode` package) with a manifest, for tests and
// the benchmark: rotations, perspective, mirror, light-on-dark, ~1.5 px modules, frame-filling, several
// codes per frame, shadow/glare gradients, low contrast, noise, blur, damage within EC capacity, v40.
// Usage: node --import tsx tools/qr/gen-hard.ts [OUT_DIR]   (default build/qr/hard)
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { makeModules, render, blank, blur, type Gray } from "./render.ts";

export interface HardCase { name: string; frame: Gray; expected: string[] }

function rotCorners(cx: number, cy: number, half: number, deg: number): [number, number][] {
  const a = (deg * Math.PI) / 180;
  return [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([x, y]) => [cx + half * (x * Math.cos(a) - y * Math.sin(a)), cy + half * (x * Math.sin(a) + y * Math.cos(a))]) as [number, number][];
}

export function hardCases(): HardCase[] {
  const out: HardCase[] = [];
  const pay = "00020101021226290009A000000677010111011300668123456785802HK5913Luckin Coffee6009Hong Kong5303344540525.006304ABCD";
  const m = makeModules(pay, { ec: "M" });
  for (let deg = 5; deg < 360; deg += 20) out.push({ name: `rotate-${deg}`, frame: render(m, { corners: rotCorners(200, 200, 150, deg), width: 400, height: 400 }), expected: [pay] });
  const tilts: [number, number][][] = [
    [[30, 20], [370, 50], [360, 380], [40, 350]], [[60, 60], [340, 20], [380, 380], [20, 340]],
    [[20, 20], [380, 60], [380, 340], [20, 380]], [[50, 30], [350, 30], [390, 370], [10, 370]],
  ];
  tilts.forEach((c, i) => out.push({ name: `tilt-${i}`, frame: render(m, { corners: c, width: 400, height: 400 }), expected: [pay] }));
  out.push({ name: "mirrored", frame: render(m, { scale: 4, mirror: true }), expected: [pay] });
  out.push({ name: "inverted", frame: render(m, { scale: 4, invert: true }), expected: [pay] });
  out.push({ name: "inverted-rotated", frame: render(m, { corners: rotCorners(200, 200, 150, 33), width: 400, height: 400, invert: true }), expected: [pay] });
  const small = makeModules("https://pay.example/q/8XK2", { ec: "L" });
  for (const px of [1.5, 1.8, 2.2]) {
    const n = small.size + 8, s = n * px;
    out.push({ name: `tiny-${px}px`, frame: render(small, { corners: [[7, 5], [7 + s, 5], [7 + s, 5 + s], [7, 5 + s]], width: Math.ceil(s) + 14, height: Math.ceil(s) + 10 }), expected: ["https://pay.example/q/8XK2"] });
  }
  out.push({ name: "frame-filling", frame: render(m, { scale: 5, quiet: 1 }), expected: [pay] });
  const texts = ["upi://pay?pa=a@b&am=1.00", "WIFI:S:cafe;T:WPA;P:secret;;", "HELLO 123", "点茗 支付"];
  const comp = blank(900, 500); // compose by darkest pixel so the codes do not erase each other
  texts.forEach((t, i) => {
    const f = render(makeModules(t, { ec: "Q" }), { corners: rotCorners(110 + i * 220, 250, 90, i * 25), width: 900, height: 500 });
    for (let k = 0; k < comp.data.length; k++) comp.data[k] = Math.min(comp.data[k], f.data[k]);
  });
  out.push({ name: "four-codes", frame: comp, expected: texts });
  // payment-app style: light dot modules on a mid-gray card (light-on-dark, no dark quiet zone)
  out.push({ name: "dots-light-on-gray", frame: render(m, { scale: 5, dot: 0.75, dark: 105, light: 250, invert: true }), expected: [pay] });
  out.push({ name: "dots-dark", frame: render(m, { scale: 5, dot: 0.7 }), expected: [pay] });
  out.push({ name: "shadow", frame: render(m, { scale: 4, shadow: -170, dark: 80, light: 250 }), expected: [pay] });
  const glare = render(m, { scale: 4, dark: 40, light: 200 });
  for (let y = 0; y < glare.height; y++) for (let x = 0; x < glare.width; x++) {
    const d = Math.hypot(x - glare.width * 0.6, y - glare.height * 0.4) / (glare.width * 0.25);
    glare.data[y * glare.width + x] = Math.min(255, glare.data[y * glare.width + x] + Math.round(120 * Math.exp(-d * d)));
  }
  out.push({ name: "glare", frame: glare, expected: [pay] });
  out.push({ name: "low-contrast", frame: render(m, { scale: 4, dark: 115, light: 150 }), expected: [pay] });
  out.push({ name: "noise", frame: render(m, { scale: 4, noise: 50, seed: 3 }), expected: [pay] });
  out.push({ name: "blur", frame: blur(render(m, { scale: 5 }), 2), expected: [pay] });
  // damage within capacity: an H-level code with a 20%-of-width blot in the data area
  const hm = makeModules("DAMAGED BUT READABLE", { ec: "H" });
  const bits = Uint8Array.from(hm.bits);
  for (let r = 10; r < 16; r++) for (let c = 10; c < 16; c++) bits[r * hm.size + c] = 1;
  out.push({ name: "damaged-H", frame: render({ size: hm.size, bits }, { scale: 4 }), expected: ["DAMAGED BUT READABLE"] });
  out.push({ name: "tiny-rotated-1.8px", frame: render(small, { corners: rotCorners(40, 40, (small.size + 8) * 1.8 / 2, 21), width: 80, height: 80 }), expected: ["https://pay.example/q/8XK2"] });
  out.push({ name: "tilt-shadow-noise", frame: render(m, { corners: [[30, 40], [370, 20], [350, 390], [50, 360]], width: 400, height: 400, shadow: -120, noise: 25, seed: 9 }), expected: [pay] });
  const v40 = makeModules("V40 ".repeat(200), { ec: "L", version: 40 });
  out.push({ name: "version-40", frame: render(v40, { scale: 3 }), expected: ["V40 ".repeat(200)] });
  out.push({ name: "version-40-rotated", frame: render(v40, { corners: rotCorners(400, 400, 330, 12), width: 800, height: 800 }), expected: ["V40 ".repeat(200)] });
  return out;
}

export function writePng(file: string, g: Gray): void {
  const png = new PNG({ width: g.width, height: g.height });
  for (let i = 0; i < g.width * g.height; i++) { const v = g.data[i]; png.data[4 * i] = v; png.data[4 * i + 1] = v; png.data[4 * i + 2] = v; png.data[4 * i + 3] = 255; }
  writeFileSync(file, PNG.sync.write(png));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../build/qr/hard");
  mkdirSync(dir, { recursive: true });
  const items = hardCases().map((c) => { writePng(path.join(dir, `${c.name}.png`), c.frame); return { file: `${c.name}.png`, expected: c.expected }; });
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ count: items.length, items }, null, 1));
  console.log(`wrote ${items.length} cases to ${dir}`);
}
