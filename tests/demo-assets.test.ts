// The shipped demo sample (assets/demo, made by tools/demo/make-assets.ts): the payload is a valid EMV MPM string
// (CRC recomputed here independently), the camera frames decode with jsQR to exactly that payload once the wearer
// is close, the tampered frame decodes to a payload whose CRC fails, the no-code frame decodes to nothing, the
// audio clips are 16 kHz mono int16 WAVs matching their manifest, and the generator reproduces the frames
// byte for byte.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import jsqrModule from "jsqr";
import { hasShared, sharedPath } from "../host/shared.ts";
// jsqr is CommonJS; its typings disagree across module settings, so take the callable either way
type Pt = { x: number; y: number };
type JsQR = (data: Uint8ClampedArray, width: number, height: number) =>
  { data: string; location: { topLeftCorner: Pt; topRightCorner: Pt; bottomRightCorner: Pt; bottomLeftCorner: Pt } } | null;
const jsQR: JsQR = (jsqrModule as any).default ?? jsqrModule;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEMO = path.join(REPO, "assets", "demo");
const W = 640, H = 480;

/** CRC-16/CCITT-FALSE, bit by bit (poly 0x1021, init 0xFFFF), 4 upper-case hex digits. */
function crc16(s: string): string {
  let c = 0xffff;
  for (const b of Buffer.from(s, "utf8")) {
    for (let i = 7; i >= 0; i--) {
      const top = ((c >> 15) ^ (b >> i)) & 1;
      c = (c << 1) & 0xffff;
      if (top) c ^= 0x1021;
    }
  }
  return c.toString(16).toUpperCase().padStart(4, "0");
}

/** Top-level EMV TLV walk; throws on a malformed string. */
function tlvs(s: string): Map<string, string> {
  const m = new Map<string, string>();
  let i = 0;
  while (i < s.length) {
    assert.ok(i + 4 <= s.length, `truncated TLV header at ${i}`);
    const tag = s.slice(i, i + 2), len = Number(s.slice(i + 2, i + 4));
    assert.match(s.slice(i, i + 4), /^\d{4}$/, `bad TLV header at ${i}`);
    assert.ok(i + 4 + len <= s.length, `tag ${tag} overruns`);
    assert.ok(!m.has(tag), `duplicate tag ${tag}`);
    m.set(tag, s.slice(i + 4, i + 4 + len));
    i += 4 + len;
  }
  return m;
}
const crcOk = (p: string) => /^[0-9A-F]{4}$/.test(p.slice(-4)) && p.slice(-8, -4) === "6304" && crc16(p.slice(0, -4)) === p.slice(-4);

function readFrame(file: string): { gray: Uint8Array; rgba: Uint8ClampedArray } {
  const buf = readFileSync(file);
  // IHDR: width, height, bit depth 8, colour type 0 (grayscale)
  assert.equal(buf.readUInt32BE(16), W, `${file} width`);
  assert.equal(buf.readUInt32BE(20), H, `${file} height`);
  assert.equal(buf[24], 8, `${file} bit depth`);
  assert.equal(buf[25], 0, `${file} is not a grayscale PNG`);
  const p = PNG.sync.read(buf);
  const gray = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) gray[i] = p.data[4 * i];
  return { gray, rgba: new Uint8ClampedArray(p.data) };
}
const pngs = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".png")).sort();
const decode = (file: string) => jsQR(readFrame(file).rgba, W, H);

const payload = readFileSync(path.join(DEMO, "payload.txt"), "utf8");

