// Shared set-up for the flash/devkit tests: signed images of real firmware builds, a socat cable, a kit.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { resolveWasm } from "../host/engine/index.ts";
import { buildImage, parseVersion } from "../host/flash/image.ts";
import { Kit } from "../host/devkit/kit.ts";
import { ptyPair, type PtyPair } from "../host/devkit/pty.ts";
import { KitSession } from "../host/flash/session.ts";

export const tmp = (tag: string) => mkdtempSync(path.join(tmpdir(), `glasses-${tag}-`));

export function devKey(): KeyObject { return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey; }

export function firmware(board: string): Buffer { return readFileSync(resolveWasm({ board })); }

export function image(key: KeyObject, version: string, board = "desktop", body: Uint8Array = firmware(board)): Buffer {
  return buildImage(body, board, parseVersion(version), key);
}

/**
 * A WASI module whose `_start` exits with status 1 (proc_exit(1)), so its self-test "fails": written out
 * byte by byte (type, import, function, memory, export and code sections).
 */
export function failingModule(): Buffer {
  const name = (s: string) => [s.length, ...Buffer.from(s)];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 1, 0x7f, 0, 0x60, 0, 0]),
    ...section(2, [1, ...name("wasi_snapshot_preview1"), ...name("proc_exit"), 0x00, 0]),
    ...section(3, [1, 1]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...name("memory"), 0x02, 0, ...name("_start"), 0x00, 1]),
    ...section(10, [1, 6, 0, 0x41, 1, 0x10, 0, 0x0b]),
  ]);
}

export interface Bench { dir: string; cable: PtyPair; kit: Kit; kitLog: string[]; restartCable: () => Promise<void>; close: () => Promise<void> }

/** A kit on one end of a socat cable, optionally with a factory image in slot 0. */
export async function kitOnCable(o: { key: KeyObject; factory?: Buffer; baud?: number; board?: string; idleMs?: number; lineRate?: boolean; entropySeed?: string }): Promise<Bench> {
  const dir = tmp("kit");
  const a = path.join(dir, "tty-kit"), b = path.join(dir, "tty-host");
  const bench = { dir, kitLog: [] as string[] } as Bench;
  bench.cable = await ptyPair(a, b);
  bench.kit = new Kit({ board: o.board ?? "desktop", dataDir: path.join(dir, "flash"), trusted: o.key, port: a, baud: o.baud ?? 115200,
    idleMs: o.idleMs, lineRate: o.lineRate, entropySeed: o.entropySeed, log: (l) => bench.kitLog.push(l) });
  if (o.factory) { bench.kit.store.writeSlot(0, o.factory); bench.kit.store.setFlags({ pending: "none", confirmed: true, testing: false }); }
  await bench.kit.start();
  bench.restartCable = async () => { await bench.cable.close(); bench.cable = await ptyPair(a, b); };
  bench.close = async () => { await bench.kit.stop(); await bench.cable.close(); };
  return bench;
}

export function session(b: Bench, baud = 115200, timeoutMs = 3000): Promise<KitSession> {
  return KitSession.open({ port: b.cable.b, baud, timeoutMs, reconnectMs: 10_000 });
}
