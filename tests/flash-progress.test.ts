// The upload progress bar: drawn with bytes/s and ETA on a terminal, nothing at all otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { progressBar } from "../host/flash/progress.ts";

function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => { out.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

test("on a terminal: a bar with percent, KiB/s and ETA, ending with a newline", async () => {
  const { out, stream } = fakeStream(true);
  const bar = progressBar(stream);
  bar.update(0, 4096);
  await new Promise((r) => setTimeout(r, 120));
  bar.update(2048, 4096);
  bar.update(4096, 4096);
  bar.end();
  const last = out[out.length - 2];
  assert.match(last, /^\r\[#{30}\] 100% 4\/4 KiB [\d.]+ KiB\/s ETA 0 s/);
  assert.match(out.join(""), /\[#{15}\.{15}\]  50%/);
  assert.equal(out[out.length - 1], "\n");
});

test("not a terminal: nothing is written", () => {
  const { out, stream } = fakeStream(false);
  const bar = progressBar(stream);
  bar.update(10, 100); bar.update(100, 100); bar.end();
  assert.deepEqual(out, []);
});
