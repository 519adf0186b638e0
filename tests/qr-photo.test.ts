// Photograph-like hard cases of our own (tools/qr/gen-photo.ts: screens with moiré at 12-30 px modules,
// strong perspective, blur on perspective, glare) through the desktop QR engine: a decode-rate floor per
// kind (what the engine reads today; the bench prints the peers' rates on the same frames) and no misread,
// at the generated size and as a VGA camera would deliver each frame (resized to fit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ensureKernel } from "../tools/qr/kernel.ts";
import { QrKernel } from "../host/engine/qr-kernel.ts";
import { fitToCamera } from "../host/camera/image.ts";
import { photoCases } from "../tools/qr/gen-photo.ts";

// every case of every kind: zxing-wasm reads moiré 5/5, perspective 4/4, blur-perspective 2/3 (3/3 at
// 640x480 and below), glare 2/2 on the same frames (bench/qr.json)
const FLOOR: Record<string, number> = { moire: 5, perspective: 4, "blur-perspective": 3, glare: 2 };

for (const size of ["native", "640x480"]) {
  test(`photo-like hard cases at ${size}: decode-rate floor per kind, zero misreads`, () => {
    const k = new QrKernel(ensureKernel("desktop"));
    const got: Record<string, number> = {}, total: Record<string, number> = {};
    const misreads: string[] = [];
    for (const c of photoCases()) {
      const f = size === "native" ? c.frame : fitToCamera(c.frame, 640, 480);
      const texts = k.decode(f.data, f.width, f.height).map((r) => r.text);
      total[c.kind] = (total[c.kind] ?? 0) + 1;
      if (texts.includes(c.expected[0])) got[c.kind] = (got[c.kind] ?? 0) + 1;
      else if (texts.length) misreads.push(`${c.name}: ${JSON.stringify(texts)}`);
    }
    console.log(`# ${size}: ${Object.keys(total).map((kd) => `${kd} ${got[kd] ?? 0}/${total[kd]}`).join(", ")}`);
    assert.deepEqual(misreads, []);
    for (const [kind, floor] of Object.entries(FLOOR)) assert.ok((got[kind] ?? 0) >= floor, `${kind}: ${got[kind] ?? 0} < ${floor}`);
  });
}
