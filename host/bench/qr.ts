// QR benchmark, side by side in one run: this firmware's QR engine and its peers (zxing-wasm, jsQR,
// @zxing/library, and zxing-cpp through Debian's python3-zxing-cpp when installed) on the same gray frames.
//   Rates: per corpus set/folder and for our own hard cases (tools/qr/gen-hard.ts, tools/qr/gen-photo.ts), at
//     native size and as a camera of 1280x720, 640x480 and 320x240 would deliver each image (area-average
//     resize to fit, centred on a mid-gray frame); misreads (text truth only).
//   Time: median and 90th percentile ms per image with the gray frame in memory (ours: the firmware call
//     alone; images larger than the engine's buffer go through scan's decodeAnySize, timed whole).
//   Fuel: wasmtime fuel per frame at each board's camera size, worst and median, frames with a code (corpus,
//     demo, photo-like cases) and without (tools/qr/scenes.ts: blank, noise, texture, finder look-alikes…),
//     video and still modes, against the board's budgets.fuelPerFrame.
// ZXing blackbox images are decoded at 0/90/180/270°.
// Options (after `bench qr`; NAME=VALUE form): --quick (every 4th case), --reps=N (timing repetitions, default 3),
//   --sizes=native,1280x720,… (default all four), --peers=zxing-wasm,jsQR,… (default all), --no-fuel, --no-peers, --no-synthetic,
//   --firmware (time the board's firmware build instead of the standalone QR kernel, tools/qr/kernel.ts:
//   same sources and compiler flags), --also-kernel=FILE.wasm (one more of ours, e.g. an older build).
import { readFileSync, readdirSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { loadImage, rotateFrame, fitToCamera, type GrayFrame } from "../camera/image.ts";
import { openQr, NodeQrRunner, STILL_IMAGE_FLAGS, decodeAnySize, type QrRunner } from "../commands/scan.ts";
import { sharedPath } from "../shared.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

interface Item { file: string; expected: string | null; set: string; folder: string }
interface Case { item: Item; rot: number; frame: GrayFrame; key: string }
interface Decoder { name: string; decode: (f: GrayFrame, rgba: Uint8ClampedArray) => Promise<{ texts: string[]; ms: number }>; close?: () => void }

function quantile(a: number[], q: number): number {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  const i = (s.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}
const median = (a: number[]) => quantile(a, 0.5);
function toRgba(f: GrayFrame): Uint8ClampedArray {
  const o = new Uint8ClampedArray(f.width * f.height * 4);
  for (let i = 0; i < f.width * f.height; i++) { const v = f.data[i]; o[4 * i] = v; o[4 * i + 1] = v; o[4 * i + 2] = v; o[4 * i + 3] = 255; }
  return o;
}
function groupKey(it: Item): string {
  return it.set === "jsqr-e2e" ? `jsqr-e2e/${it.expected == null ? "(no text truth)" : "(text truth)"}` : `${it.set}/${it.folder}`;
}

/** zxing-cpp in a Python process (Debian python3-zxing-cpp), or null when it is not installed. */
async function zxingCpp(): Promise<Decoder | null> {
  const py = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const proc = spawn(py, [path.join(path.dirname(fileURLToPath(import.meta.url)), "qr_zxingcpp.py")], { stdio: ["pipe", "pipe", "pipe"] });
  const lines = createInterface({ input: proc.stdout! });
  const waiting: { res: (l: string) => void; rej: (e: Error) => void }[] = [];
  lines.on("line", (l) => waiting.shift()?.res(l));
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  proc.once("exit", () => { for (const w of waiting.splice(0)) w.rej(new Error(err.trim().split("\n").pop() || "exited")); });
  const next = () => new Promise<string>((res, rej) => { waiting.push({ res, rej }); });
  try {
    const hello = JSON.parse(await next());
    if (!hello.ready) return null;
  } catch (e) { console.error(`zxing-cpp unavailable (apt-get install python3-zxing-cpp): ${(e as Error).message}`); return null; }
  return {
    name: "zxing-cpp",
    decode: async (f) => {
      proc.stdin!.write(JSON.stringify({ w: f.width, h: f.height }) + "\n");
      proc.stdin!.write(f.data.subarray(0, f.width * f.height));
      const r = JSON.parse(await next());
      return { texts: r.texts, ms: r.ms };
    },
    close: () => { proc.stdin!.end(); },
  };
}

async function peers(names: Set<string> | null): Promise<Decoder[]> {
  const out: Decoder[] = [];
  const want = (n: string) => !names || names.has(n);
  const timed = (fn: () => string[] | Promise<string[]>) => async () => { const t0 = performance.now(); const texts = await fn(); return { texts, ms: performance.now() - t0 }; };
  if (want("zxing-wasm")) try {
    // Node cannot fetch zxing-wasm's .wasm: hand it in through the module overrides
    const zw: any = await import("zxing-wasm/reader");
    const wasmFile = require.resolve("zxing-wasm/reader").replace(/dist\/.*$/, "dist/reader/zxing_reader.wasm");
    const bin = readFileSync(wasmFile);
    await zw.prepareZXingModule({ overrides: { wasmBinary: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }, fireImmediately: true });
    out.push({ name: "zxing-wasm", decode: (f, rgba) => timed(async () => (await zw.readBarcodes({ data: rgba, width: f.width, height: f.height, colorSpace: "srgb" },
      { formats: ["QRCode"], textMode: "Plain" })).map((r: any) => r.text))() });
  } catch (e) { console.error(`zxing-wasm unavailable: ${(e as Error).message}`); }
  if (want("zxing-cpp")) { const z = await zxingCpp(); if (z) out.push(z); }
  if (want("jsQR")) try {
    const jsqr: any = (await import("jsqr")).default;
    out.push({ name: "jsQR", decode: (f, rgba) => timed(() => { const r = jsqr(rgba, f.width, f.height); return r ? [r.data] : []; })() });
  } catch (e) { console.error(`jsQR unavailable: ${(e as Error).message}`); }
  if (want("@zxing/library")) try {
    const zl: any = await import("@zxing/library");
    const reader = new zl.QRCodeReader();
    const hints = new Map([[zl.DecodeHintType.TRY_HARDER, true]]);
    out.push({ name: "@zxing/library", decode: (f) => timed(() => {
      const lum = new Uint8ClampedArray(f.data.buffer, f.data.byteOffset, f.width * f.height);
      try { return [reader.decode(new zl.BinaryBitmap(new zl.HybridBinarizer(new zl.RGBLuminanceSource(lum, f.width, f.height))), hints).getText()]; }
      catch { return []; }
    })() });
  } catch (e) { console.error(`@zxing/library unavailable: ${(e as Error).message}`); }
  return out;
}

/** Ours over a Node runner: the frame is written first, the firmware call alone is timed. */
function ours(name: string, runner: NodeQrRunner): Decoder {
  return {
    name,
    decode: async (f) => {
      if (f.width > runner.maxW || f.height > runner.maxH) { const r = await decodeAnySize(runner, f); return { texts: r.codes.map((c) => c.text), ms: r.ms }; }
      runner.load(f);
      const t0 = performance.now(); const k = runner.run(f.width, f.height); const ms = performance.now() - t0;
      return { texts: k > 0 ? runner.records().map((x) => x.text) : [], ms };
    },
  };
}

const SIZES: Record<string, [number, number]> = { native: [0, 0], "1280x720": [1280, 720], "640x480": [640, 480], "320x240": [320, 240] };

export async function benchQr(opts: { json?: boolean; board?: string; engine?: string; args?: string[] } = {}): Promise<any> {
  const args = opts.args ?? [];
  // `--name value` or `--name=value` (glasses bench treats bare words as suite names: use the = form there)
  const opt = (name: string) => { const e = args.find((a) => a.startsWith(name + "=")); if (e) return e.slice(name.length + 1); const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const quick = args.includes("--quick");
  const reps = Math.max(1, +(opt("--reps") ?? 3));
  const sizes = (opt("--sizes") ?? Object.keys(SIZES).join(",")).split(",").filter((s) => SIZES[s]);
  const corpus = sharedPath("corpus", "qr");
  const manifest: Item[] = JSON.parse(readFileSync(path.join(corpus, "manifest.json"), "utf8")).items;
  const base: Case[] = [];
  let n = 0;
  for (const item of manifest) {
    const img = loadImage(path.join(corpus, item.file));
    for (const rot of item.set === "zxing-blackbox" ? [0, 1, 2, 3] : [0]) {
      if (quick && (n++ % 4) !== 0) continue;
      base.push({ item, rot, frame: rotateFrame(img, rot), key: groupKey(item) });
    }
  }
  if (!args.includes("--no-synthetic")) {
    const { hardCases } = await import("../../tools/qr/gen-hard.ts");
    for (const hc of hardCases()) base.push({ item: { file: `synthetic/${hc.name}`, expected: hc.expected[0], set: "synthetic", folder: "gen-hard" }, rot: 0, frame: hc.frame, key: "ours: tools/qr/gen-hard" });
    const { photoCases } = await import("../../tools/qr/gen-photo.ts");
    for (const pc of photoCases()) base.push({ item: { file: `photo/${pc.name}`, expected: pc.expected[0], set: "photo", folder: pc.kind }, rot: 0, frame: pc.frame, key: `ours: gen-photo/${pc.kind}` });
  }
  const kernelOnly = !args.includes("--firmware");
  const runner = await openQr(opts.board ?? "desktop", "node", { kernelOnly }) as NodeQrRunner;
  await runner.options(STILL_IMAGE_FLAGS);
  const decoders: Decoder[] = [ours("glasses-qr", runner)];
  const also = opt("--also-kernel");
  if (also) {
    const { QrKernel } = await import("../engine/qr-kernel.ts");
    const k = new QrKernel(also);
    decoders.push(ours(`glasses-qr@${path.basename(also, ".wasm")}`, new NodeQrRunner(k.ex, () => k.mem, also)));
  }
  if (!args.includes("--no-peers")) decoders.push(...await peers(opt("--peers") ? new Set(opt("--peers")!.split(",")) : null));
  const names = decoders.map((d) => d.name);
  const pad = (s: string, w: number) => s.padEnd(w);
  const lines: string[] = [];
  const bySize: Record<string, any> = {};
  lines.push(`QR corpus ${path.relative(process.cwd(), corpus)}: ${base.length} decodes per size; ours from ${runner.source}; reps ${reps}`);

  for (const size of sizes) {
    const [W, H] = SIZES[size];
    const cases = base.map((c) => ({ ...c, frame: W ? fitToCamera(c.frame, W, H) : c.frame }));
    const rgba = cases.map((c) => toRgba(c.frame));
    const results: Record<string, string[][]> = {}, times: Record<string, number[]> = {};
    for (const d of decoders) {
      results[d.name] = []; times[d.name] = [];
      for (let i = 0; i < cases.length; i++) await d.decode(cases[i].frame, rgba[i]); // warm-up (JIT tiers), not timed
      for (let i = 0; i < cases.length; i++) {
        let texts: string[] = []; const t: number[] = [];
        for (let r = 0; r < reps; r++) { const o = await d.decode(cases[i].frame, rgba[i]); texts = o.texts; t.push(o.ms); }
        results[d.name].push(texts); times[d.name].push(median(t));
      }
    }
    const groups = [...new Set(cases.map((c) => c.key))];
    const per: Record<string, any> = {};
    for (const d of decoders) {
      const g: Record<string, { ok: number; total: number; misreads: number; read: number }> = {};
      const misreadList: any[] = [];
      cases.forEach((c, i) => {
        const s = (g[c.key] ??= { ok: 0, total: 0, misreads: 0, read: 0 });
        const texts = results[d.name][i];
        s.total++; if (texts.length) s.read++;
        if (c.item.expected == null) return;
        if (texts.includes(c.item.expected)) s.ok++;
        else if (texts.length) { s.misreads++; misreadList.push({ file: c.item.file, rot: c.rot * 90, got: texts, expected: c.item.expected }); }
      });
      const bb = [0, 0, 0, 0], bbTot = [0, 0, 0, 0];
      cases.forEach((c, i) => { if (c.item.set !== "zxing-blackbox") return; bbTot[c.rot]++; if (results[d.name][i].includes(c.item.expected!)) bb[c.rot]++; });
      per[d.name] = { groups: g, misreads: misreadList.length, misreadList, median_ms: median(times[d.name]), p90_ms: quantile(times[d.name], 0.9),
        blackbox_by_rotation: { decoded: bb, total: bbTot }, ok_total: Object.values(g).reduce((a, s) => a + s.ok, 0) };
    }
    const missed: string[] = [];
    cases.forEach((c, i) => {
      if (c.item.expected == null) return;
      const peerRead = decoders.some((d) => !d.name.startsWith("glasses-qr") && results[d.name][i].includes(c.item.expected!));
      if (peerRead && !results["glasses-qr"][i].includes(c.item.expected)) missed.push(`${c.item.file}@${c.rot * 90}`);
    });
    bySize[size] = { decoders: per, missed_peer_read: missed };
    lines.push("", `== ${size}${W ? " (resized to fit, centred on mid-gray)" : ""}`, pad("set/folder", 34) + names.map((x) => pad(x, 24)).join(""));
    for (const key of groups) lines.push(pad(key, 34) + names.map((nm) => {
      const s = per[nm].groups[key];
      return pad(key.includes("no text truth") ? `${s.read}/${s.total} read` : `${s.ok}/${s.total} ${(100 * s.ok / s.total).toFixed(1)}%`, 24);
    }).join(""));
    const bbAll = base.filter((c) => c.item.set === "zxing-blackbox").length;
    lines.push(pad("zxing-blackbox, 4 rotations", 34) + names.map((nm) => { const s = per[nm].blackbox_by_rotation.decoded.reduce((a: number, b: number) => a + b, 0); return pad(`${s}/${bbAll} ${(100 * s / bbAll).toFixed(1)}%`, 24); }).join(""));
    lines.push(pad("all with text truth", 34) + names.map((nm) => pad(String(per[nm].ok_total), 24)).join(""));
    lines.push(pad("misreads", 34) + names.map((nm) => pad(String(per[nm].misreads), 24)).join(""));
    lines.push(pad("median ms / image", 34) + names.map((nm) => pad(per[nm].median_ms.toFixed(3), 24)).join(""));
    lines.push(pad("p90 ms / image", 34) + names.map((nm) => pad(per[nm].p90_ms.toFixed(3), 24)).join(""));
    for (const peer of ["zxing-wasm", "zxing-cpp"]) if (per[peer]) lines.push(`median time glasses-qr / ${peer}: ${(per["glasses-qr"].median_ms / per[peer].median_ms).toFixed(3)}`);
    lines.push(`read by a peer, not by us: ${missed.length}${missed.length && missed.length <= 12 ? " — " + missed.join(", ") : ""}`);
    if (!opts.json) console.error(`bench qr: ${size} done`);
  }
  for (const d of decoders) d.close?.();

  const fuel: any[] = [];
  if (!args.includes("--no-fuel")) {
    const { listBoards, loadBoard } = await import("../boards.ts");
    const { worstScenes } = await import("../../tools/qr/scenes.ts");
    const { photoCases } = await import("../../tools/qr/gen-photo.ts");
    const demoDir = path.join(REPO, "assets/demo/frames");
    const withCode = [
      ...manifest.filter((it, i) => it.expected != null && i % 7 === 0).map((it) => loadImage(path.join(corpus, it.file))),
      ...readdirSync(demoDir).filter((f) => f.endsWith(".png")).map((f) => loadImage(path.join(demoDir, f))),
      ...photoCases().map((c) => c.frame),
    ];
    for (const id of listBoards()) {
      const b = loadBoard(id);
      let r: QrRunner | null = null;
      try {
        r = await openQr(id, "wasmtime", { kernelOnly });
        const W = b.camera.width, H = b.camera.height, big = W * H > 1e6;
        const code = (big ? withCode.filter((_, i) => i % 6 === 0) : withCode).map((f) => fitToCamera(f, W, H));
        const none = worstScenes(W, H).map((s) => s.frame);
        const budget = b.budgets.fuelPerFrame;
        const row: any = { board: id, camera: `${W}x${H}`, budget, source: r.source };
        for (const [mode, flags] of [["video", 0], ["still", STILL_IMAGE_FLAGS]] as const) {
          await r.options(flags);
          const run = async (fs: GrayFrame[]) => { const out: number[] = []; let dec = 0; for (const f of fs) { const res = await r!.decode(f); out.push(res.fuel ?? NaN); if (res.codes.length) dec++; } return { out, dec }; };
          const a = await run(code), z = await run(none);
          const all = [...a.out, ...z.out];
          row[mode] = { with_code: { frames: a.out.length, decoded: a.dec, median: median(a.out), worst: Math.max(...a.out) },
            without_code: { frames: z.out.length, median: median(z.out), worst: Math.max(...z.out) },
            worst: Math.max(...all), within_budget: Math.max(...all) <= budget };
        }
        fuel.push(row);
      } catch (e) { fuel.push({ board: id, error: (e as Error).message.split("\n")[0] }); }
      finally { if (r) await r.close(); }
    }
    lines.push("", "== wasmtime fuel per frame at each board's camera size (M = 1e6; with a code: corpus, demo and photo-like frames",
      "   fitted to the camera; without: tools/qr/scenes.ts). video = extra passes alternate between frames, still = every pass:");
    for (const f of fuel) {
      if (f.error) { lines.push(`  ${f.board}: ${f.error}`); continue; }
      for (const mode of ["video", "still"]) {
        const m = f[mode], M = (v: number) => (v / 1e6).toFixed(2);
        lines.push(`  ${pad(f.board, 10)} ${pad(f.camera, 10)} ${pad(mode, 6)} with code: median ${M(m.with_code.median)}, worst ${M(m.with_code.worst)} (${m.with_code.decoded}/${m.with_code.frames} decoded); ` +
          `without: median ${M(m.without_code.median)}, worst ${M(m.without_code.worst)}; budget ${M(f.budget)} → ${m.within_budget ? "within" : "OVER"}`);
      }
    }
  }
  await runner.close();
  if (!opts.json) console.log(lines.join("\n"));
  return { suite: "qr", date: new Date().toISOString(), cases: base.length, reps, quick, source: runner.source, decoders: names, sizes: bySize, fuel };
}

// direct run: node --import tsx host/bench/qr.ts [--quick] …  (writes build/bench/qr.json, untracked)
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchQr({ args: process.argv.slice(2) }).then((r) => {
    mkdirSync(path.join(REPO, "build", "bench"), { recursive: true });
    writeFileSync(path.join(REPO, "build", "bench", "qr.json"), JSON.stringify(r, null, 2) + "\n");
    console.log("wrote build/bench/qr.json");
  });
}
