// The firmware's persistent-state blob on disk, written whole-or-nothing: the new blob goes to a
// temporary file beside the old one, is flushed to disk, then renamed over it (rename is atomic on POSIX).
// A crash at any point leaves either the old blob or the new one, never a mix.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";

export class StateStore {
  constructor(readonly file: string) {}

  load(): Uint8Array | null {
    return existsSync(this.file) ? new Uint8Array(readFileSync(this.file)) : null;
  }

  save(blob: Uint8Array): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.new`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, blob);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    try {
      const dfd = openSync(path.dirname(this.file), "r");
      fsyncSync(dfd);
      closeSync(dfd);
    } catch { /* directories cannot be fsynced on every platform */ }
  }
}
