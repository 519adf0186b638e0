// serialport's unix binding waits for its poller's "writable" after a partial write. Under load on socat ptys
// that event was measured to go missing (the write and all behind it then hang; CI's dev-kit payment timed out
// that way). keepWritesMoving re-arms the poll while a write waits. The poller here is a stand-in that loses
// the first request, as the native one did.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { keepWritesMoving } from "../host/serial/port.ts";

/** A poller that ignores the first poll for writable and answers later ones. */
function lossyPort() {
  const poller = Object.assign(new EventEmitter(), {
    polls: 0,
    poll(flag: number) { if (flag & 2 && ++poller.polls > 1) setImmediate(() => poller.emit("writable", null)); },
  });
  const once = poller.once.bind(poller);
  (poller as any).once = (ev: string, cb: (e: Error | null) => void) => { if (ev === "writable") poller.poll(2); return once(ev, cb); };
  const port = Object.assign(new EventEmitter(), { port: { isOpen: true, poller } });
  return { port, poller };
}

const waitWritable = (poller: EventEmitter, ms: number) => new Promise<boolean>((resolve) => {
  const t = setTimeout(() => resolve(false), ms);
  poller.once("writable", () => { clearTimeout(t); resolve(true); });
});

test("a lost 'writable' leaves a waiting write stuck without the guard", async () => {
  const { poller } = lossyPort();
  assert.equal(await waitWritable(poller, 500), false);
});

test("with keepWritesMoving a waiting write gets its 'writable' (the poll is re-armed)", async () => {
  const { port, poller } = lossyPort();
  keepWritesMoving(port as any);
  assert.equal(await waitWritable(poller, 5000), true);
  assert.ok(poller.polls >= 2);
  port.emit("close");
});
