// The firmware's persistent-state blob on disk, written whole-or-nothing: the new blob goes to a
// temporary file beside the old one, is flushed to disk, then renamed over it (rename is atomic on POSIX).
// A crash at any point leaves either the old blob or the new one, never a mix.
// Beside the blob, `<file>.anchor` keeps the highest generation ever saved (written after the blob, so a crash can
// only leave it lower). The driver hands it to the firmware (stateAnchor) before loading, so restoring an older
// blob, which would reuse signature counters, is refused. On a real board the anchor is a hardware monotonic
// counter (eMMC RPMB, an OTP counter or a secure element); a file is only the desktop stand-in: whoever can
// restore both files can roll back, and the wallet's counter check (a cloned-authenticator flag) remains.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";

export class StateStore {
  constructor(readonly file: string) {}

  load(): Uint8Array | null {
    return existsSync(this.file) ? new Uint8Array(readFileSync(this.file)) : null;
  }

  /** The highest generation saved so far (0 when none was recorded). */
  anchor(): number {
    const f = `${this.file}.anchor`;
    if (!existsSync(f)) return 0;
    const n = Number(readFileSync(f, "utf8").trim());
    return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : 0;
  }

  save(blob: Uint8Array, generation?: number): void {
    this.writeAtomic(this.file, blob);
    if (generation !== undefined && generation > this.anchor())
      this.writeAtomic(`${this.file}.anchor`, new TextEncoder().encode(`${generation}\n`));
  }

  private writeAtomic(file: string, blob: Uint8Array): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${file}.new`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, blob);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    try {
      const dfd = openSync(path.dirname(this.file), "r");
      fsyncSync(dfd);
      closeSync(dfd);
    } catch { /* directories cannot be fsynced on every platform */ }
  }
}
