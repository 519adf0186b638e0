// Draws decode results over a gray frame: the symbol outline (corners) and its sampling grid
// (module centres through the decoder's transform). Output: RGB PNG.
import { PNG } from "pngjs";
import type { GrayFrame } from "./image.ts";

export interface DrawCode { corners: [number, number][]; dim?: number; transform?: number[] }

export function drawDetections(f: GrayFrame, codes: DrawCode[], scale = 1): Buffer {
  const png = new PNG({ width: f.width, height: f.height });
  for (let i = 0; i < f.width * f.height; i++) {
    const v = f.data[i]; png.data[4 * i] = v; png.data[4 * i + 1] = v; png.data[4 * i + 2] = v; png.data[4 * i + 3] = 255;
  }
  const dot = (x: number, y: number, r: number, g: number, b: number) => {
    const X = Math.round(x), Y = Math.round(y);
    if (X < 0 || Y < 0 || X >= f.width || Y >= f.height) return;
    const o = 4 * (Y * f.width + X); png.data[o] = r; png.data[o + 1] = g; png.data[o + 2] = b;
  };
  const line = (a: [number, number], b: [number, number]) => {
    const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1])));
    for (let i = 0; i <= n; i++) { const t = i / n; dot(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, 255, 0, 0); }
  };
  for (const c of codes) {
    if (c.transform && c.dim) {
      const H = c.transform;
      for (let r = 0; r < c.dim; r++) for (let col = 0; col < c.dim; col++) {
        const u = col + 0.5, v = r + 0.5, d = H[6] * u + H[7] * v + 1;
        dot(((H[0] * u + H[1] * v + H[2]) / d) * scale, ((H[3] * u + H[4] * v + H[5]) / d) * scale, 0, 200, 0);
      }
    }
    for (let i = 0; i < 4; i++) line(c.corners[i], c.corners[(i + 1) % 4]);
  }
  return PNG.sync.write(png);
}
