// The dev-kit emulator: a kit on a serial port. Its flash is a folder (two slots, boot flags, device
// secret); on every reset it runs the boot step (boot.ts), then the firmware of slot 0 as the board in
// Node's WASI: the firmware's own self-test decides whether the app comes up. A test image whose
// self-test fails resets the kit, and the next boot reverts it (MCUboot's rollback).
import { randomBytes, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { runNode } from "../engine/node.ts";
import { writeFileAtomic } from "../flash/keys.ts";
import { ConsoleDecoder } from "../serial/console-framing.ts";
import { openPort, closePort, type ByteStream } from "../serial/port.ts";
import { boot } from "./boot.ts";
import { DeviceFaceServer } from "./device-face-server.ts";
import { FlashStore } from "./flash-store.ts";
import { SmpServer } from "./smp-server.ts";

export interface KitOptions {
  board: string;
  dataDir: string;
  trusted: KeyObject;
  /** the serial device to serve (reopened when it goes away), or a stream (tests: SerialPortMock) */
  port: string | ByteStream;
  baud: number;
  /** pace bytes at the baud rate (10 bits a byte), as a real UART would; ptys are otherwise instant */
  lineRate?: boolean;
  /** a device-face session with no request for this long is ended */
  idleMs?: number;
  /** tests only: a repeatable random source for the firmware it runs (engine/entropy.ts) */
  entropySeed?: string;
  log?: (l: string) => void;
}

export class Kit {
  readonly store: FlashStore;
  private smp: SmpServer;
  private face: DeviceFaceServer;
  private stream: ByteStream | null = null;
  private decoder: ConsoleDecoder;
  private booting = false;
  private app: string | null = null;
  private stopped = false;
  private rxAt = 0;
  private txAt = 0;
  selftest: { pass: boolean; detail: string } | null = null;
  boots = 0;

  constructor(private o: KitOptions) {
    this.store = new FlashStore(o.dataDir);
    this.face = new DeviceFaceServer({ board: o.board, app: () => this.app, secret: this.secret(), idleMs: o.idleMs ?? 10_000, entropySeed: o.entropySeed, log: (l) => this.log(l) });
    this.smp = new SmpServer({ board: o.board, store: this.store, running: () => this.app !== null, requestReset: () => void this.reset("SMP reset"),
      log: (l) => this.log(l), deviceFace: (m) => this.face.handle(m) });
    this.decoder = new ConsoleDecoder((e) => this.log(`serial: dropped a packet: ${e.message}`));
  }

  /** The kit's own device secret (its "secure element"), made once, 0600. */
  private secret(): Uint8Array {
    const f = path.join(this.o.dataDir, "device-secret");
    if (!existsSync(f)) writeFileAtomic(f, randomBytes(32), 0o600);
    return new Uint8Array(readFileSync(f));
  }

  get running(): boolean { return this.app !== null; }

  log(l: string): void {
    (this.o.log ?? ((x: string) => process.stdout.write(x + "\n")))(l);
    // A real kit prints its log on the same console; SMP clients skip lines that are not SMP frames.
    this.send(Buffer.from(l.replace(/[\r\n]/g, " ") + "\n"));
  }

  private send(b: Buffer): void {
    const s = this.stream;
    if (!s || !s.isOpen) return;
    if (!this.o.lineRate) { s.write(b); return; }
    const now = Date.now();
    this.txAt = Math.max(now, this.txAt) + (b.length * 10_000) / this.o.baud;
    setTimeout(() => { if (s.isOpen) s.write(b); }, this.txAt - now);
  }

  private receive(b: Buffer): void {
    if (!this.o.lineRate) return this.consume(b);
    const now = Date.now();
    this.rxAt = Math.max(now, this.rxAt) + (b.length * 10_000) / this.o.baud;
    setTimeout(() => this.consume(b), this.rxAt - now);
  }

  private consume(b: Buffer): void {
    if (this.booting) return;                    // a rebooting device hears nothing
    for (const body of this.decoder.push(b)) {
      void this.smp.handle(body).then((out) => { if (out) this.send(out); });
    }
  }

  async start(): Promise<void> {
    await this.attach();
    await this.reset("power on");
  }

  private async attach(): Promise<void> {
    const p = this.o.port;
    if (typeof p !== "string") { this.wire(p); return; }
    for (let warned = false; !this.stopped;) {
      try { this.wire(await openPort(p, this.o.baud)); this.log(`serial: listening on ${p} at ${this.o.baud} baud`); return; } catch (e) {
        if (!warned) { (this.o.log ?? console.log)(`serial: ${(e as Error).message}; retrying`); warned = true; }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private wire(s: ByteStream): void {
    this.stream = s;
    s.on("data", (b: Buffer) => this.receive(b));
    s.on("close", () => {
      if (this.stream !== s) return;
      this.stream = null;
      this.decoder = new ConsoleDecoder((e) => this.log(`serial: dropped a packet: ${e.message}`));
      (this.o.log ?? console.log)("serial: port closed (cable pulled?)");
      void this.face.end("serial link lost");
      if (typeof this.o.port === "string" && !this.stopped) void this.attach();
    });
    s.on("error", () => {});
  }

  /** Reset: the app stops, the boot step runs, the app in slot 0 starts if its self-test passes. */
  async reset(why: string): Promise<void> {
    this.booting = true;
    await this.face.end("reset");
    this.app = null;
    this.boots++;
    this.log(`reset: ${why}`);
    await new Promise((r) => setTimeout(r, 30));
    const r = boot(this.store, this.o.trusted, this.o.board);
    for (const l of r.log) this.log(l);
    let failed = false;
    if (r.image) {
      const file = path.join(this.o.dataDir, "run", `${r.image.hash!.toString("hex")}.wasm`);
      if (!existsSync(file)) writeFileAtomic(file, r.image.body);
      this.selftest = this.runSelftest(file);
      if (this.selftest.pass) {
        this.app = file;
        this.log(`app: running (self-test passed: ${this.selftest.detail})`);
      } else {
        this.log(`app: self-test FAILED (${this.selftest.detail})`);
        failed = this.store.flags().testing;
      }
    }
    // Let bytes that arrived while "rebooting" be dropped, as a real UART's would be.
    await new Promise((r) => setTimeout(r, 50));
    this.decoder = new ConsoleDecoder((e) => this.log(`serial: dropped a packet: ${e.message}`));
    this.booting = false;
    // A test image that cannot run makes the kit reset (its watchdog); the boot step then reverts it.
    if (failed) await this.reset("watchdog: the test image did not come up");
  }

  private runSelftest(file: string): { pass: boolean; detail: string } {
    let r;
    try { r = runNode(file, ["selftest"], {}); } catch (e) { return { pass: false, detail: `module did not load: ${(e as Error).message}` }; }
    const last = r.stdout.trim().split("\n").pop() ?? "";
    let summary: any = null;
    try { summary = JSON.parse(last); } catch { /* no summary line */ }
    if (r.code !== 0) return { pass: false, detail: `exit code ${r.code}${summary?.failed ? `, ${summary.failed} checks failed` : ""}` };
    if (!summary || summary.board !== this.o.board) return { pass: false, detail: `module reports board '${summary?.board ?? "?"}', kit is '${this.o.board}'` };
    return { pass: true, detail: `${summary.passed} checks on ${summary.board}` };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.face.end("kit stopped");
    if (this.stream) { const s = this.stream; this.stream = null; await closePort(s); }
  }
}
