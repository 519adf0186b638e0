// The kit's device-face session ends when the host goes quiet, and only then: a call the firmware takes long
// over (enrolment on a loaded machine) is not silence. Idle is measured from the kit's last answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DeviceFaceServer, DF_CMD } from "../host/devkit/device-face-server.ts";
import { resolveWasm } from "../host/engine/index.ts";
import { encodeCbor, GROUP, OP, type SmpMessage } from "../host/serial/smp.ts";

const msg = (id: number, op: number, req: Record<string, string>): SmpMessage => {
  const payload = encodeCbor(req);
  return { version: 1, op, flags: 0, length: payload.length, group: GROUP.DEVICE_FACE, seq: 0, id, payload };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a call longer than the idle limit keeps the session; silence after the answer ends it", async () => {
  const wasm = resolveWasm({ board: "desktop" });
  const lines: string[] = [];
  const face = new DeviceFaceServer({ board: "desktop", app: () => wasm, secret: new Uint8Array(32).fill(7), idleMs: 150, log: (l) => lines.push(l) });
  await face.handle(msg(DF_CMD.OPEN, OP.WRITE, {}));
  // Stand-in for a slow firmware call: the device answers after three idle limits.
  const dev = (face as any).dev;
  const call = dev.call.bind(dev);
  dev.call = async (...a: any[]) => { await sleep(450); return call(...a); };
  await face.handle(msg(DF_CMD.CALL, OP.WRITE, { f: "frameBufferBytes" }));
  assert.ok(face.active, `session ended during a call: ${lines.join("; ")}`);
  await face.handle(msg(DF_CMD.CALL, OP.WRITE, { f: "frameBufferBytes" }));
  await sleep(400);
  assert.equal(face.active, false);
  assert.match(lines.join("\n"), /no request from the host for 150 ms/);
  await assert.rejects(face.handle(msg(DF_CMD.CALL, OP.WRITE, { f: "frameBufferBytes" })), /no device-face session/);
});
