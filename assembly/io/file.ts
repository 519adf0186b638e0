// Whole-file reads and writes through WASI preopened directories.
// A path is resolved against the preopen whose guest name is its longest prefix; relative paths use ".".
import {
  fd, fd_close, fd_prestat_dir_name, fd_prestat_get, fd_read, fd_write, fd_filestat_get,
  path_open, lookupflags, oflags, rights, prestat, filestat, prestat, filestat,
} from "bindings/wasi_snapshot_preview1";

const scratch: usize = memory.data(64, 8);
const nameBuf: usize = memory.data(512, 8);

class Resolved { constructor(public dirfd: u32, public rel: string) {} }

function resolve(path: string): Resolved | null {
  let best: i32 = -1;
  let bestLen: i32 = -1;
  let bestName = "";
  for (let f: u32 = 3; f < 64; f++) {
    if (fd_prestat_get(f, changetype<prestat>(scratch)) != 0) break;
    const len = <i32>load<u32>(scratch, 4);
    if (len > 511 || fd_prestat_dir_name(f, nameBuf, len) != 0) continue;
    let name = String.UTF8.decodeUnsafe(nameBuf, len);
    // Trailing NUL or slash do not belong to the name.
    while (name.length > 1 && (name.endsWith("\0") || name.endsWith("/"))) name = name.slice(0, name.length - 1);
    let rel: string | null = null;
    if (name == "." || name == "./") {
      if (!path.startsWith("/")) rel = path.startsWith("./") ? path.slice(2) : path;
    } else if (path == name) {
      rel = ".";
    } else if (path.startsWith(name + "/")) {
      rel = path.slice(name.length + 1);
    } else if (name == "/" && path.startsWith("/")) {
      rel = path.slice(1);
    }
    if (rel != null && name.length > bestLen) { best = <i32>f; bestLen = name.length; bestName = rel!; }
  }
  if (best < 0) return null;
  return new Resolved(<u32>best, bestName);
}

export class FileResult {
  constructor(public data: Uint8Array | null, public errno: i32, public message: string) {}
  get ok(): bool { return this.data != null; }
}

function openAt(path: string, flags: oflags, rightsBase: rights): i32 {
  const r = resolve(path);
  if (r == null) return -1;
  const p = String.UTF8.encode(r.rel);
  const e = path_open(r.dirfd, lookupflags.SYMLINK_FOLLOW, changetype<usize>(p), <usize>p.byteLength,
    flags, rightsBase, 0, 0, scratch);
  if (e != 0) return -(<i32>e) - 1000;
  return <i32>load<u32>(scratch);
}

function describeOpen(code: i32, path: string): string {
  if (code == -1) return "no preopened directory gives access to " + path;
  const e = -(code + 1000);
  if (e == 44) return "no such file: " + path;
  if (e == 31) return "is a directory: " + path;
  if (e == 2 || e == 63) return "permission denied: " + path;
  return "cannot open " + path + " (errno " + e.toString() + ")";
}

/** Reads a whole file, up to maxBytes; larger files fail with a clear message. */
export function readFile(path: string, maxBytes: i32 = 64 << 20): FileResult {
  const f = openAt(path, 0, rights.FD_READ | rights.FD_SEEK | rights.FD_FILESTAT_GET);
  if (f < 0) return new FileResult(null, f, describeOpen(f, path));
  // filestat: size at offset 32
  if (fd_filestat_get(<u32>f, changetype<filestat>(scratch)) != 0) { fd_close(<u32>f); return new FileResult(null, 5, "cannot stat " + path); }
  const size = load<u64>(scratch, 32);
  if (size > <u64>maxBytes) { fd_close(<u32>f); return new FileResult(null, 27, path + " is larger than " + maxBytes.toString() + " bytes"); }
  const out = new Uint8Array(<i32>size);
  let off: i32 = 0;
  while (off < out.length) {
    store<u32>(scratch, <u32>(out.dataStart + off));
    store<u32>(scratch, <u32>(out.length - off), 4);
    if (fd_read(<u32>f, scratch, 1, scratch + 8) != 0) { fd_close(<u32>f); return new FileResult(null, 29, "read error on " + path); }
    const n = <i32>load<u32>(scratch, 8);
    if (n == 0) break;
    off += n;
  }
  fd_close(<u32>f);
  if (off != out.length) return new FileResult(out.slice(0, off), 0, "");
  return new FileResult(out, 0, "");
}

/**
 * Reads a whole file into a caller-owned buffer (cap bytes at dst), so a command over many files reuses one
 * buffer. Returns the length, or -1 with readIntoError set (also when the file is larger than cap).
 */
export let readIntoError: string = "";
export function readFileInto(path: string, dst: usize, cap: i32): i32 {
  const f = openAt(path, 0, rights.FD_READ | rights.FD_SEEK | rights.FD_FILESTAT_GET);
  if (f < 0) { readIntoError = describeOpen(f, path); return -1; }
  if (fd_filestat_get(<u32>f, changetype<filestat>(scratch)) != 0) { fd_close(<u32>f); readIntoError = "cannot stat " + path; return -1; }
  const size = load<u64>(scratch, 32);
  if (size > <u64>cap) { fd_close(<u32>f); readIntoError = path + " is larger than " + cap.toString() + " bytes"; return -1; }
  let off: i32 = 0;
  const n0 = <i32>size;
  while (off < n0) {
    store<u32>(scratch, <u32>(dst + <usize>off));
    store<u32>(scratch, <u32>(n0 - off), 4);
    if (fd_read(<u32>f, scratch, 1, scratch + 8) != 0) { fd_close(<u32>f); readIntoError = "read error on " + path; return -1; }
    const n = <i32>load<u32>(scratch, 8);
    if (n == 0) break;
    off += n;
  }
  fd_close(<u32>f);
  return off;
}

/** Writes (creates or truncates) a whole file. Returns "" on success or an error message. */
export function writeFile(path: string, data: Uint8Array): string {
  const f = openAt(path, oflags.CREAT | oflags.TRUNC, rights.FD_WRITE | rights.FD_SEEK);
  if (f < 0) return describeOpen(f, path);
  let off: i32 = 0;
  while (off < data.length) {
    store<u32>(scratch, <u32>(data.dataStart + off));
    store<u32>(scratch, <u32>(data.length - off), 4);
    if (fd_write(<u32>f, scratch, 1, scratch + 8) != 0) { fd_close(<u32>f); return "write error on " + path; }
    off += <i32>load<u32>(scratch, 8);
  }
  fd_close(<u32>f);
  return "";
}
