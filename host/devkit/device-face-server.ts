// SMP group 64 on the kit: the device face of the running firmware, driven by the host (the same calls
// host/driver.ts makes on a local module): open a session, call an export, read and write its memory.
// The host streams camera frames and audio hops into the buffers the firmware names, drains its events and
// link fragments, and stores its sealed state. A session that goes quiet (cable pulled, host gone) is
// ended by the kit: the instance is dropped, so a half-done payment can never complete later.
import { openDevice, type Device } from "../engine/index.ts";
import { compileModule } from "../engine/node.ts";
import { decodeMap, encodeCbor, OP, type SmpMessage } from "../serial/smp.ts";

export const DF_CMD = { OPEN: 0, CALL: 1, READ: 2, WRITE: 3, CLOSE: 4 } as const;
/** Largest read or write one request may carry (the console framing's length field is 16 bits). */
export const DF_MAX_CHUNK = 32 * 1024;

export interface DeviceFaceOptions {
  board: string;
  app: () => string | null;         // the running module's file, or null when no app runs
  secret: Uint8Array;
  idleMs: number;
  entropySeed?: string;
  log: (l: string) => void;
}

export class DeviceFaceServer {
  private dev: Device | null = null;
  private idle: NodeJS.Timeout | null = null;
  private exportsList = new Set<string>();

  constructor(private o: DeviceFaceOptions) {}

  get active(): boolean { return this.dev !== null; }

  async end(reason: string): Promise<void> {
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    if (!this.dev) return;
    const d = this.dev;
    this.dev = null;
    await d.close();
    this.o.log(`device face: session ended (${reason})`);
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => { void this.end(`no request from the host for ${this.o.idleMs} ms: link lost`); }, this.o.idleMs);
  }

  async handle(m: SmpMessage): Promise<Uint8Array> {
    const req = m.payload.length ? decodeMap(m.payload) : {};
    if (m.id === DF_CMD.OPEN && m.op === OP.WRITE) {
      await this.end("a new session replaces it");
      const wasm = this.o.app();
      if (!wasm) throw new Error("no firmware is running on the kit");
      this.dev = await openDevice({ wasm, board: this.o.board, init: true, secret: this.o.secret, entropySeed: this.o.entropySeed });
      this.exportsList = new Set(WebAssembly.Module.exports(compileModule(wasm)).filter((e) => e.kind === "function").map((e) => e.name));
      this.touch();
      this.o.log("device face: session opened");
      return encodeCbor({ board: this.o.board });
    }
    if (m.id === DF_CMD.CLOSE && m.op === OP.WRITE) { await this.end("closed by the host"); return encodeCbor({}); }
    const dev = this.dev;
    if (!dev) throw new Error("no device-face session (open one first; the last one may have ended when the link was lost)");
    // Idle is measured from the kit's last answer: a long call (enrolment on a slow machine) is not silence.
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    try {
      return await this.serve(dev, m, req);
    } finally {
      if (this.dev === dev) this.touch();
    }
  }

  private async serve(dev: Device, m: SmpMessage, req: Record<string, any>): Promise<Uint8Array> {
    if (m.id === DF_CMD.CALL && m.op === OP.WRITE) {
      const f = String(req.f);
      if (!this.exportsList.has(f)) throw new Error(`firmware has no export '${f}'`);
      const mask = Number(req.b ?? 0);
      const args = (req.a as number[] ?? []).map((v, i) => (mask >> i) & 1 ? BigInt(v) : v);
      if (req.w) return encodeCbor({ r: String(await dev.call64(f, ...args)) });
      return encodeCbor({ r: await dev.call(f, ...args) });
    }
    if (m.id === DF_CMD.READ && m.op === OP.READ) {
      const n = Number(req.n);
      if (!(n >= 0 && n <= DF_MAX_CHUNK)) throw new Error(`read of ${n} bytes: at most ${DF_MAX_CHUNK} per request`);
      return encodeCbor({ d: await dev.read(Number(req.p), n) });
    }
    if (m.id === DF_CMD.WRITE && m.op === OP.WRITE) {
      if (!(req.d instanceof Uint8Array)) throw new Error("write needs d (bytes)");
      await dev.write(Number(req.p), req.d);
      return encodeCbor({});
    }
    throw new Error(`device-face command ${m.id} op ${m.op} is not supported`);
  }
}
