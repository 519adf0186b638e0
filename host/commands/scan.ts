// `glasses scan [--json] [--draw OUT.png] FILE|FOLDER…` — decodes every QR code in image files (PNG, JPEG,
// PGM; folders are walked) with the firmware's QR engine. One line per file:
//   {"file", "codes": [{"text","version","ec","corners","bytes","errors",…}], "decode_ms"}   (+ "downscale": k when reduced)
// Exit status: 0 some code found, 3 no code in any file, 1 an unreadable file.
//   {"file", "error"}                                                     (unreadable or corrupt image)
// decode_ms is the firmware's qrDecode call alone, timed in the host (the frame is already in its buffer).
// Frames larger than the board's camera are box-downscaled by an integer factor; corners are reported in
// the original image's pixels.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { GlobalFlags } from "../args.ts";
import { UsageError } from "../args.ts";
import { loadBoard } from "../boards.ts";
import { walkImages, loadImage, fitFrame, ImageError, type GrayFrame } from "../camera/image.ts";
import { drawDetections } from "../camera/draw.ts";

export interface QrCode {
  text: string; bytes: string; version: number; ec: string; mask: number; errors: number;
  corners: [number, number][]; dim: number; transform: number[]; mirrored: boolean; inverted: boolean;
  eci?: number; fnc1?: number; sa?: { index: number; total: number; parity: number };
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
  const files = walkImages(inputs);
  const runner = await openQr(flags.board, flags.engine, { kernelOnly });
  await runner.options(STILL_IMAGE_FLAGS);
  let anyFound = false, anyError = false, index = 0;
  try {
    for (const file of files) {
      let frame: GrayFrame;
      try { frame = loadImage(file); }
      catch (e) {
        anyError = true;
        const msg = e instanceof ImageError ? e.message : (e as Error).message;
        console.log(flags.json ? JSON.stringify({ file, error: msg }) : `${file}: error: ${msg}`);
        continue;
      }
      const { frame: fit, factor } = fitFrame(frame, runner.maxW, runner.maxH);
      let res: QrDecodeResult;
      try { res = await runner.decode(fit); }
      catch (e) { anyError = true; console.log(flags.json ? JSON.stringify({ file, error: (e as Error).message }) : `${file}: error: ${(e as Error).message}`); continue; }
      const codes = res.codes.map((c) => ({
        text: c.text, version: c.version, ec: c.ec,
        corners: c.corners.map(([x, y]) => [round1(x * factor), round1(y * factor)]),
        bytes: c.bytes, errors: c.errors, mirrored: c.mirrored, inverted: c.inverted,
        ...(c.eci !== undefined ? { eci: c.eci } : {}), ...(c.sa ? { structured_append: c.sa } : {}),
      }));
      if (codes.length) anyFound = true;
      const line: Record<string, unknown> = { file, codes, decode_ms: Math.round(res.ms * 1000) / 1000 };
      if (factor > 1) line.downscale = factor;
      if (res.fuel !== undefined) line.fuel = res.fuel;
      if (flags.json) console.log(JSON.stringify(line));
      else {
        const head = `${file}: ${codes.length} code${codes.length === 1 ? "" : "s"} in ${line.decode_ms} ms${factor > 1 ? ` (downscaled 1/${factor})` : ""}`;
        console.log(head);
        for (const c of codes) console.log(`  v${c.version}-${c.ec} ${JSON.stringify(c.text)} corners ${JSON.stringify(c.corners)}`);
      }
      if (draw) {
        const out = files.length === 1 ? draw : draw.replace(/(\.png)?$/i, `-${index}.png`);
        writeFileSync(out, drawDetections(frame, res.codes.map((c) => ({ corners: c.corners.map(([x, y]) => [x * factor, y * factor]) as [number, number][], dim: c.dim, transform: c.transform })), factor));
      }
      index++;
    }
  } finally { await runner.close(); }
  return anyError ? 1 : anyFound ? 0 : 3;
}
