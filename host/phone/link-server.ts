// The phone end of the loopback link: accepts one glasses connection at a time on 127.0.0.1 and runs
// every fragment through PhoneLink (framing + CBOR + Wallet).
import net from "node:net";
import { FragmentSocket } from "../link/loopback.ts";
import { PhoneLink } from "./glasses-link.ts";

export class PhoneLinkServer {
  private server: net.Server;
  private sock?: FragmentSocket;
  private pumping = Promise.resolve();
  port = 0;

  constructor(readonly phone: PhoneLink, private mtu: number) {
    this.server = net.createServer({ noDelay: true }, (s) => {
      if (this.sock) { s.destroy(); return; }      // one pair of glasses at a time
      s.setTimeout(30_000, () => s.destroy());
      const fs = new FragmentSocket(s, mtu);
      this.sock = fs;
      s.on("close", () => { if (this.sock === fs) this.sock = undefined; });
      this.pump(fs);
    });
    this.server.maxConnections = 2;
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => {
      this.port = (this.server.address() as net.AddressInfo).port;
      resolve(this.port);
    }));
  }

  /** Sends fragments to the glasses (e.g. a registration challenge). */
  send(frags: Uint8Array[]): void { for (const f of frags) this.sock?.send(f); }

  private pump(fs: FragmentSocket): void {
    const loop = async () => {
      for (;;) {
        const f = await fs.next(60_000);
        if (!f) return;
        for (const r of await this.phone.receive(f)) fs.send(r);
      }
    };
    this.pumping = loop();
  }

  async close(): Promise<void> {
    this.sock?.close();
    await new Promise((r) => this.server.close(() => r(null)));
  }
}
