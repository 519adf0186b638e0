// The client and the kit through serialport's own MockBinding (no pty): the kit's SMP server sits behind the
// mock port, bytes the host writes go to it and its answers come back as port data.
import { test, describe, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { SerialPortMock } from "serialport";
import { openPort, PortError } from "../host/serial/port.ts";
import { SmpClient, NoAnswerError } from "../host/serial/smp-client.ts";
import { ConsoleDecoder } from "../host/serial/console-framing.ts";
import { decodeMap, decodeSmp, GROUP, IMG_CMD, OP, OS_CMD } from "../host/serial/smp.ts";
import { KitSession } from "../host/flash/session.ts";
import { flashImage, readImages } from "../host/flash/flash.ts";
import { Kit } from "../host/devkit/kit.ts";
import { devKey, image, tmp } from "./flash-fixtures.ts";
import path from "node:path";

const PATH = "/dev/GLASSESKIT";

/** Puts a Kit behind the mock port: host writes reach the kit, the kit's writes arrive as port data. */
async function kitBehindMock(key: ReturnType<typeof devKey>, factory: Buffer) {
  SerialPortMock.binding.createPort(PATH, { record: true });
  const kitSide = Object.assign(new EventEmitter(), {
    isOpen: true,
    write(b: Uint8Array) { mocks.forEach((m) => m.port?.emitData(Buffer.from(b))); return true; },
    close(cb?: () => void) { cb?.(); },
  });
  const mocks: SerialPortMock[] = [];
  const kit = new Kit({ board: "desktop", dataDir: path.join(tmp("mockkit"), "flash"), trusted: key, port: kitSide as any, baud: 921600, log: () => {} });
  kit.store.writeSlot(0, factory);
  await kit.start();
  const portClass = class extends SerialPortMock {
    constructor(o: any) {
      super(o);
      mocks.push(this);
      this.on("open", () => {
        const binding = this.port!;
        const write = binding.write.bind(binding);
        binding.write = async (buf: Buffer) => { await write(buf); kitSide.emit("data", Buffer.from(buf)); };
      });
    }
  };
  return { kit, portClass: portClass as unknown as typeof SerialPortMock, mocks };
}

describe("through serialport's MockBinding", () => {
  beforeEach(() => SerialPortMock.binding.reset());

  test("no such port, port busy and no answer are named errors", { timeout: 60_000 }, async () => {
    await assert.rejects(openPort("/dev/glasses-no-such-tty", 115200), (e: Error) => e instanceof PortError && /no such port/.test(e.message));
    await assert.rejects(openPort("/dev/NOPE", 115200, SerialPortMock), /no such port/);
    SerialPortMock.binding.createPort(PATH);
    const a = await openPort(PATH, 115200, SerialPortMock);
    await assert.rejects(openPort(PATH, 115200, SerialPortMock), /busy/);
    const c = new SmpClient(a, PATH);
    await assert.rejects(c.write(GROUP.OS, OS_CMD.ECHO, { d: "x" }, 300), (e: Error) => e instanceof NoAnswerError && /within 300 ms/.test(e.message));
    c.detach();
    await new Promise<void>((r) => a.close(() => r()));
  });

  test("flash a real firmware image end to end; the first image-state read on the wire is the protocols.md vector's header", { timeout: 60_000 }, async () => {
    const key = devKey();
    const { kit, portClass, mocks } = await kitBehindMock(key, image(key, "1.0.0"));
    const s = await KitSession.open({ port: PATH, baud: 921600, timeoutMs: 3000, reconnectMs: 0, portClass });
    try {
      const steps: string[] = [];
      const r = await flashImage(s, image(key, "1.1.0"), { confirm: true, bootWaitMs: 20_000, onStep: (x) => steps.push(x.step), onProgress: () => {} });
      assert.equal(r.confirmed, true);
      assert.deepEqual(steps, ["kit", "state", "upload", "hash-check", "test", "reset", "running", "confirm", "done"]);
      const [s0] = await readImages(s);
      assert.deepEqual([s0.slot, s0.version, s0.active, s0.confirmed], [0, "1.1.0", true, true]);
      assert.equal(kit.boots, 2);
      // What the host wrote, decoded by an independent pass over the recording.
      const sent = new ConsoleDecoder().push(mocks[0].port!.recording).map(decodeSmp);
      const stateRead = sent.find((m) => m.group === GROUP.IMAGE && m.id === IMG_CMD.STATE && m.op === OP.READ)!;
      assert.deepEqual([stateRead.version, stateRead.length, [...stateRead.payload]], [1, 1, [0xa0]]);
      assert.ok(sent.filter((m) => m.id === IMG_CMD.UPLOAD && m.group === GROUP.IMAGE).length > 100);
    } finally { await s.close(); await kit.stop(); }
  });

  test("SMP errors come back by name: an older version is refused before it is written", { timeout: 60_000 }, async () => {
    const key = devKey();
    const { kit, portClass } = await kitBehindMock(key, image(key, "2.0.0"));
    const s = await KitSession.open({ port: PATH, baud: 921600, timeoutMs: 3000, reconnectMs: 0, portClass });
    try {
      await assert.rejects(flashImage(s, image(key, "1.0.0"), { confirm: true, bootWaitMs: 5000, onStep: () => {}, onProgress: () => {} }),
        /IMG_MGMT_ERR_CURRENT_VERSION_IS_NEWER: 1\.0\.0 is older than the running 2\.0\.0/);
      await assert.rejects(flashImage(s, image(key, "2.0.0", "desktop", Buffer.from("\0asm other build")), { confirm: true, bootWaitMs: 5000, onStep: () => {}, onProgress: () => {} }),
        /IMG_MGMT_ERR_CURRENT_VERSION_IS_NEWER: 2\.0\.0 is not newer than the running 2\.0\.0 \(upgrade only\)/);
      await assert.rejects(s.client.write(GROUP.IMAGE, IMG_CMD.UPLOAD, { off: 0, len: 64, data: new Uint8Array(64) }), /IMG_MGMT_ERR_INVALID_IMAGE_HEADER_MAGIC/);
      await assert.rejects(s.client.write(9, 0, {}), /MGMT_ERR_ENOTSUP/);
      assert.equal(kit.store.upload(), null);
    } finally { await s.close(); await kit.stop(); }
  });

  test("the kit answers the protocols.md vector lines as sent, v2 and legacy, in the request's version", { timeout: 60_000 }, async () => {
    const key = devKey();
    const { kit, portClass } = await kitBehindMock(key, image(key, "1.0.0"));
    const port = await openPort(PATH, 115200, portClass);
    try {
      for (const [b64, version] of [["AAsIAAABAAEAAKCvAQ==", 1], ["AAsAAAABAAEAAKCG/g==", 0]] as const) {
        const dec = new ConsoleDecoder();
        const got = new Promise<Uint8Array>((resolve) => { const on = (b: Buffer) => { const [body] = dec.push(b); if (body) { port.off("data", on); resolve(body); } }; port.on("data", on); });
        port.write(Buffer.concat([Buffer.from([0x06, 0x09]), Buffer.from(b64), Buffer.from([0x0a])]));
        const m = decodeSmp(await got);
        assert.deepEqual([m.version, m.op, m.group, m.seq, m.id], [version, OP.READ_RSP, GROUP.IMAGE, 0, IMG_CMD.STATE]);
        const { images } = decodeMap(m.payload);
        assert.deepEqual(images.map((i: any) => [i.slot, i.version, i.active, i.confirmed]), [[0, "1.0.0", true, true]]);
      }
    } finally { await new Promise<void>((r) => port.close(() => r())); await kit.stop(); }
  });
});