describe("payload", () => {
  test("CRC-16/CCITT-FALSE reference check value", () => assert.equal(crc16("123456789"), "29B1"));

  test("payload.txt is a valid EMV MPM payload for Luckin Coffee, HKD 25.00, with a matching CRC", () => {
    assert.equal(payload, payload.trim(), "no stray whitespace or newline");
    const t = tlvs(payload);
    assert.equal(t.get("00"), "01");
    assert.equal(t.get("01"), "12");
    assert.equal(t.get("52"), "5814");
    assert.equal(t.get("53"), "344");
    assert.equal(t.get("54"), "25.00");
    assert.equal(t.get("58"), "HK");
    assert.equal(t.get("59"), "Luckin Coffee");
    assert.equal(t.get("60"), "Hong Kong");
    assert.ok([...t.keys()].some((k) => Number(k) >= 2 && Number(k) <= 51), "a merchant account information tag");
    assert.equal([...t.keys()].at(0), "00", "payload format indicator first");
    assert.equal([...t.keys()].at(-1), "63", "CRC last");
    assert.equal(t.get("63")!.length, 4);
    assert.ok(crcOk(payload), `CRC ${payload.slice(-4)} vs computed ${crc16(payload.slice(0, -4))}`);
  });
});

describe("frames", () => {
  const dir = path.join(DEMO, "frames");
  const files = pngs(dir);
  const meta = JSON.parse(readFileSync(path.join(dir, "frames.json"), "utf8"));

  test("8-12 grayscale 640x480 frames of a scene (not a flat code on white)", () => {
    assert.ok(files.length >= 8 && files.length <= 12, `${files.length} frames`);
    assert.deepEqual(meta.frames.map((f: any) => f.file), files);
    assert.equal(meta.payload, payload);
    for (const f of files) {
      const { gray } = readFrame(path.join(dir, f));
      const levels = new Set(gray).size;
      assert.ok(levels > 64, `${f}: only ${levels} gray levels (no shading/noise?)`);
    }
  });

  test("the wearer approaches: modules grow from sub-pixel to >= 2.5 px", () => {
    const m = meta.frames.map((f: any) => f.modulePx);
    for (let i = 1; i < m.length; i++) assert.ok(m[i] > m[i - 1], `module size not increasing at ${i}`);
    assert.ok(m[0] < 1.5, "first frame is far");
    assert.ok(m.at(-1) >= 2.5 && m.at(-2) >= 2.5 && m.at(-3) >= 2.5, "the last frames are close");
  });

  test("jsQR decodes the close frames to exactly payload.txt, and never to anything else", () => {
    const read: string[] = [];
    files.forEach((f, i) => {
      const r = decode(path.join(dir, f));
      if (r) {
        assert.equal(r.data, payload, `${f} decoded to something else`);
        read.push(f);
      }
      assert.equal(!!r, meta.frames[i].jsqr, `${f}: frames.json/README claim jsqr=${meta.frames[i].jsqr}`);
    });
    console.log(`# jsQR decodes ${read.length} of ${files.length} frames: ${read.join(", ")}`);
    for (const f of files.slice(-3)) assert.ok(read.includes(f), `close frame ${f} not decoded`);
    assert.ok(!read.includes(files[0]), "the farthest frame should be too small to read");
    // the code occupies only part of the close frame (it is a sign in a scene)
    const loc = decode(path.join(dir, files.at(-1)!))!.location;
    const q = [loc.topLeftCorner, loc.topRightCorner, loc.bottomRightCorner, loc.bottomLeftCorner];
    let area = 0;
    for (let i = 0; i < 4; i++) area += q[i].x * q[(i + 1) % 4].y - q[(i + 1) % 4].x * q[i].y;
    assert.ok(Math.abs(area) / 2 < 0.4 * W * H, "QR fills most of the frame");
  });

  test("tampered frame: decodes, amount changed, CRC no longer matches", () => {
    const tf = pngs(path.join(DEMO, "frames-tampered"));
    assert.equal(tf.length, 1);
    const r = decode(path.join(DEMO, "frames-tampered", tf[0]));
    assert.ok(r, "tampered frame should decode (the QR is fine, the payload is not)");
    const p = r.data;
    assert.notEqual(p, payload);
    assert.equal(p.length, payload.length);
    const t = tlvs(p), good = tlvs(payload);
    assert.notEqual(t.get("54"), good.get("54"), "amount altered");
    for (const [k, v] of good) if (k !== "54") assert.equal(t.get(k), v, `tag ${k} unchanged`);
    assert.equal(p.slice(-4), payload.slice(-4), "CRC field left as it was");
    assert.ok(!crcOk(p), "the CRC check must reject the tampered payload");
    console.log(`# tampered: amount ${t.get("54")}, CRC field ${p.slice(-4)}, computed ${crc16(p.slice(0, -4))}`);
  });

  test("no-code frame: jsQR finds nothing", () => {
    const nf = pngs(path.join(DEMO, "frames-nocode"));
    assert.equal(nf.length, 1);
    assert.equal(decode(path.join(DEMO, "frames-nocode", nf[0])), null);
  });
});

