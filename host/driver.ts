// Moves bytes for a running device: events out, link fragments both ways, and the state blob to disk
// when the firmware asks for it ("persist" events). No payment logic: every decision is the firmware's.
import type { Device } from "./engine/index.ts";
import { drainEvents } from "./engine/index.ts";
import type { StateStore } from "./state-store.ts";
import { STATUS } from "./generated/abi.ts";

export interface LinkPort {
  send(f: Uint8Array): void;
  drain(): Uint8Array[];
  next(timeoutMs: number): Promise<Uint8Array | null>;
}

export class DeviceDriver {
  readonly events: any[] = [];
  private ptr: Record<string, number> = {};

  constructor(readonly dev: Device, readonly link: LinkPort | null, readonly store: StateStore | null,
              private onEvent: (e: any) => void = () => {}) {}

  async setup(): Promise<void> {
    for (const k of ["linkRxBuffer", "linkTxBuffer", "stateBlob", "stateInBuffer", "frameBuffer", "audioBuffer", "hudBuffer"]) {
      this.ptr[k] = await this.dev.call(k);
    }
  }

  pointer(name: string): number { return this.ptr[name]; }

  /** Loads the stored blob, if any; a refused blob is an error with the firmware's status. */
  async loadState(): Promise<boolean> {
    const blob = this.store?.load();
    if (!blob) return false;
    // The store's anchor first: the firmware then refuses any blob older than the newest one ever saved.
    await this.dev.call("stateAnchor", this.store!.anchor());
    await this.dev.write(this.ptr.stateInBuffer, blob);
    const st = await this.dev.call("loadState", blob.length);
    if (st === STATUS.E_STATE_ROLLBACK) throw new Error(`stored state ${this.store!.file} was refused by the firmware (state_rollback: it is older than the newest state saved here, generation ${this.store!.anchor()}); restore the newest state`);
    if (st !== 0) throw new Error(`stored state ${this.store!.file} was refused by the firmware (status ${st}); move it away to start fresh`);
    return true;
  }

  async saveState(): Promise<number> {
    const n = await this.dev.call("stateSave");
    if (n <= 0) throw new Error(`firmware could not seal its state (status ${-n})`);
    const blob = await this.dev.read(this.ptr.stateBlob, n);
    const generation = new DataView(blob.buffer, blob.byteOffset).getUint32(8, true);
    this.store?.save(blob, generation);
    return generation;
  }

  /** One round: events, persistence, outgoing fragments, incoming fragments (waiting up to waitMs for the first). */
  async pump(tMs: number, waitMs = 0): Promise<void> {
    for (;;) {
      for (const e of await drainEvents(this.dev)) {
        this.events.push(e);
        this.onEvent(e);
        if (e.type === "persist") {
          const gen = await this.saveState();
          const st = await this.dev.call("statePersisted", gen);
          if (st !== 0) throw new Error(`firmware refused persisted generation ${gen} (status ${st})`);
        }
      }
      let sent = 0, sentMsg = 0;
      if (this.link) {
        for (;;) {
          const n = await this.dev.call("linkTx");
          if (n <= 0) break;
          const buf = await this.dev.read(this.ptr.linkTxBuffer, n);
          for (let o = 0; o < n;) {
            const len = buf[o] | (buf[o + 1] << 8);
            const f = buf.slice(o + 2, o + 2 + len);
            this.link.send(f);
            if (f[0] === 0x83) sentMsg++;   // a MSG may be answered; KEEPALIVE and CANCEL frames are not
            o += 2 + len; sent++;
          }
        }
      }
      let incoming = this.link ? this.link.drain() : [];
      if (!incoming.length && this.link && sentMsg > 0 && waitMs > 0) {
        const f = await this.link.next(waitMs);
        if (f) incoming = [f, ...this.link.drain()];
      }
      if (!incoming.length) {
        // Nothing arrived; if events are still queued, loop again, else done.
        if (sent === 0) return;
        continue;
      }
      for (const f of incoming) {
        await this.dev.write(this.ptr.linkRxBuffer, f);
        await this.dev.call("onLinkRx", f.length);
      }
      await this.dev.call("tick", BigInt(tMs));
    }
  }
}
