// WAV reading for the host: RIFF/WAVE PCM 8/16/24/32-bit and IEEE float32/64 (also WAVE_FORMAT_EXTENSIBLE),
// any rate from 8 to 48 kHz, mono or multi-channel → 16 kHz mono int16 (what the firmware's front end takes).
// Channel mix-down and sample conversion match the firmware's parser (assembly/voice/wav.ts); other rates are
// resampled with a windowed-sinc (Hann, 16 zero crossings) low-pass interpolator.
import { readFileSync } from "node:fs";

export const TARGET_RATE = 16000;

export class WavError extends Error {
  constructor(message: string, public readonly kind: "format" | "truncated" | "unsupported") { super(message); }
}

export interface WavInfo {
  rate: number;
  channels: number;
  bits: number;
  float: boolean;
  frames: number;
}

export interface Pcm16 {
  samples: Int16Array;   // mono, 16 kHz
  rate: number;          // always 16000
  info: WavInfo;         // the source format
}

function tag(b: Buffer, o: number, s: string): boolean { return b.toString("latin1", o, o + 4) === s; }

/** Parses a WAV file's bytes into mono float samples (int16 scale) at its own rate. */
export function decodeWav(b: Buffer): { mono: Float64Array; info: WavInfo } {
  if (b.length < 12) {
    if (b.length >= 4 && tag(b, 0, "RIFF")) throw new WavError("WAV header truncated", "truncated");
    throw new WavError("not a WAV file (no RIFF/WAVE header)", "format");
  }
  if (!tag(b, 0, "RIFF") || !tag(b, 8, "WAVE")) throw new WavError("not a WAV file (no RIFF/WAVE header)", "format");
  let off = 12;
  let fmt: { tag: number; ch: number; rate: number; bits: number } | null = null;
  let dataOff = -1, dataLen = 0;
  while (off + 8 <= b.length) {
    const len = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (tag(b, off, "fmt ")) {
      if (body + 16 > b.length) throw new WavError("fmt chunk truncated", "truncated");
      let t = b.readUInt16LE(body);
      if (t === 0xfffe && len >= 40 && body + 26 <= b.length) t = b.readUInt16LE(body + 24);
      fmt = { tag: t, ch: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    } else if (tag(b, off, "data")) {
      dataOff = body; dataLen = len;
      if (body + len > b.length) {
        throw new WavError(`data chunk declares ${len} bytes, file has ${b.length - body}`, "truncated");
      }
      break;
    }
    off = body + len + (len & 1);
  }
  if (!fmt) throw off + 8 > b.length ? new WavError("no fmt chunk (file truncated)", "truncated") : new WavError("no fmt chunk", "format");
  if (dataOff < 0) throw new WavError("no data chunk (file truncated?)", "truncated");
  const { ch, rate, bits } = fmt;
  const isFloat = fmt.tag === 3;
  if (fmt.tag !== 1 && fmt.tag !== 3) throw new WavError(`unsupported WAV encoding ${fmt.tag} (PCM or float only)`, "unsupported");
  if (ch < 1 || ch > 8) throw new WavError(`unsupported channel count ${ch}`, "unsupported");
  if (!isFloat && ![8, 16, 24, 32].includes(bits)) throw new WavError(`unsupported PCM width ${bits}`, "unsupported");
  if (isFloat && bits !== 32 && bits !== 64) throw new WavError(`unsupported float width ${bits}`, "unsupported");
  if (rate < 8000 || rate > 48000) throw new WavError(`sample rate ${rate} Hz outside 8000..48000`, "unsupported");
  const bps = bits >> 3, align = bps * ch;
  const n = Math.floor(dataLen / align);
  const mono = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let c = 0; c < ch; c++) {
      const p = dataOff + i * align + c * bps;
      let v: number;
      if (isFloat) v = (bits === 32 ? b.readFloatLE(p) : b.readDoubleLE(p)) * 32768;
      else if (bits === 8) v = (b[p] - 128) * 256;
      else if (bits === 16) v = b.readInt16LE(p);
      else if (bits === 24) v = b.readIntLE(p, 3) >> 8;      // keep the top 16 bits (floor), as the firmware
      else v = b.readInt32LE(p) / 65536;
      acc += v;
    }
    mono[i] = acc / ch;
  }
  return { mono, info: { rate, channels: ch, bits, float: isFloat, frames: n } };
}

