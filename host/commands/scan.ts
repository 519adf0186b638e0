// `glasses scan [--json] [--draw OUT.png] FILE|FOLDER…` — decodes every QR code in image files (PNG, JPEG,
// PGM; folders are walked) with the firmware's QR engine. One line per file:
//   {"file", "codes": [{"text","version","ec","corners","bytes","errors",…}], "decode_ms", "frames"}
//   {"file", "error"}                                                     (unreadable or corrupt image)
// A file name that is not valid UTF-8 is decoded all the same (opened by its bytes); its line carries
// "file_name_not_utf8": true and "file_hex" (the name's bytes), "file" shows them as U+FFFD.
// Exit status: 0 some code found, 3 no code in any file, 1 an unreadable file.
// Images larger than the board's camera are never only shrunk (a 12 MP photo shrunk to fit loses its 3 px
// modules): the whole image at the smallest integer reduction that fits is tried first (large codes), then
// each finer reduction down to full resolution in overlapping camera-sized tiles, stopping at the first
// level that reads a code (decodeAnySize). decode_ms covers all of that work after the gray conversion:
// reductions, tiles, and every firmware call; "frames" counts the firmware calls. Corners are reported in
// the original image's pixels.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { GlobalFlags } from "../args.ts";
import { UsageError } from "../args.ts";
import { loadBoard } from "../boards.ts";
import { walkImageFiles, loadImage, downscale, cropFrame, ImageError, type GrayFrame } from "../camera/image.ts";
import { drawDetections } from "../camera/draw.ts";

export interface QrCode {
  text: string; bytes: string; version: number; ec: string; mask: number; errors: number;
  corners: [number, number][]; dim: number; transform: number[]; mirrored: boolean; inverted: boolean;
  eci?: number; fnc1?: number; sa?: { index: number; total: number; parity: number };
  /** 1 for a QR Model 1 symbol (absent for Model 2) */
  model?: number;
}
export interface QrDecodeResult { codes: QrCode[]; ms: number; fuel?: number; status: number }

/** The firmware's QR engine behind one interface, whichever engine runs it. */
export interface QrRunner {
  readonly engine: string; readonly source: string; readonly maxW: number; readonly maxH: number;
  decode(f: GrayFrame): Promise<QrDecodeResult>;
  /** qrSetOptions flags (see assembly/qr/exports.ts). */
  options(flags: number): Promise<void>;
  close(): Promise<void>;
}

/** Still images: run every binarization pass on each frame (MCU builds otherwise spread them over frames). */
export const STILL_IMAGE_FLAGS = 128;

function parseRecords(bytes: Uint8Array): QrCode[] {
  const s = Buffer.from(bytes).toString("utf8");
  return s.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
}

/** In-process (V8) runner over a module's exports: the fastest path, used for timing. */
export class NodeQrRunner implements QrRunner {
  readonly engine = "node";
  maxW: number; maxH: number;
  constructor(private ex: any, private memory: () => WebAssembly.Memory, readonly source: string) {
    this.maxW = ex.qrMaxWidth(); this.maxH = ex.qrMaxHeight();
  }
  /** Writes the frame into the firmware's buffer; returns false when it does not fit. */
  load(f: GrayFrame): boolean {
    const p = this.ex.qrFrameBuffer(f.width, f.height) >>> 0;
    if (!p) return false;
    new Uint8Array(this.memory().buffer, p, f.width * f.height).set(f.data.subarray(0, f.width * f.height));
    return true;
  }
  /** Decode call alone on the frame already loaded; returns the count (negative = status). */
  run(w: number, h: number): number { return this.ex.qrDecode(w, h); }
  records(): QrCode[] {
    const p = this.ex.qrResultPtr() >>> 0, n = this.ex.qrResultLen();
    return parseRecords(new Uint8Array(this.memory().buffer, p, n));
  }
  setOptions(flags: number): void { this.ex.qrSetOptions(flags); }
  async options(flags: number): Promise<void> { this.ex.qrSetOptions(flags); }
  async decode(f: GrayFrame): Promise<QrDecodeResult> {
    if (!this.load(f)) throw new Error(`frame ${f.width}x${f.height} does not fit the ${this.maxW}x${this.maxH} camera buffer`);
    const t0 = performance.now();
    const n = this.run(f.width, f.height);
    const ms = performance.now() - t0;
    return { codes: n > 0 ? this.records() : [], ms, status: n < 0 ? -n : 0 };
  }
  async close(): Promise<void> {}
}

