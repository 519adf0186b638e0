// The host side of SMP group 64: a Device (host/engine/types.ts) whose calls run on a kit over serial, so
// the same driver and pay flow that run a local module run the kit's firmware unchanged.
import type { Device, WasmValue } from "../engine/types.ts";
import type { SmpClient } from "../serial/smp-client.ts";
import { GROUP } from "../serial/smp.ts";
import { DF_CMD, DF_MAX_CHUNK } from "./device-face-server.ts";

export class RemoteDevice implements Device {
  readonly engine = "node" as const;
  private constructor(private c: SmpClient, private timeoutMs: number) {}

  static async open(c: SmpClient, timeoutMs = 5000): Promise<RemoteDevice> {
    await c.write(GROUP.DEVICE_FACE, DF_CMD.OPEN, {}, timeoutMs);
    return new RemoteDevice(c, timeoutMs);
  }

  private args(args: WasmValue[]) {
    let mask = 0;
    const a = args.map((v, i) => { if (typeof v === "bigint") { mask |= 1 << i; return Number(v); } return v; });
    return { a, b: mask };
  }
  async call(name: string, ...args: WasmValue[]): Promise<number> {
    const r = await this.c.write(GROUP.DEVICE_FACE, DF_CMD.CALL, { f: name, ...this.args(args) }, this.timeoutMs);
    return Number(r.r);
  }
  async call64(name: string, ...args: WasmValue[]): Promise<bigint> {
    const r = await this.c.write(GROUP.DEVICE_FACE, DF_CMD.CALL, { f: name, ...this.args(args), w: true }, this.timeoutMs);
    return BigInt(r.r);
  }
  async write(ptr: number, bytes: Uint8Array): Promise<void> {
    for (let o = 0; o < bytes.length; o += DF_MAX_CHUNK) {
      await this.c.write(GROUP.DEVICE_FACE, DF_CMD.WRITE, { p: ptr + o, d: bytes.subarray(o, o + DF_MAX_CHUNK) }, this.timeoutMs);
    }
  }
  async read(ptr: number, len: number): Promise<Uint8Array> {
    const out = new Uint8Array(len);
    for (let o = 0; o < len; o += DF_MAX_CHUNK) {
      const r = await this.c.read(GROUP.DEVICE_FACE, DF_CMD.READ, { p: ptr + o, n: Math.min(DF_MAX_CHUNK, len - o) }, this.timeoutMs);
      out.set(r.d, o);
    }
    return out;
  }
  lastFuel(): number | undefined { return undefined; }
  async close(): Promise<void> {
    if (this.c.closed) return;
    try { await this.c.write(GROUP.DEVICE_FACE, DF_CMD.CLOSE, {}, this.timeoutMs); } catch { /* the link is gone; the kit ends the session itself */ }
  }
}