function clip16(v: number): number { const r = Math.round(v); return r > 32767 ? 32767 : r < -32768 ? -32768 : r; }

/** Windowed-sinc resampling of mono float samples from `from` Hz to `to` Hz. */
export function resample(x: Float64Array, from: number, to: number): Float64Array {
  if (from === to) return x;
  const ratio = to / from;
  const n = Math.floor(x.length * ratio);
  const out = new Float64Array(n);
  const fc = Math.min(1, ratio) * 0.95;            // cutoff relative to the input Nyquist
  const zc = 16;                                    // zero crossings each side
  const half = Math.ceil(zc / fc);
  for (let i = 0; i < n; i++) {
    const t = i / ratio;                            // position in input samples
    const c = Math.floor(t);
    let acc = 0, wsum = 0;
    for (let k = c - half + 1; k <= c + half; k++) {
      if (k < 0 || k >= x.length) continue;
      const d = t - k;
      const a = d * fc;
      const s = a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a);
      const w = 0.5 + 0.5 * Math.cos(Math.PI * d / (half + 1));
      const h = fc * s * w;
      acc += x[k] * h; wsum += h;
    }
    out[i] = wsum !== 0 ? acc / wsum : 0;
  }
  return out;
}

/** Converts WAV bytes to 16 kHz mono int16. Throws WavError with a clear message on bad input. */
export function wavToPcm16(bytes: Buffer): Pcm16 {
  const { mono, info } = decodeWav(bytes);
  const y = resample(mono, info.rate, TARGET_RATE);
  const samples = new Int16Array(y.length);
  for (let i = 0; i < y.length; i++) samples[i] = clip16(y[i]);
  return { samples, rate: TARGET_RATE, info };
}

/** Reads a WAV file from disk (see wavToPcm16); the message names the file. */
export function readWav(path: string): Pcm16 {
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (e: any) { throw new WavError(`${path}: ${e.code === "ENOENT" ? "no such file" : e.message}`, "format"); }
  try { return wavToPcm16(bytes); } catch (e: any) {
    if (e instanceof WavError) throw new WavError(`${path}: ${e.message}`, e.kind);
    throw e;
  }
}

/** Encodes int16 mono (or interleaved) samples as a WAV file (PCM 8/16/24/32 or float32). */
export function encodeWav(samples: ArrayLike<number>, rate: number, opts: { bits?: number; float?: boolean; channels?: number } = {}): Buffer {
  const bits = opts.bits ?? 16, ch = opts.channels ?? 1, isFloat = !!opts.float;
  const bps = bits >> 3;
  const data = Buffer.alloc(samples.length * bps);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];                           // int16 scale
    const p = i * bps;
    if (isFloat) data.writeFloatLE(v / 32768, p);
    else if (bits === 8) data[p] = Math.max(0, Math.min(255, Math.round(v / 256) + 128));
    else if (bits === 16) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v))), p);
    else if (bits === 24) data.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(v * 256))), p, 3);
    else data.writeInt32LE(Math.max(-2147483648, Math.min(2147483647, Math.round(v * 65536))), p);
  }
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "latin1"); h.writeUInt32LE(36 + data.length, 4); h.write("WAVE", 8, "latin1");
  h.write("fmt ", 12, "latin1"); h.writeUInt32LE(16, 16); h.writeUInt16LE(isFloat ? 3 : 1, 20);
  h.writeUInt16LE(ch, 22); h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * bps * ch, 28);
  h.writeUInt16LE(bps * ch, 32); h.writeUInt16LE(bits, 34);
  h.write("data", 36, "latin1"); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** The parts one after another, as one PCM buffer (a silence is `new Int16Array(n)`). */
export function concatPcm(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
