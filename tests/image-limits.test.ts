// Image decoding limits (untrusted files): a declared size over 8,192 px per side or 40 MP is refused from
// the header, before any pixel buffer exists; PNG image data inflating beyond what the header implies (a
// zlib bomb) is refused at that cap. Each case is checked for a clear error and for bounded memory (bytes
// peak resident memory of a process that decodes the file), never for time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync, crc32 } from "node:zlib";
import { decodeImage, decodePgm, IMAGE_LIMITS } from "../host/camera/image.ts";
import { PNG } from "pngjs";

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crcOf(td));
  return Buffer.concat([len, td, crc]);
}
function crcOf(b: Buffer): number {
  if (typeof crc32 === "function") return crc32(b) >>> 0;
  let c = ~0;
  for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return ~c >>> 0;
}
function png(w: number, h: number, idat: Uint8Array, opts: { colorType?: number; interlace?: number } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = opts.colorType ?? 0; ihdr[12] = opts.interlace ?? 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))]);
}

const IMAGE_TS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../host/camera/image.ts");
const MB = 2 ** 20;
/** Peak RSS of a bare node process with the image module loaded: the baseline the bounds are added to. */
let baseline = 0;

/** Decodes the bytes in a fresh process; returns its error message and peak resident memory (bytes). */
function refused(bytes: Uint8Array, name: string, fn: "decodeImage" | "decodePgm" = "decodeImage"): { message: string; peak: number } {
  const dir = mkdtempSync(path.join(tmpdir(), "img-limits-"));
  try {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    const code = `import("${IMAGE_TS}").then((m) => { let msg = "decoded"; try { m.${fn}(require("node:fs").readFileSync(process.argv[1]), process.argv[2]); } ` +
      `catch (e) { msg = (e instanceof m.ImageError ? "ImageError: " : "other: ") + e.message; } console.log(JSON.stringify({ msg, peak: process.resourceUsage().maxRSS * 1024 })); })`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code, file, name], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    return { message: out.msg, peak: out.peak };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}
function bounded(peak: number, what: string): void {
  if (!baseline) baseline = refused(new Uint8Array([1, 2, 3]), "x.bin").peak;
  console.log(`# ${what}: peak RSS ${(peak / MB).toFixed(0)} MB (bare process ${(baseline / MB).toFixed(0)} MB)`);
  assert.ok(peak < baseline + 64 * MB, `${what}: peak RSS ${(peak / MB).toFixed(0)} MB`);
}



test("a tiny PNG declaring 30000x30000 is refused from its header", () => {
  const f = png(30000, 30000, deflateSync(Buffer.alloc(1)));
  assert.ok(f.length < 80, `${f.length} bytes`);
  const { message, peak } = refused(f, "huge.png");
  assert.match(message, /^ImageError: huge\.png: PNG declares 30000x30000 \(900\.0 MP\), over the limit of 8192 px per side and 40 MP/);
  bounded(peak, `${f.length}-byte PNG declaring 30000x30000`);
});

test("zlib bombs in PNG image data stop at the size the header implies (plain and interlaced)", () => {
  const bomb = deflateSync(Buffer.alloc(64 * MB), { level: 9 }); // 64 MiB of zeros in ~64 KiB
  for (const interlace of [0, 1]) {
    const f = png(100, 100, bomb, { interlace });
    const { message, peak } = refused(f, "bomb.png");
    assert.match(message, /^ImageError: bomb\.png: PNG image data inflates beyond the \d+ bytes its 100x100 header implies/);
    bounded(peak, `${f.length}-byte PNG (interlace ${interlace}) inflating to 64 MiB`);
  }
});

test("a tiny JPEG declaring huge dimensions is refused from its frame header", () => {
  // SOI, SOF0 (8-bit, 65000 x 65000, 1 component), EOI
  const f = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0xfd, 0xe8, 0xfd, 0xe8, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
  const { message, peak } = refused(f, "huge.jpg");
  assert.match(message, /^ImageError: huge\.jpg: JPEG declares 65000x65000 .*over the limit/);
  bounded(peak, `${f.length}-byte JPEG declaring 65000x65000`);
  // within the side limit but over 40 MP
  const g = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x1f, 0x40, 0x1f, 0x40, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
  assert.match(refused(g, "64mp.jpg").message, /8000x8000 \(64\.0 MP\)/);
});

test("PGM headers over the limit, or promising more pixels than the file holds, are refused before allocating", () => {
  const { message, peak } = refused(Buffer.from("P5\n100000 100000\n255\n\x00"), "huge.pgm");
  assert.match(message, /^ImageError: huge\.pgm: PGM declares 100000x100000/);
  bounded(peak, "PGM declaring 100000x100000");
  assert.match(refused(Buffer.from("P2\n8000 4000\n255\n1 2 3\n"), "short.pgm").message, /^ImageError: .*cannot fit/);
});

test("images at the limits still decode", () => {
  assert.deepEqual(IMAGE_LIMITS, { maxSide: 8192, maxPixels: 40_000_000 });
  const p = new PNG({ width: 8192, height: 2, colorType: 0, inputColorType: 0, bitDepth: 8 });
  p.data.fill(200);
  const f = decodeImage(PNG.sync.write(p, { colorType: 0, inputColorType: 0 }), "wide.png");
  assert.equal(f.width, 8192); assert.equal(f.data[0], 200);
  const big = decodePgm(Buffer.concat([Buffer.from("P5\n6000 6000\n255\n"), Buffer.alloc(36e6, 7)]));
  assert.equal(big.width * big.height, 36e6);
});
