// QR benchmark: decode rate per corpus set/folder, misreads, and median decode time per image (gray frame
// already in memory) for this firmware's QR engine and its peers (zxing-wasm, @zxing/library, jsQR); then
// wasmtime fuel per frame at each board's camera size against the board's budget.
// Corpus: ../shared/corpus/qr (manifest.json). ZXing blackbox images are decoded at 0/90/180/270°.
// Options (after `bench qr`): --quick (every 4th case), --reps N (timing repetitions, default 3),
// --no-fuel, --no-peers, --no-synthetic, --firmware (time the board's firmware build instead of the
// standalone QR kernel, tools/qr/kernel.ts: same sources and compiler flags, no unrelated engines, so it
// is not rebuilt whenever another engine changes).
import { readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { loadImage, rotateFrame, fitFrame, type GrayFrame } from "../camera/image.ts";
import { openQr, NodeQrRunner, STILL_IMAGE_FLAGS, type QrRunner } from "../commands/scan.ts";
import { sharedPath } from "../shared.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

interface Item { file: string; expected: string | null; set: string; folder: string; truth: string }
interface Case { item: Item; rot: number; frame: GrayFrame; rgba: Uint8ClampedArray; key: string }
type Decoder = { name: string; decode: (c: Case) => Promise<string[]> | string[] };

function median(a: number[]): number { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length & 1 ? s[m] : (s[m - 1] + s[m]) / 2; }
function toRgba(f: GrayFrame): Uint8ClampedArray {
  const o = new Uint8ClampedArray(f.width * f.height * 4);
  for (let i = 0; i < f.width * f.height; i++) { const v = f.data[i]; o[4 * i] = v; o[4 * i + 1] = v; o[4 * i + 2] = v; o[4 * i + 3] = 255; }
  return o;
}
function groupKey(it: Item): string { return it.set === "jsqr-e2e" ? `jsqr-e2e/${it.expected == null ? "(no text truth)" : "(text truth)"}` : `${it.set}/${it.folder}`; }

async function peers(): Promise<Decoder[]> {
  const out: Decoder[] = [];
  // zxing-wasm (zxing-cpp): Node cannot fetch its .wasm, hand it in through the module overrides.
  try {
    const zw: any = await import("zxing-wasm/reader");
    const wasmFile = require.resolve("zxing-wasm/reader").replace(/dist\/.*$/, "dist/reader/zxing_reader.wasm");
    const bin = readFileSync(wasmFile);
    await zw.prepareZXingModule({ overrides: { wasmBinary: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }, fireImmediately: true });
    out.push({ name: "zxing-wasm", decode: async (c) => (await zw.readBarcodes({ data: c.rgba, width: c.frame.width, height: c.frame.height, colorSpace: "srgb" },
      { formats: ["QRCode"], textMode: "Plain" })).map((r: any) => r.text) });
  } catch (e) { console.error(`zxing-wasm unavailable: ${(e as Error).message}`); }
  try {
    const zl: any = await import("@zxing/library");
    const reader = new zl.QRCodeReader();
    const hints = new Map([[zl.DecodeHintType.TRY_HARDER, true]]);
    out.push({ name: "@zxing/library", decode: (c) => {
      const lum = new Uint8ClampedArray(c.frame.data.buffer, c.frame.data.byteOffset, c.frame.width * c.frame.height);
      try { return [reader.decode(new zl.BinaryBitmap(new zl.HybridBinarizer(new zl.RGBLuminanceSource(lum, c.frame.width, c.frame.height))), hints).getText()]; }
      catch { return []; }
    } });
  } catch (e) { console.error(`@zxing/library unavailable: ${(e as Error).message}`); }
  try {
    const jsqr: any = (await import("jsqr")).default;
    out.push({ name: "jsQR", decode: (c) => { const r = jsqr(c.rgba, c.frame.width, c.frame.height); return r ? [r.data] : []; } });
  } catch (e) { console.error(`jsQR unavailable: ${(e as Error).message}`); }
  return out;
}

/** Pads (and integer-downscales) a frame onto a camera-sized mid-gray canvas. */
function cameraFrame(f: GrayFrame, w: number, h: number): GrayFrame {
  const { frame } = fitFrame(f, w, h);
  const out = new Uint8Array(w * h).fill(128);
  const ox = (w - frame.width) >> 1, oy = (h - frame.height) >> 1;
  for (let y = 0; y < frame.height; y++) out.set(frame.data.subarray(y * frame.width, (y + 1) * frame.width), (y + oy) * w + ox);
  return { width: w, height: h, data: out };
}

export async function benchQr(opts: { json?: boolean; board?: string; engine?: string; args?: string[] } = {}): Promise<any> {
  const args = opts.args ?? [];
  const quick = args.includes("--quick");
  const repsIdx = args.indexOf("--reps");
  const reps = repsIdx >= 0 ? Math.max(1, +args[repsIdx + 1]) : 3;
  const corpus = sharedPath("corpus", "qr");
  const manifest: Item[] = JSON.parse(readFileSync(path.join(corpus, "manifest.json"), "utf8")).items;
  const cases: Case[] = [];
  let n = 0;
  for (const item of manifest) {
    const img = loadImage(path.join(corpus, item.file));
    for (const rot of item.set === "zxing-blackbox" ? [0, 1, 2, 3] : [0]) {
      if (quick && (n++ % 4) !== 0) continue;
      const frame = rotateFrame(img, rot);
      cases.push({ item, rot, frame, rgba: toRgba(frame), key: groupKey(item) });
    }
  }
  // our own hard synthetic cases (tools/qr/gen-hard.ts) as one more group
  if (!args.includes("--no-synthetic")) {
    const { hardCases } = await import("../../tools/qr/gen-hard.ts");
    for (const hc of hardCases()) {
      const item: Item = { file: `synthetic/${hc.name}`, expected: hc.expected[0], set: "synthetic", folder: "tools/qr/gen-hard", truth: "generated" };
      cases.push({ item, rot: 0, frame: hc.frame, rgba: toRgba(hc.frame), key: "synthetic (tools/qr/gen-hard)" });
    }
  }
  const kernelOnly = !args.includes("--firmware");
  const runner = await openQr(opts.board ?? "desktop", "node", { kernelOnly }) as NodeQrRunner;
  await runner.options(STILL_IMAGE_FLAGS);
  const ours: Decoder = { name: "glasses-qr", decode: async (c) => (await runner.decode(c.frame)).codes.map((x) => x.text) };
  const decoders = [ours, ...(args.includes("--no-peers") ? [] : await peers())];

  // results[decoder][caseIndex] = texts; times[decoder][caseIndex] = median ms
  const results: Record<string, string[][]> = {}, times: Record<string, number[]> = {};
  for (const d of decoders) {
    results[d.name] = []; times[d.name] = [];
    for (const c of cases) await d.decode(c); // warm-up pass (JIT tiers), not timed
    for (const c of cases) {
      let texts: string[] = [];
      const t: number[] = [];
      for (let r = 0; r < reps; r++) {
        if (d === ours) { // time the firmware call alone: frame written first
          runner.load(c.frame);
          const t0 = performance.now(); const k = runner.run(c.frame.width, c.frame.height); t.push(performance.now() - t0);
          texts = k > 0 ? runner.records().map((x) => x.text) : [];
        } else {
          const t0 = performance.now(); texts = await d.decode(c); t.push(performance.now() - t0);
        }
      }
      results[d.name].push(texts); times[d.name].push(median(t));
    }
  }

  // rates
  const groups = [...new Set(cases.map((c) => c.key))];
  const table: any[] = [];
  const perDecoder: Record<string, any> = {};
  for (const d of decoders) {
    const g: Record<string, { ok: number; total: number; misreads: number; read: number }> = {};
    let misreads = 0; const misreadList: any[] = [];
    cases.forEach((c, i) => {
      const s = (g[c.key] ??= { ok: 0, total: 0, misreads: 0, read: 0 });
      const texts = results[d.name][i];
      s.total++;
      if (texts.length) s.read++;
      if (c.item.expected == null) return;
      if (texts.includes(c.item.expected)) s.ok++;
      else if (texts.length) { s.misreads++; misreads++; misreadList.push({ file: c.item.file, rot: c.rot * 90, got: texts, expected: c.item.expected }); }
    });
    perDecoder[d.name] = { groups: g, misreads, misreadList, median_ms: median(times[d.name]), mean_ms: times[d.name].reduce((a, b) => a + b, 0) / times[d.name].length };
  }
  // per-rotation rate on the ZXing blackbox set, and disagreements on cases without text truth
  const rot: Record<string, number[]> = {};
  for (const d of decoders) {
    const r = [0, 0, 0, 0], tot = [0, 0, 0, 0];
    cases.forEach((c, i) => { if (c.item.set !== "zxing-blackbox") return; tot[c.rot]++; if (results[d.name][i].includes(c.item.expected!)) r[c.rot]++; });
    rot[d.name] = r; perDecoder[d.name].blackbox_by_rotation = { decoded: r, total: tot };
  }
  const disagreements: any[] = [];
  cases.forEach((c, i) => {
    if (c.item.expected != null) return;
    const mine = results["glasses-qr"][i];
    for (const d of decoders) {
      if (d === ours) continue;
      const theirs = results[d.name][i];
      if (mine.length && theirs.length && !mine.some((t) => theirs.includes(t))) disagreements.push({ file: c.item.file, peer: d.name, ours: mine, theirs });
    }
  });
  // jsQR e2e target: every case with text truth that any peer reads
  const missedPeerRead: string[] = [];
  cases.forEach((c, i) => {
    if (c.item.expected == null) return;
    const anyPeer = decoders.some((d) => d !== ours && results[d.name][i].includes(c.item.expected!));
    if (anyPeer && !results["glasses-qr"][i].includes(c.item.expected)) missedPeerRead.push(`${c.item.file}@${c.rot * 90}`);
  });

  // print
  const names = decoders.map((d) => d.name);
  const pad = (s: string, w: number) => s.padEnd(w);
  const lines: string[] = [];
  lines.push(`QR corpus: ${cases.length} decodes (${path.relative(process.cwd(), corpus)}), ours from ${runner.source}`);
  lines.push(pad("set/folder", 34) + names.map((x) => pad(x, 18)).join(""));
  for (const key of groups) {
    lines.push(pad(key, 34) + names.map((nm) => {
      const s = perDecoder[nm].groups[key];
      return pad(key.includes("no text truth") ? `${s.read}/${s.total} read` : `${s.ok}/${s.total} ${(100 * s.ok / s.total).toFixed(1)}%`, 18);
    }).join(""));
  }
  const bbTot = cases.filter((c) => c.item.set === "zxing-blackbox").length;
  lines.push(pad("zxing-blackbox all rotations", 34) + names.map((nm) => { const s = rot[nm].reduce((a, b) => a + b, 0); return pad(`${s}/${bbTot} ${(100 * s / bbTot).toFixed(1)}%`, 18); }).join(""));
  lines.push(pad("  by rotation 0/90/180/270", 34) + names.map((nm) => pad(rot[nm].join("/"), 18)).join(""));
  lines.push(pad("misreads (text truth)", 34) + names.map((nm) => pad(String(perDecoder[nm].misreads), 18)).join(""));
  lines.push(pad("median ms / image", 34) + names.map((nm) => pad(perDecoder[nm].median_ms.toFixed(3), 18)).join(""));
  lines.push(pad("mean ms / image", 34) + names.map((nm) => pad(perDecoder[nm].mean_ms.toFixed(3), 18)).join(""));
  if (perDecoder["zxing-wasm"]) lines.push(`median time ratio glasses-qr / zxing-wasm: ${(perDecoder["glasses-qr"].median_ms / perDecoder["zxing-wasm"].median_ms).toFixed(3)} (target <= 0.5)`);
  lines.push(`cases with text truth read by a peer but not by us: ${missedPeerRead.length}${missedPeerRead.length ? " — " + missedPeerRead.join(", ") : ""}`);
  lines.push(`disagreements with a peer on cases without text truth: ${disagreements.length}`);

  // fuel per frame at each board's camera size (wasmtime through its Python engine)
  const fuel: any[] = [];
  if (!args.includes("--no-fuel")) {
    const { listBoards, loadBoard } = await import("../boards.ts");
    const sample = manifest.filter((_, i) => i % 13 === 0).map((it) => loadImage(path.join(corpus, it.file)));
    for (const id of listBoards()) {
      const b = loadBoard(id);
      let r: QrRunner | null = null;
      try {
        r = await openQr(id, "wasmtime", { kernelOnly });
        const W = b.camera.width, H = b.camera.height;
        let seed = 7;
        const noise = Uint8Array.from({ length: W * H }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255);
        const frames = [...sample.map((s) => cameraFrame(s, W, H)), { width: W, height: H, data: new Uint8Array(W * H).fill(200) }, { width: W, height: H, data: noise }];
        const limit = W * H > 1e6 ? 5 : frames.length;
        const use = W * H > 1e6 ? [...frames.slice(0, 3), ...frames.slice(-2)] : frames.slice(0, limit);
        const budget = (b as any).budgets?.fuelPerFrame;
        const row: any = { board: id, camera: `${W}x${H}`, budget, source: r.source };
        for (const [mode, flags] of [["video", 0], ["still", STILL_IMAGE_FLAGS]] as const) {
          await r.options(flags);
          const fuels: number[] = []; let decoded = 0;
          for (const f of use) { const res = await r.decode(f); if (res.fuel !== undefined) fuels.push(res.fuel); if (res.codes.length) decoded++; }
          // the last two frames are synthetic (blank, uniform noise); the rest are corpus photos
          const corpusFuels = fuels.slice(0, -2);
          row[mode] = { frames: fuels.length, decoded, median_fuel: median(fuels), max_fuel: Math.max(...fuels),
            max_fuel_corpus: Math.max(...corpusFuels), blank_fuel: fuels[fuels.length - 2], noise_fuel: fuels[fuels.length - 1],
            within_budget: budget ? Math.max(...fuels) <= budget : null };
        }
        fuel.push(row);
      } catch (e) { fuel.push({ board: id, error: (e as Error).message.split("\n")[0] }); }
      finally { if (r) await r.close(); }
    }
    lines.push("wasmtime fuel per frame (corpus images padded/downscaled to the camera size, plus a blank and a noise frame);");
    lines.push("  video = default options (extra passes alternate between frames), still = every pass on every frame:");
    for (const f of fuel) {
      if (f.error) { lines.push(`  ${f.board}: ${f.error}`); continue; }
      for (const mode of ["video", "still"]) {
        const m = f[mode];
        lines.push(`  ${pad(f.board, 10)} ${pad(f.camera, 10)} ${pad(mode, 6)} median ${(m.median_fuel / 1e6).toFixed(2)} M, max ${(m.max_fuel / 1e6).toFixed(2)} M (photos ${(m.max_fuel_corpus / 1e6).toFixed(2)} M, noise ${(m.noise_fuel / 1e6).toFixed(2)} M), budget ${f.budget ? (f.budget / 1e6).toFixed(1) + " M" : "?"} → ${m.within_budget ? "within" : "OVER"} (${m.frames} frames, ${m.decoded} decoded)`);
      }
    }
  }
  await runner.close();
  if (!opts.json) console.log(lines.join("\n"));
  return {
    suite: "qr", date: new Date().toISOString(), cases: cases.length, reps, quick, source: runner.source,
    decoders: perDecoder, missed_peer_read: missedPeerRead, disagreements_no_truth: disagreements, fuel,
  };
}

// direct run: node --import tsx host/bench/qr.ts [--quick] …  (writes build/bench/qr.json, untracked)
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchQr({ args: process.argv.slice(2) }).then((r) => {
    mkdirSync(path.join(REPO, "build", "bench"), { recursive: true });
    writeFileSync(path.join(REPO, "build", "bench", "qr.json"), JSON.stringify(r, null, 2) + "\n");
    console.log("wrote build/bench/qr.json");
  });
}
