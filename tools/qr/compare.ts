// Our decodes of the corpus (and the synthetic hard cases) with two builds side by side, at one camera size:
// counts per folder and every case that changed. For checking a change before the full bench.
// Usage: node --import tsx tools/qr/compare.ts OLD.wasm NEW.wasm [--size=native|WxH] [--board-flags=N]
import { readFileSync } from "node:fs";
import path from "node:path";
import { QrKernel } from "../../host/engine/qr-kernel.ts";
import { loadImage, rotateFrame, fitToCamera, type GrayFrame } from "../../host/camera/image.ts";
import { sharedPath } from "../../host/shared.ts";

const args = process.argv.slice(2);
const [oldW, newW] = args.filter((a) => !a.startsWith("--"));
const size = args.find((a) => a.startsWith("--size="))?.slice(7) ?? "native";
const ks = [new QrKernel(oldW), new QrKernel(newW)];
const corpus = sharedPath("corpus", "qr");
const items = JSON.parse(readFileSync(path.join(corpus, "manifest.json"), "utf8")).items;
const cases: { name: string; key: string; expected: string | null; frame: GrayFrame }[] = [];
for (const it of items) {
  const img = loadImage(path.join(corpus, it.file));
  for (const rot of it.set === "zxing-blackbox" ? [0, 1, 2, 3] : [0]) cases.push({ name: `${it.file}@${rot * 90}`, key: it.set === "jsqr-e2e" ? "jsqr-e2e" : `${it.set}/${it.folder}`, expected: it.expected, frame: rotateFrame(img, rot) });
}
if (!args.includes("--no-synthetic")) {
  const { hardCases } = await import("./gen-hard.ts");
  for (const hc of hardCases()) cases.push({ name: `gen-hard/${hc.name}`, key: "gen-hard", expected: hc.expected[0], frame: hc.frame });
  const { photoCases } = await import("./gen-photo.ts");
  for (const pc of photoCases()) cases.push({ name: `photo/${pc.name}`, key: `gen-photo/${pc.kind}`, expected: pc.expected[0], frame: pc.frame });
}
const tally = new Map<string, number[]>();
const wrong = [0, 0], ms = [0, 0];
for (const c of cases) {
  let f = c.frame;
  if (size !== "native") { const [w, h] = size.split("x").map(Number); f = fitToCamera(f, w, h); }
  const t = tally.get(c.key) ?? [0, 0, 0]; tally.set(c.key, t);
  if (c.expected != null) t[2]++;
  const ok: boolean[] = [];
  ks.forEach((k, i) => {
    const t0 = performance.now();
    let texts: string[] = [];
    try { texts = k.decode(f.data, f.width, f.height).map((r) => r.text); } catch { texts = []; }
    ms[i] += performance.now() - t0;
    const good = c.expected != null && texts.includes(c.expected);
    if (good) t[i]++;
    if (c.expected != null && texts.length && !good) { wrong[i]++; console.log(`MISREAD ${i ? "new" : "old"} ${c.name}: ${JSON.stringify(texts).slice(0, 80)}`); }
    ok.push(good);
  });
  if (ok[0] !== ok[1]) console.log(`${ok[1] ? "GAINED" : "LOST  "} ${c.name}`);
}
let tot = [0, 0, 0];
for (const [k, t] of [...tally].sort()) { console.log(`${k.padEnd(34)} ${t[0]} -> ${t[1]} / ${t[2]}`); tot = tot.map((v, i) => v + t[i]); }
console.log(`TOTAL ${size}: ${tot[0]} -> ${tot[1]} / ${tot[2]}; misreads ${wrong[0]} -> ${wrong[1]}; ms ${Math.round(ms[0])} -> ${Math.round(ms[1])}`);
