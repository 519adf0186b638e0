// A client's connection to a kit: the port, the SMP client on it, and reconnecting after the port went
// away (cable pulled, kit reset on a USB-serial adapter), for up to `reconnectMs`.
import { openPort, closePort, PortError } from "../serial/port.ts";
import { SmpClient } from "../serial/smp-client.ts";
import { GROUP, OS_CMD } from "../serial/smp.ts";
import type { SerialPort } from "serialport";

export interface SessionOptions {
  port: string; baud: number; timeoutMs: number; reconnectMs: number; onText?: (l: string) => void;
  portClass?: Parameters<typeof openPort>[2];
}

export class KitSession {
  client!: SmpClient;
  private port: SerialPort | null = null;
  constructor(readonly o: SessionOptions) {}

  static async open(o: SessionOptions): Promise<KitSession> {
    const s = new KitSession(o);
    await s.connect();
    return s;
  }

  private async connect(): Promise<void> {
    this.port = await openPort(this.o.port, this.o.baud, this.o.portClass);
    this.client = new SmpClient(this.port, this.o.port, this.o.onText);
  }

  /** Reopens the port until it is back or reconnectMs have passed. */
  async reconnect(): Promise<void> {
    await this.close();
    const until = Date.now() + this.o.reconnectMs;
    let last: Error | null = null;
    while (Date.now() < until) {
      try { await this.connect(); return; } catch (e) { last = e as Error; await new Promise((r) => setTimeout(r, 200)); }
    }
    throw new PortError(`${this.o.port} did not come back within ${this.o.reconnectMs} ms${last ? ` (${last.message})` : ""}`);
  }

  /** Waits until the kit answers an echo (after a reset), up to waitMs. */
  async waitForKit(waitMs: number): Promise<void> {
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        if (this.client.closed) await this.reconnect();
        await this.client.write(GROUP.OS, OS_CMD.ECHO, { d: "hello" }, 500);
        return;
      } catch (e) {
        if (Date.now() > until) throw new Error(`the kit did not come back within ${waitMs} ms after reset (${(e as Error).message})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async close(): Promise<void> {
    if (this.client) this.client.detach();
    if (this.port) { const p = this.port; this.port = null; await closePort(p); }
  }
}
