// Loads a QR kernel module (the firmware build, or a standalone build of assembly/qr/exports.ts) in
// node:wasi and wraps the qr* exports: write a gray frame, decode, read the JSON records.
import { WASI } from "./wasi.ts";
import { readFileSync } from "node:fs";

export interface QrCodeResult {
  text: string; bytes: string; version: number; ec: string; mask: number; errors: number;
  corners: [number, number][]; dim: number; transform: number[]; mirrored: boolean; inverted: boolean;
  eci?: number; fnc1?: number; sa?: { index: number; total: number; parity: number };
  /** 1 for a QR Model 1 symbol (absent for Model 2) */
  model?: number;
}

export class QrKernel {
  ex: any; mem: WebAssembly.Memory;
  constructor(public wasmFile: string, startArgs: string[] | null = null) {
    // a reactor build (_initialize) or a command build whose _start only runs module init
    const pe = process.emitWarning; (process as any).emitWarning = () => {};
    const wasi = new WASI({ version: "preview1", args: startArgs ?? ["glasses", "device"], env: {}, returnOnExit: true });
    (process as any).emitWarning = pe;
    const mod = new WebAssembly.Module(readFileSync(wasmFile));
    const inst = new WebAssembly.Instance(mod, wasi.getImportObject() as any);
    this.ex = inst.exports; this.mem = this.ex.memory;
    if (this.ex._initialize) wasi.initialize(inst); else wasi.start(inst);
    this.ex.qrSetOptions(128); // still images: every binarization pass on every frame
  }
  /** Copies the frame in; returns false when it does not fit the kernel's buffers. */
  load(gray: Uint8Array, w: number, h: number): boolean {
    const p = this.ex.qrFrameBuffer(w, h) >>> 0;
    if (!p) return false;
    new Uint8Array(this.mem.buffer, p, w * h).set(gray.subarray(0, w * h));
    return true;
  }
  decodeRaw(w: number, h: number): number { return this.ex.qrDecode(w, h); }
  results(): QrCodeResult[] {
    const p = this.ex.qrResultPtr() >>> 0, n = this.ex.qrResultLen();
    const s = Buffer.from(new Uint8Array(this.mem.buffer, p, n)).toString("utf8");
    return s.split("\n").filter((l) => l.length).map((l) => JSON.parse(l));
  }
  decode(gray: Uint8Array, w: number, h: number): QrCodeResult[] {
    if (!this.load(gray, w, h)) throw new Error(`frame ${w}x${h} does not fit the kernel buffers`);
    const n = this.decodeRaw(w, h);
    if (n < 0) throw new Error(`qrDecode status ${-n}`);
    return this.results();
  }
}