describe("audio", () => {
  const dir = path.join(DEMO, "audio");
  const manifest: { file: string; label: string; speaker: string; source: string; sha1?: string }[] =
    JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const by = Object.fromEntries(manifest.map((m) => [m.file, m]));

  function wav(file: string) {
    const b = readFileSync(file);
    assert.equal(b.toString("ascii", 0, 4), "RIFF");
    assert.equal(b.toString("ascii", 8, 12), "WAVE");
    assert.equal(b.readUInt32LE(4), b.length - 8, "RIFF size");
    let off = 12, fmt: Buffer | null = null, data: Buffer | null = null;
    while (off + 8 <= b.length) {
      const id = b.toString("ascii", off, off + 4), len = b.readUInt32LE(off + 4);
      if (id === "fmt ") fmt = b.subarray(off + 8, off + 8 + len);
      if (id === "data") data = b.subarray(off + 8, off + 8 + len);
      off += 8 + len + (len & 1);
    }
    assert.ok(fmt && data, "fmt and data chunks");
    return { tag: fmt.readUInt16LE(0), channels: fmt.readUInt16LE(2), rate: fmt.readUInt32LE(4), byteRate: fmt.readUInt32LE(8),
      align: fmt.readUInt16LE(12), bits: fmt.readUInt16LE(14), data, bytes: b };
  }

  test("the files, labels and speakers of the manifest", () => {
    const wavs = readdirSync(dir).filter((f) => f.endsWith(".wav")).sort();
    assert.deepEqual(manifest.map((m) => m.file).sort(), wavs);
    const want: Record<string, string> = { "enroll-1.wav": "yes", "enroll-2.wav": "yes", "enroll-3.wav": "yes",
      "yes.wav": "yes", "no.wav": "no", "impostor-yes.wav": "yes" };
    for (const [f, label] of Object.entries(want)) assert.equal(by[f]?.label, label, f);
    const owner = by["enroll-1.wav"].speaker;
    for (const f of ["enroll-2.wav", "enroll-3.wav", "yes.wav"]) assert.equal(by[f].speaker, owner, `${f} is the owner`);
    assert.notEqual(by["impostor-yes.wav"].speaker, owner, "impostor is another speaker");
    for (const m of manifest) {
      assert.match(m.speaker, /^[0-9a-f]{8}$/);
      assert.ok(m.source.includes(`/${m.label}/${m.speaker}_nohash_`), `${m.file}: source ${m.source} disagrees with label/speaker`);
    }
    const sources = new Set(manifest.map((m) => m.source));
    assert.equal(sources.size, manifest.length, "every clip is a different recording");
  });

  test("every clip is a 16 kHz mono int16 PCM WAV, about 1 s, clearly audible, distinct", () => {
    const hashes = new Set<string>();
    for (const m of manifest) {
      const w = wav(path.join(dir, m.file));
      assert.equal(w.tag, 1, `${m.file} PCM`);
      assert.equal(w.channels, 1, `${m.file} mono`);
      assert.equal(w.rate, 16000, `${m.file} 16 kHz`);
      assert.equal(w.bits, 16, `${m.file} int16`);
      assert.equal(w.align, 2);
      assert.equal(w.byteRate, 32000);
      const n = w.data.length / 2;
      assert.ok(n >= 8000 && n <= 24000, `${m.file}: ${n} samples`);
      let ss = 0;
      for (let i = 0; i < n; i++) ss += w.data.readInt16LE(2 * i) ** 2;
      const dbfs = 10 * Math.log10(ss / n / 32768 ** 2);
      assert.ok(dbfs > -35, `${m.file}: RMS ${dbfs.toFixed(1)} dBFS is too quiet`);
      const h = createHash("sha1").update(w.bytes).digest("hex");
      if (m.sha1) assert.equal(h, m.sha1, `${m.file} sha1`);
      assert.ok(!hashes.has(h), `${m.file} duplicates another clip`);
      hashes.add(h);
    }
  });

  const corpus = [process.env.SPEECH_CORPUS, hasShared("corpus", "speech") ? sharedPath("corpus", "speech") : undefined]
    .find((c) => c && existsSync(c));
  test("byte-identical to the corpus originals", { skip: corpus ? false : "speech corpus not present" }, () => {
    for (const m of manifest) assert.ok(readFileSync(path.join(dir, m.file)).equals(readFileSync(path.join(corpus!, m.source))), m.file);
  });
});