/** Runner over the engine's Device (wasmtime through its runner): fuel per decode is available there. */
export class DeviceQrRunner implements QrRunner {
  constructor(private dev: any, readonly engine: string, readonly source: string, readonly maxW: number, readonly maxH: number) {}
  static async open(dev: any, engine: string, source: string): Promise<DeviceQrRunner> {
    return new DeviceQrRunner(dev, engine, source, await dev.call("qrMaxWidth"), await dev.call("qrMaxHeight"));
  }
  async decode(f: GrayFrame): Promise<QrDecodeResult> {
    const p = (await this.dev.call("qrFrameBuffer", f.width, f.height)) >>> 0;
    if (!p) throw new Error(`frame ${f.width}x${f.height} does not fit the ${this.maxW}x${this.maxH} camera buffer`);
    await this.dev.write(p, f.data.subarray(0, f.width * f.height));
    const t0 = performance.now();
    const n = await this.dev.call("qrDecode", f.width, f.height);
    const ms = performance.now() - t0;
    const fuel = this.dev.lastFuel();
    let codes: QrCode[] = [];
    if (n > 0) {
      const rp = (await this.dev.call("qrResultPtr")) >>> 0, rl = await this.dev.call("qrResultLen");
      codes = parseRecords(await this.dev.read(rp, rl));
    }
    return { codes, ms, fuel, status: n < 0 ? -n : 0 };
  }
  async options(flags: number): Promise<void> { await this.dev.call("qrSetOptions", flags); }
  async close(): Promise<void> { await this.dev.close(); }
}

/**
 * Opens the QR engine of the board's firmware build; when that build is unavailable (missing, failing to
 * compile, or without the qr exports) falls back to the standalone QR kernel built from assembly/qr.
 */
export async function openQr(board: string, engine: "node" | "wasmtime" = "node", opts: { fuel?: boolean; kernelOnly?: boolean } = {}): Promise<QrRunner> {
  const b = loadBoard(board);
  let wasm: string | null = null, source = "";
  if (!opts.kernelOnly) {
    try {
      const eng = await import("../engine/index.ts");
      const file = eng.resolveWasm({ board, target: "test" });
      const { readFileSync } = await import("node:fs");
      const m = new WebAssembly.Module(readFileSync(file));
      if (WebAssembly.Module.exports(m).some((e) => e.name === "qrDecode")) { wasm = file; source = `firmware ${path.relative(process.cwd(), file)}`; }
    } catch { wasm = null; }
  }
  let isKernel = false;
  if (!wasm) {
    wasm = (await import("../engine/index.ts")).resolveWasm({ board, target: "test" });
    source = `qr kernel ${path.relative(process.cwd(), wasm)}`;
    isKernel = true;
  }
  if (engine === "wasmtime") {
    const { WasmtimeDevice } = await import("../engine/wasmtime.ts");
    const dev = await WasmtimeDevice.open(wasm);
    return DeviceQrRunner.open(dev, "wasmtime", source);
  }
  if (isKernel) {
    const { WASI } = await import("../engine/wasi.ts");
    const { readFileSync } = await import("node:fs");
    const wasi = new WASI({ version: "preview1", args: ["glasses", "device"], env: {}, returnOnExit: true });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), wasi.getImportObject() as any);
    wasi.start(inst);
    const ex = inst.exports as any;
    return new NodeQrRunner(ex, () => ex.memory, source);
  }
  const { openNodeDevice } = await import("../engine/index.ts");
  const dev = openNodeDevice({ board, target: "test" });
  return new NodeQrRunner(dev.exports, () => dev.memory, source);
}

function round1(v: number): number { return Math.round(v * 10) / 10; }

/** Tile origins along one axis: windows of `tile` px over `size` px, overlapping by at least a third. */
function tileStarts(size: number, tile: number): number[] {
  if (size <= tile) return [0];
  const step = Math.max(1, Math.floor((tile * 2) / 3));
  const out: number[] = [];
  for (let x = 0; x + tile < size; x += step) out.push(x);
  out.push(size - tile);
  return out;
}

export interface AnySizeResult { codes: QrCode[]; ms: number; frames: number; fuel?: number }

/**
 * Decodes a frame of any size with a runner whose buffer holds at most maxW x maxH: directly when it fits,
 * else the pyramid described at the top of this file. Codes' corners/transform come back in the frame's
 * pixels (transform only for direct decodes). ms: all work after the gray conversion.
 */
