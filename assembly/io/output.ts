// Writing lines to stdout/stderr through WASI fd_write. Strings are encoded to UTF-8 once per line.
import { fd_write } from "bindings/wasi_snapshot_preview1";

const iov: usize = memory.data(16, 8);
const written: usize = memory.data(8, 8);

export function writeBytes(fd: u32, ptr: usize, len: usize): void {
  while (len > 0) {
    store<u32>(iov, <u32>ptr);
    store<u32>(iov, <u32>len, 4);
    if (fd_write(fd, iov, 1, written) != 0) return;
    const n = <usize>load<u32>(written);
    if (n == 0) return;
    ptr += n; len -= n;
  }
}

function writeString(fd: u32, s: string): void {
  const buf = String.UTF8.encode(s);
  writeBytes(fd, changetype<usize>(buf), <usize>buf.byteLength);
}

/** One line to stdout (a newline is appended). */
export function printLine(s: string): void { writeString(1, s + "\n"); }
/** One line to stderr (a newline is appended). */
export function printErrLine(s: string): void { writeString(2, s + "\n"); }
