// An SMP client over the console framing: one request at a time per sequence number, answers matched by
// sequence, group and command; a timeout names what went unanswered. Console text from the device (its
// log lines) is kept, so errors can show what the device said.
import { ConsoleDecoder, encodeConsolePacket } from "./console-framing.ts";
import { checkResponse, decodeMap, decodeSmp, encodeCbor, encodeSmp, GROUP, OP } from "./smp.ts";
import type { ByteStream } from "./port.ts";
import type { CborValue } from "../phone/cbor.ts";

export class NoAnswerError extends Error {}
export class LinkLostError extends Error {}

interface Pending { group: number; id: number; resolve: (p: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

export class SmpClient {
  private seq = 0;
  private pending = new Map<number, Pending>();
  private decoder: ConsoleDecoder;
  readonly console: string[] = [];
  closed = false;

  constructor(private port: ByteStream, readonly name: string, private onText: (l: string) => void = () => {}) {
    this.decoder = new ConsoleDecoder(() => {}, (l) => { if (!l) return; this.console.push(l); if (this.console.length > 200) this.console.shift(); this.onText(l); });
    port.on("data", (b: Buffer) => { for (const body of this.decoder.push(b)) this.take(body); });
    const lost = (e?: Error) => this.fail(new LinkLostError(`serial link ${name} lost${e?.message ? `: ${e.message}` : ""}`));
    port.on("close", lost);
    port.on("error", lost);
  }

  private take(body: Uint8Array): void {
    let m;
    try { m = decodeSmp(body); } catch { return; }
    if (m.op !== OP.READ_RSP && m.op !== OP.WRITE_RSP) return;
    const p = this.pending.get(m.seq);
    if (!p || p.group !== m.group || p.id !== m.id) return;   // a late answer to a request that timed out
    clearTimeout(p.timer);
    this.pending.delete(m.seq);
    p.resolve(m.payload);
  }

  private fail(e: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(e); }
    this.pending.clear();
  }

  /** Raw request: payload bytes in, payload bytes out. */
  requestRaw(op: number, group: number, id: number, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new LinkLostError(`serial link ${this.name} is closed`));
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new NoAnswerError(`no answer from ${this.name} within ${timeoutMs} ms (SMP group ${group} command ${id})`));
      }, timeoutMs);
      this.pending.set(seq, { group, id, resolve, reject, timer });
      this.port.write(encodeConsolePacket(encodeSmp({ version: 1, op, group, seq, id }, payload)));
    });
  }

  /** CBOR request/response; SMP errors (v1 rc or v2 err) are thrown as SmpError. */
  async request(op: number, group: number, id: number, body: Record<string, CborValue>, timeoutMs = 3000): Promise<Record<string, any>> {
    const payload = await this.requestRaw(op, group, id, encodeCbor(body), timeoutMs);
    return checkResponse(group, decodeMap(payload));
  }

  read(group: number, id: number, body: Record<string, CborValue> = {}, timeoutMs?: number) { return this.request(OP.READ, group, id, body, timeoutMs); }
  write(group: number, id: number, body: Record<string, CborValue>, timeoutMs?: number) { return this.request(OP.WRITE, group, id, body, timeoutMs); }

  detach(): void {
    this.fail(new LinkLostError(`serial link ${this.name} closed`));
    this.port.removeAllListeners("data");
    this.port.removeAllListeners("close");
    this.port.removeAllListeners("error");
    // Closing with a write still queued fails it ("Canceled"): nothing is waiting for it any more.
    this.port.on("error", () => {});
  }
}

export { GROUP };
