// Worst-case camera frames for the QR engine's per-frame work bound (tests/qr-budget.test.ts, bench qr):
// frames without a readable code that make a decoder work hardest. Deterministic from a printed seed.
//   blank      a lens cap / white wall
//   noise      uniform per-pixel noise
//   texture    random dark/light blocks at several scales (foliage, gravel, fabric)
//   finders    a wallpaper of finder look-alikes (1:1:3:1:1 squares) at several module sizes: every
//              triple looks like a code, the worst case for the triple search and grid tries
//   broken     real codes whose data area is destroyed: finders, timing and format decode, Reed–Solomon fails
//   stripes    text-like bars (a page of print)
import { makeModules, render, paste, blank, type Gray } from "./render.ts";

function rng(seed: number) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; }; }

function fill(g: Gray, x0: number, y0: number, w: number, h: number, v: number): void {
  for (let y = Math.max(0, y0); y < Math.min(g.height, y0 + h); y++)
    for (let x = Math.max(0, x0); x < Math.min(g.width, x0 + w); x++) g.data[y * g.width + x] = v;
}

/** One finder look-alike (7x7 modules of m px) with its top-left corner at (x, y). */
function finder(g: Gray, x: number, y: number, m: number): void {
  fill(g, x, y, 7 * m, 7 * m, 25);
  fill(g, x + m, y + m, 5 * m, 5 * m, 230);
  fill(g, x + 2 * m, y + 2 * m, 3 * m, 3 * m, 25);
}

export interface Scene { name: string; frame: Gray }

export function worstScenes(w: number, h: number, seed = 20261205): Scene[] {
  const r = rng(seed);
  const out: Scene[] = [];
  out.push({ name: "blank", frame: blank(w, h, 200) });
  out.push({ name: "noise", frame: { width: w, height: h, data: Uint8Array.from({ length: w * h }, () => (r() * 256) | 0) } });
  const tex = blank(w, h, 128);
  for (const s of [2, 3, 5, 9]) for (let i = 0; i < (w * h) / (s * s * 6); i++) fill(tex, (r() * w) | 0, (r() * h) | 0, s, s, r() < 0.5 ? 25 : 230);
  out.push({ name: "texture", frame: tex });
  for (const m of [1, 2, 3]) {
    const f = blank(w, h, 230);
    const step = 9 * m + 2;
    for (let y = 2; y + 7 * m < h; y += step) for (let x = 2; x + 7 * m < w; x += step) finder(f, x, y, m);
    out.push({ name: `finders-${m}px`, frame: f });
  }
  const mixed = blank(w, h, 230);
  for (let i = 0; i < 60; i++) { const m = 1 + ((r() * 4) | 0); finder(mixed, (r() * (w - 7 * m)) | 0, (r() * (h - 7 * m)) | 0, m); }
  out.push({ name: "finders-scattered", frame: mixed });
  // broken codes: every data module flipped at random (finder, timing and format areas kept)
  const broken = blank(w, h, 230);
  const texts = ["00020101021226290009A000000677010111011300668123456785802HK5913Luckin Coffee6009Hong Kong5303344540525.006304ABCD", "upi://pay?pa=shop@bank&pn=Cafe&am=25.00&cu=INR", "PAY 42"];
  texts.forEach((t, i) => {
    const mod = makeModules(t, { ec: "L" });
    const bits = Uint8Array.from(mod.bits);
    for (let k = 0; k < bits.length; k++) {
      const rr = Math.floor(k / mod.size), c = k % mod.size;
      const fixed = rr < 9 || c < 9 || (rr < 9 && c >= mod.size - 8) || (rr >= mod.size - 8 && c < 9) || rr === 6 || c === 6;
      if (!fixed && r() < 0.5) bits[k] ^= 1;
    }
    const g = render({ size: mod.size, bits }, { scale: 2, quiet: 2 });
    paste(broken, g, 4 + i * Math.floor(w / 3), 4 + ((i * 37) % Math.max(1, h - g.height - 8)));
  });
  out.push({ name: "broken-codes", frame: broken });
  const stripes = blank(w, h, 235);
  for (let y = 4; y + 8 < h; y += 12) for (let x = 4; x < w - 4;) { const len = 1 + ((r() * 5) | 0); if (r() < 0.6) fill(stripes, x, y, len, 8, 30); x += len + 1 + ((r() * 2) | 0); }
  out.push({ name: "stripes", frame: stripes });
  return out;
}
