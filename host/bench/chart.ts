// PNG charts of the benchmark history (pngjs): one chart per figure, runs left to right, the value as a
// polyline with dots (hollow for --quick runs), the budget as a red line when the figure has one.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import type { Run } from "./history.ts";

type RGB = [number, number, number];
const W = 480,
  H = 240,
  PAD = 24;

class Canvas {
  png = new PNG({ width: W, height: H });
  constructor() {
    this.png.data.fill(255);
  }
  set(x: number, y: number, c: RGB): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const i = (y * W + x) * 4;
    this.png.data[i] = c[0];
    this.png.data[i + 1] = c[1];
    this.png.data[i + 2] = c[2];
    this.png.data[i + 3] = 255;
  }
  line(x0: number, y0: number, x1: number, y1: number, c: RGB): void {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let i = 0; i <= n; i++) this.set(x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, c);
  }
  dot(x: number, y: number, c: RGB, hollow: boolean): void {
    for (let dy = -3; dy <= 3; dy++)
      for (let dx = -3; dx <= 3; dx++) {
        const d = dx * dx + dy * dy;
        if (d <= 9 && (!hollow || d >= 4)) this.set(x + dx, y + dy, c);
      }
  }
}

/** Draws one figure's history; returns the PNG bytes. */
export function chart(runs: Run[], figure: string, budget?: { min?: number; max?: number }): Buffer {
  const pts = runs.map((r, i) => ({ i, v: r.figures[figure], quick: r.quick })).filter((p) => typeof p.v === "number");
  const c = new Canvas();
  const values = pts.map((p) => p.v);
  if (budget?.max !== undefined) values.push(budget.max);
  if (budget?.min !== undefined) values.push(budget.min);
  let lo = Math.min(...values, Infinity),
    hi = Math.max(...values, -Infinity);
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) {
    hi += Math.abs(hi) * 0.05 || 1;
    lo -= Math.abs(lo) * 0.05 || 1;
  }
  const x = (i: number) => PAD + (W - 2 * PAD) * (runs.length > 1 ? i / (runs.length - 1) : 0.5);
  const y = (v: number) => H - PAD - ((H - 2 * PAD) * (v - lo)) / (hi - lo);
  const axis: RGB = [120, 120, 120];
  c.line(PAD, H - PAD, W - PAD, H - PAD, axis);
  c.line(PAD, PAD, PAD, H - PAD, axis);
  for (const b of [budget?.max, budget?.min])
    if (b !== undefined) for (let px = PAD; px < W - PAD; px += 6) c.line(px, y(b), px + 3, y(b), [220, 30, 30]);
  for (let k = 1; k < pts.length; k++) c.line(x(pts[k - 1].i), y(pts[k - 1].v), x(pts[k].i), y(pts[k].v), [30, 90, 200]);
  for (const p of pts) c.dot(x(p.i), y(p.v), [30, 90, 200], p.quick);
  return PNG.sync.write(c.png);
}

/** Writes one PNG per figure and an index.md (figure, runs, last value, budget) into dir. */
export function writeCharts(runs: Run[], dir: string, budgets: Record<string, { min?: number; max?: number }>): string[] {
  mkdirSync(dir, { recursive: true });
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.figures)))].sort();
  const rows = ["| figure | runs | last | budget | chart |", "|---|---|---|---|---|"];
  const files: string[] = [];
  for (const name of names) {
    const file = path.join(dir, `${name.replace(/[^\w.-]+/g, "_")}.png`);
    writeFileSync(file, chart(runs, name, budgets[name]));
    files.push(file);
    const vals = runs.filter((r) => name in r.figures);
    const b = budgets[name];
    const bud = b ? [b.min !== undefined ? `≥ ${b.min}` : "", b.max !== undefined ? `≤ ${b.max}` : ""].filter(Boolean).join(" ") : "";
    rows.push(`| ${name} | ${vals.length} | ${vals.at(-1)?.figures[name]} | ${bud} | ![](${path.basename(file)}) |`);
  }
  writeFileSync(path.join(dir, "index.md"), `# Benchmark history (${runs.length} runs)\n\n${rows.join("\n")}\n`);
  return files;
}
