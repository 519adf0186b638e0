// Photograph-like hard cases of our own (the real-photo hold-out stays with the maintainers): codes on
// screens seen up close (12-30 px modules under a screen's pixel grid, which the camera samples into moiré
// bands), strong perspective (near side 1.5-2.2x the far side), blur on top of perspective, and glare (a
// specular blob that saturates part of the code). Deterministic; every case carries its expected text.
// Usage: node --import tsx tools/qr/gen-photo.ts [OUT_DIR]   (default build/qr/photo; PNG + manifest.json)
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeModules, render, blur, type Gray } from "./render.ts";
import { writePng } from "./gen-hard.ts";

export interface PhotoCase { name: string; kind: "moire" | "perspective" | "blur-perspective" | "glare"; frame: Gray; expected: string[] }

function rng(seed: number) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; }; }

/** A screen's pixel grid, rotated by `deg` and of pitch `pitch` camera px, multiplied into the frame, plus sensor noise. */
function screenGrid(g: Gray, pitch: number, deg: number, depth: number, seed: number): Gray {
  const a = (deg * Math.PI) / 180, ca = Math.cos(a), sa = Math.sin(a), r = rng(seed);
  const out = new Uint8Array(g.data.length);
  for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) {
    const u = (x * ca + y * sa) / pitch, v = (-x * sa + y * ca) / pitch;
    // subpixel stripes along u, a dark gap between rows along v (box-sampled by the sensor: the beat remains)
    const m = 1 - depth * (0.5 - 0.5 * Math.cos(2 * Math.PI * u)) - depth * 0.6 * (0.5 - 0.5 * Math.cos(2 * Math.PI * v));
    out[y * g.width + x] = Math.max(0, Math.min(255, Math.round(g.data[y * g.width + x] * m + (r() - 0.5) * 10)));
  }
  return { width: g.width, height: g.height, data: out };
}

function glare(g: Gray, cx: number, cy: number, radius: number, gain: number): Gray {
  const out = Uint8Array.from(g.data);
  for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) {
    const d = Math.hypot(x - cx, y - cy) / radius;
    out[y * g.width + x] = Math.min(255, out[y * g.width + x] + Math.round(gain * Math.exp(-d * d * 2)));
  }
  return { width: g.width, height: g.height, data: out };
}

export function photoCases(): PhotoCase[] {
  const out: PhotoCase[] = [];
  const pay = "00020101021226290009A000000677010111011300668123456785802HK5913Luckin Coffee6009Hong Kong5303344540525.006304ABCD";
  const upi = "upi://pay?pa=merchant@okbank&pn=Night%20Market%20Stall%2017&am=86.50&cu=INR";
  const m = makeModules(pay, { ec: "M" }), u = makeModules(upi, { ec: "Q" });
  // screens up close: modules of 12-30 px on a 1920x1440 frame (the desktop camera), grid pitch near the
  // Nyquist limit; the code (with its quiet zone) fills up to 95% of the frame height
  const screens: [number, number, number, number][] = [[12, 2.6, 3, 0.45], [20, 3.3, -2, 0.5], [24, 2.8, 7, 0.5], [25, 3.6, 1, 0.55], [30, 2.4, -5, 0.45]];
  screens.forEach(([mod, pitch, deg, depth], i) => {
    const sym = i % 2 ? u : m, text = i % 2 ? upi : pay;
    const n = (sym.size + 8) * mod;
    if (n > 1440 * 0.95) throw new Error(`screen case ${mod} px: the code does not fit the frame`);
    const W = 1920, H = 1440, x0 = (W - n) / 2, y0 = (H - n) / 2, t = i * 0.03 * n; // a slight keystone
    const code = render(sym, { corners: [[x0 + t, y0], [x0 + n - t, y0 + t / 2], [x0 + n, y0 + n], [x0, y0 + n - t / 2]], width: W, height: H, dark: 35, light: 225 });
    out.push({ name: `screen-moire-${mod}px`, kind: "moire", frame: screenGrid(blur(code, 1), pitch, deg, depth, 100 + i), expected: [text] });
  });
  // strong perspective: the far side 1/1.5 .. 1/2.2 of the near side
  const persp: [number, number][][] = [
    [[60, 40], [560, 150], [560, 330], [60, 440]],     // near left edge 400 px, far right 180 px (2.2x)
    [[80, 60], [560, 20], [520, 460], [120, 400]],
    [[200, 40], [440, 40], [600, 440], [40, 440]],      // keystone, bottom 1.9x the top
    [[40, 100], [600, 40], [600, 440], [40, 380]],      // 1.5x
  ];
  persp.forEach((c, i) => out.push({ name: `perspective-${i}`, kind: "perspective", frame: render(i % 2 ? u : m, { corners: c, width: 640, height: 480, noise: 8, seed: 20 + i }), expected: [i % 2 ? upi : pay] }));
  // blur on top of perspective (defocus at the near edge)
  persp.slice(0, 3).forEach((c, i) => out.push({ name: `blur-perspective-${i}`, kind: "blur-perspective", frame: blur(render(i % 2 ? m : u, { corners: c, width: 640, height: 480, noise: 6, seed: 40 + i }), 1), expected: [i % 2 ? pay : upi] }));
  // glare: a specular highlight over part of the code (within what error correction can absorb)
  const g0 = render(u, { scale: 6, dark: 50, light: 200 });
  out.push({ name: "glare-corner", kind: "glare", frame: glare(g0, g0.width * 0.7, g0.height * 0.65, g0.width * 0.16, 170), expected: [upi] });
  const g1 = render(m, { corners: [[60, 50], [560, 80], [540, 430], [80, 450]], width: 640, height: 480, dark: 45, light: 190, noise: 6, seed: 61 });
  out.push({ name: "glare-tilted", kind: "glare", frame: glare(g1, 380, 180, 70, 160), expected: [pay] });
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../build/qr/photo");
  mkdirSync(dir, { recursive: true });
  const items = photoCases().map((c) => { writePng(path.join(dir, `${c.name}.png`), c.frame); return { file: `${c.name}.png`, kind: c.kind, expected: c.expected }; });
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ count: items.length, items }, null, 1));
  console.log(`wrote ${items.length} cases to ${dir}`);
}
