// The device secret in the host's stand-in for secure storage (a 0600 file in a 0700 folder), and the atomic
// file write it and other host state use.
//
// Why this care: the firmware seals its persistent state with a key derived from this secret. A secret file
// that is empty or half-written (a crash between create and write) makes the sealed state unopenable for ever,
// and a fresh secret written over an existing sealed state silently orphans it. So:
//   - every write goes to a temporary file in the same folder, is fsynced, then renamed (or linked) into place,
//     and the folder is fsynced so the new name survives a power cut;
//   - a new secret is created only when there is no sealed state beside it, and never over an existing secret
//     (link(2) fails on an existing name, so two processes racing cannot each make their own);
//   - a secret file of the wrong size is refused with a message that says what to do, never "repaired".
// On a real board the secret lives in the secure element / eFuse-backed key storage, not in a file.
import {
  chmodSync, closeSync, existsSync, fchmodSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync,
  unlinkSync, writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { homedir } from "node:os";
import path from "node:path";

/** File name of the device secret inside the data folder (the name host/commands/pay.ts uses). */
export const DEVICE_SECRET_FILE = "device-secret";
/** File names of the sealed firmware state that depends on the secret (host/commands/pay.ts's StateStore file). */
export const SEALED_STATE_FILES: readonly string[] = ["glasses-state.bin"];
/** A new secret's length; the firmware accepts 16–64 bytes (setDeviceSecret). */
export const SECRET_BYTES = 32;
export const SECRET_MIN_BYTES = 16;
export const SECRET_MAX_BYTES = 64;
export const SECRET_FILE_MODE = 0o600;
export const DATA_DIR_MODE = 0o700;

/** The file-system calls writeFileAtomic makes, so a test can see their order (fsync before rename, folder last). */
export interface AtomicIo {
  openSync(p: string, flags: string, mode?: number): number;
  writeSync(fd: number, b: Uint8Array, off: number, len: number): number;
  fchmodSync(fd: number, mode: number): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  linkSync(from: string, to: string): void;
  unlinkSync(p: string): void;
}
export const nodeIo: AtomicIo = { openSync, writeSync, fchmodSync, fsyncSync, closeSync, renameSync, linkSync, unlinkSync };

export class SecretStoreError extends Error {}

/**
 * Creates `dir` (and parents) 0700 when missing, and tightens an existing one to 0700, except a folder that is
 * evidently shared rather than ours to close: sticky ones (/tmp), "/", the working directory, the home directory,
 * and folders another user owns. Those keep their mode; the files inside are 0600 anyway.
 */
export function ensurePrivateDir(dir: string): void {
  const abs = path.resolve(dir);
  if (!existsSync(abs)) mkdirSync(abs, { recursive: true, mode: DATA_DIR_MODE });
  const st = statSync(abs);
  if (!st.isDirectory()) throw new SecretStoreError(`${abs} is not a folder`);
  if ((st.mode & 0o777) === DATA_DIR_MODE) return;
  const shared = (st.mode & 0o1000) !== 0 || abs === path.parse(abs).root || abs === process.cwd() || abs === homedir()
    || (typeof process.getuid === "function" && st.uid !== process.getuid());
  if (!shared) chmodSync(abs, DATA_DIR_MODE); // also fixes mkdir's mode, which the umask masks
}

function fsyncDir(dir: string, io: AtomicIo): void {
  let fd: number | undefined;
  try {
    fd = io.openSync(dir, "r");
    io.fsyncSync(fd);
  } catch (e) {
    // Some platforms (Windows) cannot open or fsync a folder; POSIX ones can, and there a failure is real.
    if (process.platform !== "win32") throw e;
  } finally {
    if (fd !== undefined) io.closeSync(fd);
  }
}

/** Writes bytes to a fresh temporary file beside `target`, fsynced and closed; returns its path. */
function writeTemp(target: string, bytes: Uint8Array, mode: number, io: AtomicIo): string {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = io.openSync(tmp, "wx", mode); // wx: never follow or reuse an existing name
  try {
    io.fchmodSync(fd, mode); // the open mode is masked by the umask; the caller's mode is what it asked for
    let off = 0;
    while (off < bytes.length) off += io.writeSync(fd, bytes, off, bytes.length - off);
    io.fsyncSync(fd);
  } catch (e) {
    io.closeSync(fd);
    io.unlinkSync(tmp);
    throw e;
  }
  io.closeSync(fd);
  return tmp;
}

/**
 * Replaces `file` with `bytes` whole-or-nothing: temp file (mode `mode`) → write → fsync → rename over `file`
 * → fsync the folder. A crash leaves the old content or the new one, never a mix or an empty file.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, mode: number, io: AtomicIo = nodeIo): void {
  const tmp = writeTemp(file, bytes, mode, io);
  try {
    io.renameSync(tmp, file);
  } catch (e) {
    io.unlinkSync(tmp);
    throw e;
  }
  fsyncDir(path.dirname(file), io);
}

/** Like writeFileAtomic, but fails with EEXIST instead of replacing an existing `file` (link(2), not rename(2)). */
export function createFileAtomic(file: string, bytes: Uint8Array, mode: number, io: AtomicIo = nodeIo): void {
  const tmp = writeTemp(file, bytes, mode, io);
  try {
    io.linkSync(tmp, file);
  } finally {
    io.unlinkSync(tmp);
  }
  fsyncDir(path.dirname(file), io);
}

function readSecret(file: string): Buffer {
  const st = lstatSync(file);
  if (!st.isFile()) throw new SecretStoreError(`device secret ${file} is not a regular file; refusing to use it`);
  if ((st.mode & 0o777) !== SECRET_FILE_MODE) chmodSync(file, SECRET_FILE_MODE);
  const b = readFileSync(file);
  if (b.length < SECRET_MIN_BYTES || b.length > SECRET_MAX_BYTES) {
    const what = b.length === 0 ? "is empty" : `holds ${b.length} bytes (a device secret is ${SECRET_MIN_BYTES}–${SECRET_MAX_BYTES})`;
    throw new SecretStoreError(
      `device secret ${file} ${what}. The glasses' sealed state can only be opened with the secret it was sealed with: ` +
      "restore that file from a backup. To start over instead, remove the secret and the sealed state " +
      `(${SEALED_STATE_FILES.join(", ")}) from ${path.dirname(file)}; the glasses must then be paired again.`);
  }
  return b;
}

export interface SecretOptions {
  /** Sealed-state file names that make creating a new secret an error (default SEALED_STATE_FILES). */
  sealedStateFiles?: readonly string[];
  /** Randomness for a new secret (tests inject it). */
  random?: (n: number) => Uint8Array;
  io?: AtomicIo;
}

/**
 * The device secret of `dataDir`: read when present (16–64 bytes, else a clear error), otherwise created
 * (32 random bytes, 0600, written atomically) unless a sealed state already exists there, which would then
 * be unopenable: that is refused with a clear error instead. The folder is made (or tightened to) 0700.
 */
export function loadOrCreateDeviceSecret(dataDir: string, opts: SecretOptions = {}): Buffer {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, DEVICE_SECRET_FILE);
  if (existsSync(file)) return readSecret(file);
  const sealed = (opts.sealedStateFiles ?? SEALED_STATE_FILES).map((f) => path.join(dataDir, f)).filter((f) => existsSync(f));
  if (sealed.length > 0) {
    throw new SecretStoreError(
      `${file} is missing but a sealed state exists (${sealed.join(", ")}); a new secret could never open it, so none is made. ` +
      "Restore the device secret from a backup, or remove the sealed state to start over (the glasses must then be paired again).");
  }
  const secret = Buffer.from((opts.random ?? ((n: number) => randomBytes(n)))(SECRET_BYTES));
  if (secret.length !== SECRET_BYTES) throw new SecretStoreError(`random source gave ${secret.length} bytes, not ${SECRET_BYTES}`);
  try {
    createFileAtomic(file, secret, SECRET_FILE_MODE, opts.io ?? nodeIo);
  } catch (e) {
    // another process made it first: use theirs, so both sides of the race share one secret
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return readSecret(file);
    throw e;
  }
  return secret;
}
