// Peak linear memory of a board's module on the device face: init (first-boot key generation), a payment
// session scanning the board's largest frames (noise, which keeps the QR finder busiest), one second of
// audio in 20 ms hops, a sealed state save. Linear memory only grows, so its final size is the peak.
import { randomBytes } from "node:crypto";
import { loadBoard, deviceConfigRecord, wasmPath } from "../boards.ts";
import { ensureBuilt } from "../build.ts";
import { NodeDevice } from "../engine/node.ts";

export function peakPages(board: string): { initial_pages: number; peak_pages: number; cap_pages: number; peak_bytes: number } {
  const b = loadBoard(board);
  ensureBuilt(board);
  const dev = NodeDevice.open(wasmPath(board));
  const initial = dev.memory.buffer.byteLength / 65536;
  const secret = new Uint8Array(randomBytes(32));
  dev.u8(dev.callSync("secretBuffer"), 32).set(secret);
  dev.callSync("setDeviceSecret", 32);
  const rec = deviceConfigRecord(b);
  dev.u8(dev.callSync("configBuffer"), rec.length).set(rec);
  if (dev.callSync("init", rec.length) !== 0) throw new Error(`init failed on ${board}`);
  dev.callSync("payBegin", 0n);
  const n = b.camera.width * b.camera.height;
  let s = 12345;
  for (let f = 0; f < 3; f++) {
    const px = dev.u8(dev.callSync("frameBuffer"), n);
    for (let i = 0; i < n; i++) px[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
    dev.callSync("onFrame", b.camera.width, b.camera.height, b.camera.width, BigInt(f * 100));
  }
  for (let t = 0; t < 1000; t += 20) {
    const a = new Int16Array(dev.memory.buffer, dev.callSync("audioBuffer"), 320);
    for (let i = 0; i < 320; i++) a[i] = ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 20) - 2048;
    dev.callSync("onAudio", 320, BigInt(300 + t));
  }
  dev.callSync("stateSave");
  const peak = dev.memory.buffer.byteLength / 65536;
  return { initial_pages: initial, peak_pages: peak, cap_pages: b.maxMemoryPages, peak_bytes: peak * 65536 };
}
