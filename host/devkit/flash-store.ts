// The kit's "flash": two image slots and the boot flags in a folder, every change written atomically
// (temp + fsync + rename). An upload in progress lives in slot1.part with its progress in upload.json, so
// it survives a pulled cable or a reset and can be resumed from the last offset written.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, mkdirSync, ftruncateSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../flash/keys.ts";

export interface BootFlags {
  /** slot 1 is marked for the next boot: test (revert unless confirmed) or permanent */
  pending: "none" | "test" | "permanent";
  /** the image in slot 0 has been confirmed (MCUboot's image_ok) */
  confirmed: boolean;
  /** slot 0 runs a test image; slot 1 holds the image to revert to */
  testing: boolean;
}
export interface UploadProgress { len: number; sha: string; off: number }

export class FlashStore {
  constructor(readonly dir: string) { mkdirSync(dir, { recursive: true, mode: 0o700 }); }
  private p(n: string) { return path.join(this.dir, n); }

  slot(i: 0 | 1): Buffer | null { return existsSync(this.p(`slot${i}.img`)) ? readFileSync(this.p(`slot${i}.img`)) : null; }
  writeSlot(i: 0 | 1, img: Uint8Array | null): void {
    if (img) writeFileAtomic(this.p(`slot${i}.img`), img);
    else rmSync(this.p(`slot${i}.img`), { force: true });
  }
  /** Exchanges the slots' contents (the swap MCUboot does with its scratch area), crash-safe by renames. */
  swap(): void {
    const a = this.p("slot0.img"), b = this.p("slot1.img"), t = this.p("swap.tmp");
    if (existsSync(a)) renameSync(a, t);
    if (existsSync(b)) renameSync(b, a);
    if (existsSync(t)) renameSync(t, b);
    this.syncDir();
  }

  flags(): BootFlags {
    return existsSync(this.p("boot.json")) ? JSON.parse(readFileSync(this.p("boot.json"), "utf8"))
      : { pending: "none", confirmed: true, testing: false };
  }
  setFlags(f: Partial<BootFlags>): BootFlags {
    const next = { ...this.flags(), ...f };
    writeFileAtomic(this.p("boot.json"), JSON.stringify(next) + "\n");
    return next;
  }

  // The upload in progress: kept in memory while the kit runs, made durable (data fsync, then the offset,
  // atomically) every SYNC_EVERY chunks and at the end. After a power cut the kit resumes from the last
  // durable offset, which is never past the data on disk; the client then resends a little.
  private cur: UploadProgress | null = null;
  private fd: number | null = null;
  private unsynced = 0;
  static SYNC_EVERY = 16;

  upload(): UploadProgress | null {
    if (this.cur) return { ...this.cur };
    return existsSync(this.p("upload.json")) ? JSON.parse(readFileSync(this.p("upload.json"), "utf8")) : null;
  }
  beginUpload(len: number, sha: string): void {
    this.closePart();
    rmSync(this.p("slot1.part"), { force: true });
    const fd = openSync(this.p("slot1.part"), "w", 0o600);
    ftruncateSync(fd, 0); fsyncSync(fd); closeSync(fd);
    this.cur = { len, sha, off: 0 };
    writeFileAtomic(this.p("upload.json"), JSON.stringify(this.cur) + "\n");
  }
  writeChunk(off: number, data: Uint8Array): number {
    const u = (this.cur ??= this.upload()!);
    this.fd ??= openSync(this.p("slot1.part"), "r+");
    writeSync(this.fd, data, 0, data.length, off);
    u.off = off + data.length;
    if (++this.unsynced >= FlashStore.SYNC_EVERY || u.off >= u.len) this.syncUpload();
    return u.off;
  }
  private syncUpload(): void {
    if (this.fd !== null) fsyncSync(this.fd);
    if (this.cur) writeFileAtomic(this.p("upload.json"), JSON.stringify(this.cur) + "\n");
    this.unsynced = 0;
  }
  private closePart(): void { if (this.fd !== null) { closeSync(this.fd); this.fd = null; } }
  partial(): Buffer { return readFileSync(this.p("slot1.part")); }
  /** The finished upload becomes slot 1 (no longer pending: the client marks it). */
  finishUpload(): void {
    this.syncUpload();
    this.closePart();
    this.cur = null;
    renameSync(this.p("slot1.part"), this.p("slot1.img"));
    rmSync(this.p("upload.json"), { force: true });
    this.syncDir();
    this.setFlags({ pending: "none" });
  }
  abortUpload(): void { this.closePart(); this.cur = null; rmSync(this.p("slot1.part"), { force: true }); rmSync(this.p("upload.json"), { force: true }); }

  private syncDir(): void { const fd = openSync(this.dir, "r"); try { fsyncSync(fd); } finally { closeSync(fd); } }
}
