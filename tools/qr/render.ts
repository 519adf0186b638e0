// Renders QR codes made by the `qrcode` package into 8-bit gray frames, with optional geometric and
// photometric damage, for tests and the synthetic hard-case generator.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const QR = require("qrcode");

export interface Gray { width: number; height: number; data: Uint8Array }

export interface MakeOpts {
  version?: number; ec?: "L" | "M" | "Q" | "H"; mask?: number;
  segments?: any; // qrcode segments (string or array)
}
/** Module matrix (1 = dark) of a generated code. */
export function makeModules(text: string | any[], o: MakeOpts = {}): { size: number; bits: Uint8Array; version: number } {
  const q = QR.create(text, { errorCorrectionLevel: o.ec ?? "M", version: o.version, maskPattern: o.mask, toSJISFunc: require("qrcode/helper/to-sjis") });
  return { size: q.modules.size, bits: Uint8Array.from(q.modules.data), version: q.version };
}

export interface RenderOpts {
  scale?: number; quiet?: number; width?: number; height?: number;
  /** homography corners (TL, TR, BR, BL) of the symbol incl. quiet zone, in output pixels */
  corners?: [number, number][];
  dark?: number; light?: number; invert?: boolean; mirror?: boolean;
  noise?: number; blur?: number; seed?: number;
  /** gradient added (shadow): value at right edge minus left edge */
  shadow?: number;
  /** modules drawn as centred squares of this fraction of the module (dot-style codes) */
  dot?: number;
}

function rng(seed: number) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; }; }

function solveH(src: [number, number][], dst: [number, number][]): number[] {
  // maps src (u,v) → dst (x,y); 8 unknowns
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [u, v] = src[i], [x, y] = dst[i];
    A.push([u, v, 1, 0, 0, 0, -u * x, -v * x, x]);
    A.push([0, 0, 0, u, v, 1, -u * y, -v * y, y]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c; for (let r = c + 1; r < 8; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < 8; r++) if (r !== c) { const f = A[r][c] / A[c][c]; for (let j = c; j < 9; j++) A[r][j] -= f * A[c][j]; }
  }
  return A.map((r, i) => r[8] / r[i]);
}

/** Renders a module matrix. Without corners: axis-aligned at `scale` px/module. */
export function render(mod: { size: number; bits: Uint8Array }, o: RenderOpts = {}): Gray {
  const quiet = o.quiet ?? 4, n = mod.size + 2 * quiet;
  const scale = o.scale ?? 4;
  const W = o.width ?? Math.ceil(n * scale), H = o.height ?? Math.ceil(n * scale);
  const dark = o.dark ?? 20, light = o.light ?? 235;
  const out = new Uint8Array(W * H);
  if (!o.corners && Number.isInteger(scale) && !o.noise && !o.shadow && !o.mirror && !o.dot && W === n * scale && H === n * scale) {
    // fast path: axis-aligned, integer scale
    for (let y = 0; y < H; y++) {
      const r = Math.floor(y / scale) - quiet;
      for (let x = 0; x < W; x++) {
        const c = Math.floor(x / scale) - quiet;
        const d = c >= 0 && r >= 0 && c < mod.size && r < mod.size && mod.bits[r * mod.size + c] === 1;
        out[y * W + x] = d ? dark : light;
      }
    }
    if (o.invert) for (let i = 0; i < out.length; i++) out[i] = 255 - out[i];
    return { width: W, height: H, data: out };
  }
  const corners = o.corners ?? [[0, 0], [n * scale, 0], [n * scale, n * scale], [0, n * scale]];
  // inverse map: pixel → module coords
  const Hinv = solveH(corners as any, [[0, 0], [n, 0], [n, n], [0, n]]);
  const ss = 3; // supersampling
  const rand = rng(o.seed ?? 1);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    let acc = 0;
    for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) {
      const px = x + (sx + 0.5) / ss, py = y + (sy + 0.5) / ss;
      const d = Hinv[6] * px + Hinv[7] * py + 1;
      let u = (Hinv[0] * px + Hinv[1] * py + Hinv[2]) / d, v = (Hinv[3] * px + Hinv[4] * py + Hinv[5]) / d;
      let c = Math.floor(u) - quiet, r = Math.floor(v) - quiet;
      if (o.mirror) { const t = c; c = r; r = t; }
      let isDark = c >= 0 && r >= 0 && c < mod.size && r < mod.size && mod.bits[r * mod.size + c] === 1;
      if (isDark && o.dot) { const fu = u - Math.floor(u) - 0.5, fv = v - Math.floor(v) - 0.5; isDark = Math.abs(fu) <= o.dot / 2 && Math.abs(fv) <= o.dot / 2; }
      acc += isDark ? dark : light;
    }
    let val = acc / (ss * ss);
    if (o.shadow) val += (o.shadow * x) / W;
    if (o.noise) val += (rand() - 0.5) * 2 * o.noise;
    out[y * W + x] = Math.max(0, Math.min(255, Math.round(val)));
  }
  if (o.invert) for (let i = 0; i < out.length; i++) out[i] = 255 - out[i];
  return { width: W, height: H, data: out };
}

/** Pastes frame `src` into `dst` at (x, y). */
export function paste(dst: Gray, src: Gray, x: number, y: number): void {
  for (let r = 0; r < src.height; r++) for (let c = 0; c < src.width; c++) {
    const X = x + c, Y = y + r;
    if (X >= 0 && Y >= 0 && X < dst.width && Y < dst.height) dst.data[Y * dst.width + X] = src.data[r * src.width + c];
  }
}
export function blank(w: number, h: number, v = 235): Gray { return { width: w, height: h, data: new Uint8Array(w * h).fill(v) }; }
/** Box blur with radius r (simulates defocus). */
export function blur(g: Gray, r: number): Gray {
  const out = new Uint8Array(g.data.length);
  for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) {
    let s = 0, n = 0;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const X = x + dx, Y = y + dy;
      if (X >= 0 && Y >= 0 && X < g.width && Y < g.height) { s += g.data[Y * g.width + X]; n++; }
    }
    out[y * g.width + x] = Math.round(s / n);
  }
  return { width: g.width, height: g.height, data: out };
}
