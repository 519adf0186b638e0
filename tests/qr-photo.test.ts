// Photograph-like hard cases of our own (tools/qr/gen-photo.ts: screens with moiré at 12-30 px modules,
// strong perspective, blur on perspective, glare) through the desktop QR engine: a decode-rate floor per
// kind (what the engine reads today; the bench prints the peers' rates on the same frames) and no misread.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ensureKernel } from "../tools/qr/kernel.ts";
import { QrKernel } from "../host/engine/qr-kernel.ts";
import { photoCases } from "../tools/qr/gen-photo.ts";

const FLOOR: Record<string, number> = { moire: 5, perspective: 2, "blur-perspective": 1, glare: 2 };

test("photo-like hard cases: decode-rate floor per kind, zero misreads", () => {
  const k = new QrKernel(ensureKernel("desktop"));
  const got: Record<string, number> = {}, total: Record<string, number> = {};
  const misreads: string[] = [];
  for (const c of photoCases()) {
    const texts = k.decode(c.frame.data, c.frame.width, c.frame.height).map((r) => r.text);
    total[c.kind] = (total[c.kind] ?? 0) + 1;
    if (texts.includes(c.expected[0])) got[c.kind] = (got[c.kind] ?? 0) + 1;
    else if (texts.length) misreads.push(`${c.name}: ${JSON.stringify(texts)}`);
  }
  console.log(`# ${Object.keys(total).map((kd) => `${kd} ${got[kd] ?? 0}/${total[kd]}`).join(", ")}`);
  assert.deepEqual(misreads, []);
  for (const [kind, floor] of Object.entries(FLOOR)) assert.ok((got[kind] ?? 0) >= floor, `${kind}: ${got[kind] ?? 0} < ${floor}`);
});
