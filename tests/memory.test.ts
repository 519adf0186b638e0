// Memory stays flat: thousands of frames, audio hops and payment sessions must not grow the module's
// linear memory after the first round (design.md §2: buffers allocated once, garbage collected elsewhere).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { NodeDevice, resolveWasm } from "../host/engine/index.ts";
import { deviceConfigRecord, loadBoard, REPO } from "../host/boards.ts";
import { loadImage } from "../host/camera/image.ts";
import { readWav } from "../host/mic/wav.ts";

const S_SCANNING = 1, S_CONFIRMING = 2;

test("frames, audio hops and payment sessions leave memory flat (mcu-s3)", () => {
  const board = loadBoard("mcu-s3");
  const dev = NodeDevice.open(resolveWasm({ board: "mcu-s3", target: "test" }));
  const e = dev.exports;
  dev.u8(e.secretBuffer(), 32).fill(9);
  assert.equal(e.setDeviceSecret(32), 0);
  const rec = deviceConfigRecord(board);
  dev.u8(e.configBuffer(), rec.length).set(rec);
  assert.equal(e.init(rec.length), 0);
  e.testMarkPaired();          // test build: a paired phone, and consent outcomes injected (none here)
  e.testInjectConsent(1);
  const drain = () => { while (e.nextEvent() > 0); while (e.linkTx() > 0); };

  const frame = loadImage(path.join(REPO, "assets/demo/frames/frame-08.png"));
  // The demo frame is VGA; the MCU camera is QVGA: take the centre crop the MCU would see at that distance.
  const w = board.camera.width, h = board.camera.height;
  const crop = new Uint8Array(w * h);
  const ox = (frame.width - w) >> 1, oy = (frame.height - h) >> 1;
  for (let y = 0; y < h; y++) crop.set(frame.data.subarray((oy + y) * frame.width + ox, (oy + y) * frame.width + ox + w), y * w);
  const yes = readWav(path.join(REPO, "assets/demo/audio/yes.wav")).samples;
  const payload = new TextEncoder().encode(readFileSync(path.join(REPO, "assets/demo/payload.txt"), "utf8"));
  let t = 1_800_000_000_000n;

  const round = (frames: number, hops: number, sessions: number) => {
    for (let s = 0; s < sessions; s++) {
      t += 100_000n;
      assert.equal(e.payBegin(t), 0);
      for (let f = 0; f < frames; f++) {
        dev.u8(e.frameBuffer(), crop.length).set(crop);
        e.onFrame(w, h, w, t);
        drain();
        if (e.payState() !== S_SCANNING) break;
      }
      if (e.payState() === S_SCANNING) {
        dev.u8(e.frameBuffer(), payload.length).set(payload);
        e.onQrText(payload.length, t);
      }
      assert.equal(e.payState(), S_CONFIRMING);
      for (let k = 0; k < hops; k++) {
        const off = (k * 320) % (yes.length - 320);
        dev.u8(e.audioBuffer(), 640).set(new Uint8Array(yes.buffer, yes.byteOffset + off * 2, 640));
        e.onAudio(320, t);
        t += 20n;
        e.tick(t);
        drain();
        if (e.payState() !== S_CONFIRMING) break;
      }
      t += 60_000n;
      e.tick(t);   // no wallet here: the session times out and ends
      drain();
    }
  };
  round(5, 200, 3);
  const pagesAfterWarmup = dev.memory.buffer.byteLength / 65536;
  round(20, 1000, 100);   // 2,000 frames, up to 100,000 hops, 100 sessions
  const pagesAfter = dev.memory.buffer.byteLength / 65536;
  assert.ok(pagesAfter <= board.maxMemoryPages);
  assert.equal(pagesAfter, pagesAfterWarmup, `memory grew from ${pagesAfterWarmup} to ${pagesAfter} pages`);
});
