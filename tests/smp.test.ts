// SMP messages and the console framing against outside truth: the computed vector in protocols.md §3.1
// (image-state read, v2 and legacy), the CRC-16/XMODEM check value, and Zephyr's line limits.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ConsoleDecoder, crc16xmodem, encodeConsolePacket, LINE_MAX } from "../host/serial/console-framing.ts";
import { checkResponse, decodeMap, decodeSmp, encodeCbor, encodeSmp, GROUP, IMG_CMD, OP, SmpError } from "../host/serial/smp.ts";

const line = (b64: string) => Buffer.concat([Buffer.from([0x06, 0x09]), Buffer.from(b64, "latin1"), Buffer.from([0x0a])]);

describe("SMP over the serial console", () => {
  test("CRC-16/XMODEM check value of '123456789' is 0x31C3", () => {
    assert.equal(crc16xmodem(Buffer.from("123456789")), 0x31c3);
  });

  test("image-state read, SMP v2, seq 0: body, CRC and line match protocols.md byte for byte", () => {
    const body = encodeSmp({ version: 1, op: OP.READ, group: GROUP.IMAGE, seq: 0, id: IMG_CMD.STATE }, encodeCbor({}));
    assert.equal(Buffer.from(body).toString("hex"), "0800000100010000a0");
    assert.equal(crc16xmodem(body), 0xaf01);
    assert.deepEqual(encodeConsolePacket(body), line("AAsIAAABAAEAAKCvAQ=="));
  });

  test("the legacy (Ver=0) form matches too", () => {
    const body = encodeSmp({ version: 0, op: OP.READ, group: GROUP.IMAGE, seq: 0, id: IMG_CMD.STATE }, encodeCbor({}));
    assert.deepEqual(encodeConsolePacket(body), line("AAsAAAABAAEAAKCG/g=="));
  });

  test("the vector decodes back to its header fields", () => {
    const [body] = new ConsoleDecoder().push(line("AAsIAAABAAEAAKCvAQ=="));
    const m = decodeSmp(body);
    assert.deepEqual({ v: m.version, op: m.op, len: m.length, g: m.group, seq: m.seq, id: m.id }, { v: 1, op: 0, len: 1, g: 1, seq: 0, id: 0 });
    assert.deepEqual(decodeMap(m.payload), {});
  });

  test("a long packet splits into ≤127-byte lines (06 09 first, 04 14 after) and reassembles, log text in between ignored", () => {
    const data = new Uint8Array(1500).map((_, i) => (i * 7) & 0xff);
    const body = encodeSmp({ version: 1, op: OP.WRITE, group: GROUP.IMAGE, seq: 9, id: IMG_CMD.UPLOAD }, encodeCbor({ off: 0, data }));
    const wire = encodeConsolePacket(body);
    const lines = wire.toString("latin1").split("\n").slice(0, -1);
    assert.ok(lines.length > 10);
    lines.forEach((l, i) => {
      assert.ok(l.length + 1 <= LINE_MAX, `line ${i} is ${l.length + 1} bytes`);
      assert.deepEqual([l.charCodeAt(0), l.charCodeAt(1)], i === 0 ? [6, 9] : [4, 20]);
    });
    const text: string[] = [];
    const dec = new ConsoleDecoder(() => {}, (t) => text.push(t));
    const half = wire.length >> 1;
    const got = [...dec.push(Buffer.from("boot: hello\n")), ...dec.push(wire.subarray(0, half)), ...dec.push(wire.subarray(half))];
    assert.equal(got.length, 1);
    assert.deepEqual(Buffer.from(got[0]), Buffer.from(body));
    assert.deepEqual(text, ["boot: hello"]);
    assert.deepEqual(decodeMap(decodeSmp(got[0]).payload).data, data);
  });

  test("a flipped base64 character fails the CRC and the packet is dropped with an error", () => {
    const wire = Buffer.from(encodeConsolePacket(encodeSmp({ version: 1, op: OP.READ, group: 0, seq: 1, id: 0 }, encodeCbor({ d: "hello" }))));
    wire[6] = wire[6] === 0x41 ? 0x42 : 0x41;
    const errs: string[] = [];
    assert.deepEqual(new ConsoleDecoder((e) => errs.push(e.message)).push(wire), []);
    assert.match(errs[0], /CRC|length/);
  });

  test("errors come back by name: v2 image-group rc and v1 rc", () => {
    assert.throws(() => checkResponse(1, { err: { group: 1, rc: 27 } }), (e: SmpError) => /IMG_MGMT_ERR_CURRENT_VERSION_IS_NEWER/.test(e.message));
    assert.throws(() => checkResponse(0, { rc: 8 }), /MGMT_ERR_ENOTSUP/);
    assert.deepEqual(checkResponse(1, { off: 10 }), { off: 10 });
  });
});
