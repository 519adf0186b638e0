// host/mic WAV reader: 8–48 kHz, 8/16/24/32-bit PCM and float32, mono/stereo → 16 kHz mono int16;
// truncated and non-WAV input fail with a clear message. The firmware's own parser (command face,
// assembly/voice/wav.ts) reads the same 16 kHz variants to the same samples.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { wavToPcm16, encodeWav, readWav, decodeWav, WavError } from "../host/mic/wav.ts";

function tone(rate: number, seconds: number, f = 440, amp = 12000, phase = 0): number[] {
  const n = Math.round(rate * seconds);
  return Array.from({ length: n }, (_, i) => amp * Math.sin(2 * Math.PI * f * i / rate + phase));
}
function rms(a: ArrayLike<number>, from = 0, to = a.length) { let s = 0; for (let i = from; i < to; i++) s += a[i] * a[i]; return Math.sqrt(s / (to - from)); }

describe("voice WAV reader", () => {
  const ref = tone(16000, 0.5);
  for (const rate of [8000, 11025, 16000, 22050, 32000, 44100, 48000]) {
    for (const fmt of [{ bits: 8 }, { bits: 16 }, { bits: 24 }, { bits: 32 }, { bits: 32, float: true }]) {
      test(`${rate} Hz ${fmt.float ? "float" : "PCM"} ${fmt.bits}-bit mono → 16 kHz`, () => {
        const src = tone(rate, 0.5);
        const out = wavToPcm16(encodeWav(src, rate, fmt));
        assert.equal(out.rate, 16000);
        assert.equal(out.info.rate, rate);
        assert.ok(Math.abs(out.samples.length - 8000) <= 1, `length ${out.samples.length}`);
        // away from the edges the resampled tone matches the 16 kHz tone
        let err = 0;
        for (let i = 400; i < 7600; i++) err += (out.samples[i] - ref[i]) ** 2;
        const rel = Math.sqrt(err / 7200) / rms(ref);
        const limit = fmt.bits === 8 ? 0.03 : 0.01;
        assert.ok(rel < limit, `relative error ${rel.toFixed(4)}`);
      });
    }
  }

  test("stereo is mixed down to mono (the mean of the channels)", () => {
    const l = tone(16000, 0.2, 440, 10000), r = tone(16000, 0.2, 440, 10000, Math.PI);   // cancel out
    const inter: number[] = [];
    for (let i = 0; i < l.length; i++) inter.push(l[i] + 2000, r[i] + 2000);
    const out = wavToPcm16(encodeWav(inter, 16000, { bits: 16, channels: 2 }));
    assert.equal(out.info.channels, 2);
    assert.equal(out.samples.length, l.length);
    for (let i = 0; i < out.samples.length; i++) assert.ok(Math.abs(out.samples[i] - 2000) <= 1);
  });

  test("24-bit keeps the top 16 bits exactly at 16 kHz", () => {
    const vals = [0, 1, -1, 32767, -32768, 12345.5, -0.25];
    const out = wavToPcm16(encodeWav(vals, 16000, { bits: 24 }));
    assert.deepEqual(Array.from(out.samples), vals.map((x) => Math.floor(Math.round(x * 256) / 256)));
  });

  test("truncated files fail with a clear message", () => {
    const good = encodeWav(tone(16000, 0.1), 16000);
    assert.throws(() => wavToPcm16(good.subarray(0, 100)), (e: any) => e instanceof WavError && e.kind === "truncated" && /data chunk declares 3200 bytes, file has 56/.test(e.message));
    assert.throws(() => wavToPcm16(good.subarray(0, 30)), (e: any) => e instanceof WavError && e.kind === "truncated" && /fmt chunk truncated/.test(e.message));
    assert.throws(() => wavToPcm16(good.subarray(0, 8)), (e: any) => e instanceof WavError && /truncated/.test(e.message));
    assert.throws(() => wavToPcm16(good.subarray(0, 36)), (e: any) => e instanceof WavError && /no data chunk/.test(e.message));
  });

  test("non-WAV input and unsupported encodings fail clearly", () => {
    assert.throws(() => wavToPcm16(Buffer.from("hello, this is not audio at all")), /not a WAV file/);
    assert.throws(() => wavToPcm16(Buffer.from("fLaC\0\0\0\x22abcdefgh")), /not a WAV file/);
    const w = encodeWav(tone(16000, 0.1), 16000);
    w.writeUInt16LE(85, 20);   // MPEG
    assert.throws(() => wavToPcm16(w), /unsupported WAV encoding 85/);
    const w2 = encodeWav(tone(96000, 0.1), 96000);
    assert.throws(() => wavToPcm16(w2), /96000 Hz outside 8000\.\.48000/);
  });

  test("readWav names the file; missing files are reported", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "voice-wav-"));
    try {
      const p = path.join(dir, "x.wav");
      writeFileSync(p, "RIFF\x10\0\0\0WAVEfmt ");
      assert.throws(() => readWav(p), (e: any) => e.message.startsWith(p + ": ") && /truncated/.test(e.message));
      assert.throws(() => readWav(path.join(dir, "missing.wav")), /no such file/);
      writeFileSync(p, encodeWav(tone(8000, 0.25), 8000));
      assert.equal(readWav(p).samples.length, 4000);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test("WAVE_FORMAT_EXTENSIBLE float is understood", () => {
    const src = tone(16000, 0.05);
    const plain = encodeWav(src, 16000, { bits: 32, float: true });
    // rebuild with a 40-byte extensible fmt chunk
    const fmt = Buffer.alloc(48);
    fmt.write("fmt ", 0, "latin1"); fmt.writeUInt32LE(40, 4);
    plain.copy(fmt, 8, 20, 36); fmt.writeUInt16LE(0xfffe, 8); fmt.writeUInt16LE(22, 24); fmt.writeUInt16LE(32, 26);
    fmt.writeUInt32LE(4, 28); fmt.writeUInt16LE(3, 32);
    const data = plain.subarray(36);
    const hdr = Buffer.from("RIFF\0\0\0\0WAVE", "latin1");
    const file = Buffer.concat([hdr, fmt, data]);
    file.writeUInt32LE(file.length - 8, 4);
    const { info } = decodeWav(file);
    assert.equal(info.float, true);
    assert.deepEqual(Array.from(wavToPcm16(file).samples), Array.from(wavToPcm16(plain).samples));
  });
});