export async function decodeAnySize(runner: QrRunner, f: GrayFrame): Promise<AnySizeResult> {
  const t0 = performance.now();
  if (f.width <= runner.maxW && f.height <= runner.maxH) {
    const r = await runner.decode(f);
    return { codes: r.codes, ms: performance.now() - t0, frames: 1, fuel: r.fuel };
  }
  let k0 = 1;
  while (Math.ceil(f.width / k0) > runner.maxW || Math.ceil(f.height / k0) > runner.maxH) k0++;
  let frames = 0, fuel = 0;
  for (let k = k0; k >= 1; k--) {
    const level = downscale(f, k);
    const found: QrCode[] = [];
    const tw = Math.min(level.width, runner.maxW), th = Math.min(level.height, runner.maxH);
    for (const y of tileStarts(level.height, th)) for (const x of tileStarts(level.width, tw)) {
      const tile = tw === level.width && th === level.height ? level : cropFrame(level, x, y, tw, th);
      const r = await runner.decode(tile);
      frames++; fuel += r.fuel ?? 0;
      for (const c of r.codes) {
        const corners = c.corners.map(([cx, cy]) => [(cx + x) * k, (cy + y) * k]) as [number, number][];
        const mx = corners.reduce((a, p) => a + p[0], 0) / 4, my = corners.reduce((a, p) => a + p[1], 0) / 4;
        // the same code seen in two overlapping tiles: keep one
        const dup = found.some((o) => o.text === c.text && Math.hypot(o.corners.reduce((a, p) => a + p[0], 0) / 4 - mx, o.corners.reduce((a, p) => a + p[1], 0) / 4 - my) < 8 * k);
        if (!dup) found.push({ ...c, corners, transform: [] });
      }
    }
    if (found.length) return { codes: found, ms: performance.now() - t0, frames, fuel: fuel || undefined };
  }
  return { codes: [], ms: performance.now() - t0, frames, fuel: fuel || undefined };
}

export async function scanCommand(argv: string[], flags: GlobalFlags): Promise<number> {
  let draw: string | null = null;
  const inputs: string[] = [];
  let kernelOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--draw") { draw = argv[++i] ?? null; if (!draw) throw new UsageError("--draw needs an output .png path"); }
    else if (a.startsWith("--draw=")) draw = a.slice(7);
    else if (a === "--json") flags.json = true;
    else if (a === "--kernel") kernelOnly = true;
    else if (a.startsWith("--")) throw new UsageError(`scan: unknown option ${a}`);
    else inputs.push(a);
  }
  if (!inputs.length) throw new UsageError("usage: glasses scan [--json] [--draw OUT.png] FILE|FOLDER…");
  const files = walkImageFiles(inputs);
  const runner = await openQr(flags.board, flags.engine, { kernelOnly });
  await runner.options(STILL_IMAGE_FLAGS);
  let anyFound = false, anyError = false, index = 0;
  try {
    for (const entry of files) {
      const file = entry.name;
      const id: Record<string, unknown> = { file, ...(entry.nameNotUtf8 ? { file_name_not_utf8: true, file_hex: Buffer.from(entry.fsPath).toString("hex") } : {}) };
      const say = (line: Record<string, unknown>, text: string) => console.log(flags.json ? JSON.stringify(line) : text);
      if (entry.nameNotUtf8 && !flags.json) console.log(`${file}: note: the file name is not valid UTF-8 (bytes ${id.file_hex})`);
      let frame: GrayFrame;
      try { frame = loadImage(entry.fsPath, file); }
      catch (e) {
        anyError = true;
        const msg = e instanceof ImageError ? e.message : (e as Error).message;
        say({ ...id, error: msg }, `${file}: error: ${msg}`);
        continue;
      }
      let res: AnySizeResult;
      try { res = await decodeAnySize(runner, frame); }
      catch (e) { anyError = true; say({ ...id, error: (e as Error).message }, `${file}: error: ${(e as Error).message}`); continue; }
      const codes = res.codes.map((c) => ({
        text: c.text, version: c.version, ec: c.ec,
        corners: c.corners.map(([x, y]) => [round1(x), round1(y)]),
        bytes: c.bytes, errors: c.errors, mirrored: c.mirrored, inverted: c.inverted,
        ...(c.eci !== undefined ? { eci: c.eci } : {}), ...(c.sa ? { structured_append: c.sa } : {}),
        ...(c.model === 1 ? { model: 1 } : {}),
      }));
      if (codes.length) anyFound = true;
      const line: Record<string, unknown> = { ...id, codes, decode_ms: Math.round(res.ms * 1000) / 1000, frames: res.frames };
      if (res.fuel !== undefined) line.fuel = res.fuel;
      if (flags.json) console.log(JSON.stringify(line));
      else {
        console.log(`${file}: ${codes.length} code${codes.length === 1 ? "" : "s"} in ${line.decode_ms} ms${res.frames > 1 ? ` (${res.frames} firmware frames)` : ""}`);
        for (const c of codes) console.log(`  v${c.version}-${c.ec} ${JSON.stringify(c.text)} corners ${JSON.stringify(c.corners)}`);
      }
      if (draw) {
        const out = files.length === 1 ? draw : draw.replace(/(\.png)?$/i, `-${index}.png`);
        writeFileSync(out, drawDetections(frame, res.codes.map((c) => ({ corners: c.corners, dim: c.dim, transform: c.transform.length ? c.transform : undefined })), 1));
      }
      index++;
    }
  } finally { await runner.close(); }
  return anyError ? 1 : anyFound ? 0 : 3;
}
