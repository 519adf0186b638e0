// The phone link over TCP on loopback (the simulation of BLE): each fragment travels as one record,
// [u16 big-endian length][fragment], as one BLE write or notify would. Both ends are bounded: a record
// longer than the MTU closes the connection.
import net from "node:net";

export class FragmentSocket {
  private buf = Buffer.alloc(0);
  private waiters: ((f: Uint8Array | null) => void)[] = [];
  private queue: Uint8Array[] = [];
  private closed = false;

  constructor(private sock: net.Socket, private mtu: number) {
    sock.on("data", (d) => this.onData(d));
    sock.on("end", () => sock.end());        // the peer finished: finish our side too, so both close
    sock.on("close", () => { this.closed = true; for (const w of this.waiters.splice(0)) w(null); });
    sock.on("error", () => {});
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0);
      if (n === 0 || n > this.mtu) { this.sock.destroy(); return; }
      if (this.buf.length < 2 + n) break;
      const f = new Uint8Array(this.buf.subarray(2, 2 + n));
      this.buf = this.buf.subarray(2 + n);
      const w = this.waiters.shift();
      if (w) w(f); else this.queue.push(f);
    }
  }

  send(f: Uint8Array): void {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(f.length);
    this.sock.write(Buffer.concat([head, f]));
  }

  /** The next fragment, or null when the connection closed or nothing came within timeoutMs. */
  next(timeoutMs: number): Promise<Uint8Array | null> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.waiters.splice(this.waiters.indexOf(done), 1); resolve(null); }, timeoutMs);
      const done = (f: Uint8Array | null) => { clearTimeout(t); resolve(f); };
      this.waiters.push(done);
    });
  }

  /** Fragments already received, without waiting. */
  drain(): Uint8Array[] { return this.queue.splice(0); }

  close(): void { this.sock.end(); }
}

/** Connects to a loopback fragment server. */
export function connectLoopback(port: number, mtu: number): Promise<FragmentSocket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => resolve(new FragmentSocket(s, mtu)));
    s.once("error", reject);
  });
}
