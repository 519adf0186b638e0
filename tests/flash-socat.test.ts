// Flashing the dev-kit emulator over a socat pty pair, with the faults a bench sees: a pulled cable
// mid-upload, a corrupted image, a self-test that fails, an image for another board, a test image left
// unconfirmed; at 115200 and 921600 baud. Real firmware builds; every check reads the kit's own flash.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { flashImage, readImages, type Step } from "../host/flash/flash.ts";
import { parseImage } from "../host/flash/image.ts";
import { GROUP, OS_CMD } from "../host/serial/smp.ts";
import { devKey, failingModule, image, kitOnCable, session, type Bench } from "./flash-fixtures.ts";

const key = devKey();
const v1 = image(key, "1.0.0"), v2 = image(key, "1.1.0");
const hash = (b: Buffer) => parseImage(b).hash!.toString("hex");
const benches: Bench[] = [];
after(async () => { for (const b of benches) await b.close(); });

async function kit(baud = 115200) { const b = await kitOnCable({ key, factory: v1, baud }); benches.push(b); return b; }
function opts(steps: Step[], confirm = true, onProgress: (p: { sent: number; total: number }) => void = () => {}) {
  return { confirm, bootWaitMs: 20_000, onStep: (s: Step) => steps.push(s), onProgress };
}

describe("flash over socat ptys", () => {
  for (const baud of [115200, 921600]) {
    test(`flash, test, reset, confirm at ${baud} baud`, { timeout: 60_000 }, async () => {
      const b = await kit(baud);
      const s = await session(b, baud);
      try {
        const steps: Step[] = [];
        const r = await flashImage(s, v2, opts(steps));
        assert.equal(r.hash, hash(v2));
        const images = await readImages(s);
        assert.deepEqual(Object.keys(images[0]).sort(), ["active", "bootable", "confirmed", "hash", "image", "pending", "permanent", "slot", "version"]);
        assert.deepEqual(images.map((i) => [i.slot, i.version, i.hash, i.active, i.confirmed]), [[0, "1.1.0", hash(v2), true, true], [1, "1.0.0", hash(v1), false, false]]);
        // The confirmed image survives a further reset.
        await s.client.write(GROUP.OS, OS_CMD.RESET, {});
        await new Promise((r) => setTimeout(r, 150));
        await s.waitForKit(20_000);
        assert.equal((await readImages(s))[0].hash, hash(v2));
        assert.ok(b.kitLog.some((l) => /app: running/.test(l)));
      } finally { await s.close(); }
    });
  }

  test("cable pulled mid-upload (socat killed): the upload resumes from the kit's offset to a correct image", { timeout: 60_000 }, async () => {
    const b = await kit(921600);
    const s = await session(b, 921600);
    try {
      const steps: Step[] = [];
      let pulled = false;
      await flashImage(s, v2, opts(steps, true, (p) => { if (!pulled && p.sent > p.total * 0.4) { pulled = true; void b.restartCable(); } }));
      assert.ok(pulled);
      const resume = steps.find((x) => x.step === "resume");
      assert.ok(resume && (resume.from as number) > v2.length * 0.3, `resumed from ${JSON.stringify(resume)}`);
      assert.ok((steps.find((x) => x.step === "upload")!.reconnects as number) >= 1);
      assert.ok(b.kitLog.some((l) => /port closed/.test(l)));
      const [s0] = await readImages(s);
      assert.deepEqual([s0.hash, s0.active, s0.confirmed], [hash(v2), true, true]);
      assert.equal(hash(b.kit.store.slot(0)!), hash(v2));
    } finally { await s.close(); }
  });

  test("a flipped byte is refused at boot and the old image keeps running", { timeout: 60_000 }, async () => {
    const b = await kit();
    const s = await session(b);
    try {
      const bad = Buffer.from(v2); bad[1000] ^= 0x01;
      await assert.rejects(flashImage(s, bad, opts([])), /did not keep the new image[\s\S]*corrupted/);
      const images = await readImages(s);
      const active = images.find((i) => i.active)!;
      assert.deepEqual([active.slot, active.hash, active.confirmed], [0, hash(v1), true]);
      assert.ok(b.kit.running);
    } finally { await s.close(); }
  });

  test("an image whose self-test fails rolls back after the reset", { timeout: 60_000 }, async () => {
    const b = await kit();
    const s = await session(b);
    try {
      const failing = image(key, "1.2.0", "desktop", failingModule());
      await assert.rejects(flashImage(s, failing, opts([])), /did not keep the new image[\s\S]*self-test FAILED/);
      const log = b.kitLog.join("\n");
      assert.match(log, /swapped to slot 1 image 1\.2\.0/);
      assert.match(log, /reverted to the previous image/);
      const active = (await readImages(s)).find((i) => i.active)!;
      assert.deepEqual([active.version, active.confirmed], ["1.0.0", true]);
    } finally { await s.close(); }
  });

  test("an image built for another board is refused before the upload starts", { timeout: 60_000 }, async () => {
    const b = await kit();
    const s = await session(b);
    try {
      const other = image(key, "1.1.0", "linux-soc");
      const steps: Step[] = [];
      await assert.rejects(flashImage(s, other, opts(steps)), /image is for board 'linux-soc' but the kit .* is 'desktop': not uploading/);
      assert.ok(!steps.some((x) => x.step === "upload"));
      assert.equal(b.kit.store.upload(), null);
      assert.ok(!existsSync(path.join(b.kit.store.dir, "slot1.part")));
    } finally { await s.close(); }
  });

  test("--no-confirm leaves the image in test; the next reset reverts it", { timeout: 60_000 }, async () => {
    const b = await kit();
    const s = await session(b);
    try {
      const r = await flashImage(s, v2, opts([], false));
      assert.equal(r.confirmed, false);
      let images = await readImages(s);
      assert.deepEqual(images.map((i) => [i.slot, i.version, i.active, i.confirmed]), [[0, "1.1.0", true, false], [1, "1.0.0", false, true]]);
      // The image to revert to is not overwritten by another upload meanwhile.
      await assert.rejects(flashImage(s, image(key, "1.3.0"), opts([])), /IMG_MGMT_ERR_NO_FREE_SLOT/);
      await s.client.write(GROUP.OS, OS_CMD.RESET, {});
      await new Promise((r) => setTimeout(r, 150));
      await s.waitForKit(20_000);
      images = await readImages(s);
      assert.deepEqual(images.find((i) => i.active)!.version, "1.0.0");
    } finally { await s.close(); }
  });
});