describe("reproducible", () => {
  test("the generator, run into a temp dir, gives byte-identical frames and payload", () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "demo-assets-"));
    try {
      const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO, "tools/demo/make-assets.ts"), "--out", tmp, "--only", "frames"],
        { cwd: REPO, encoding: "utf8", timeout: 180_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(readFileSync(path.join(tmp, "payload.txt")).equals(readFileSync(path.join(DEMO, "payload.txt"))), "payload.txt");
      let n = 0;
      for (const sub of ["frames", "frames-tampered", "frames-nocode"]) {
        const mine = readdirSync(path.join(DEMO, sub)).sort(), fresh = readdirSync(path.join(tmp, sub)).sort();
        assert.deepEqual(fresh, mine, `${sub}: file list`);
        for (const f of mine) {
          assert.ok(readFileSync(path.join(tmp, sub, f)).equals(readFileSync(path.join(DEMO, sub, f))), `${sub}/${f} differs`);
          n++;
        }
      }
      console.log(`# regenerated ${n} files byte-identical`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("the simulated wearer (assets/demo/enroll, assets/demo/wearer)", () => {
  const corpus = hasShared("corpus", "speech");
  test("is what tools/demo/make-wearer.ts writes: the speaker its rule picks, every clip byte-identical to the corpus", { skip: corpus ? false : "speech corpus not present" }, () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO, "tools/demo/make-wearer.ts"), "--check"], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
  });
  test("one speaker; the manifests' SHA-1s hold; the wearer's takes are other takes of the enrolled words", () => {
    const enroll = JSON.parse(readFileSync(path.join(DEMO, "enroll", "manifest.json"), "utf8"));
    const wearer = JSON.parse(readFileSync(path.join(DEMO, "wearer", "manifest.json"), "utf8"));
    const speakers = new Set([...enroll, ...wearer].map((m: { speaker: string }) => m.speaker));
    assert.equal(speakers.size, 1);
    for (const [folder, list] of [["enroll", enroll], ["wearer", wearer]] as const)
      for (const m of list) assert.equal(createHash("sha1").update(readFileSync(path.join(DEMO, folder, m.file))).digest("hex"), m.sha1, m.file);
    // the wearer never answers with a take the owner enrolled with
    const enrolled = new Set(enroll.map((m: { original: string }) => m.original));
    for (const m of wearer) assert.ok(!enrolled.has(m.original), `${m.file} is also an enrolment take`);
    const words = (list: { word: string }[]) => new Set(list.map((m) => m.word));
    assert.deepEqual([...words(enroll)].sort(), [...words(wearer)].sort());
  });
});
