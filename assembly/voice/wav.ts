// WAV parsing for the command face: RIFF/WAVE, PCM 8/16/24/32-bit or IEEE float32 (also inside
// WAVE_FORMAT_EXTENSIBLE), any channel count (mixed down to mono). The firmware's front end runs at
// 16 kHz: other rates are refused with a clear message (the host's reader, host/mic/wav.ts, resamples).
// Bad or truncated input returns an error; it never traps.
import { OK, E_AUDIO_FORMAT, E_TRUNCATED, E_FORMAT } from "../errors";

export class WavResult {
  status: i32 = OK;
  message: string = "";
  rate: i32 = 0;
  channels: i32 = 0;
  bits: i32 = 0;
  float: bool = false;
  samples: Int16Array = new Int16Array(0);
}

function tag(d: Uint8Array, o: i32, s: string): bool {
  for (let i = 0; i < 4; i++) if (<i32>d[o + i] != s.charCodeAt(i)) return false;
  return true;
}
function u16(d: Uint8Array, o: i32): i32 { return <i32>d[o] | (<i32>d[o + 1] << 8); }
function u32(d: Uint8Array, o: i32): i32 { return <i32>d[o] | (<i32>d[o + 1] << 8) | (<i32>d[o + 2] << 16) | (<i32>d[o + 3] << 24); }

function err(r: WavResult, code: i32, msg: string): WavResult { r.status = code; r.message = msg; return r; }

export function parseWav(d: Uint8Array, requireRate: i32 = 16000): WavResult {
  const r = new WavResult();
  if (d.length < 12) return err(r, d.length >= 4 && tag(d, 0, "RIFF") ? E_TRUNCATED : E_FORMAT,
    d.length >= 4 && tag(d, 0, "RIFF") ? "WAV header truncated" : "not a WAV file (no RIFF/WAVE header)");
  if (!tag(d, 0, "RIFF") || !tag(d, 8, "WAVE")) return err(r, E_FORMAT, "not a WAV file (no RIFF/WAVE header)");
  let off = 12;
  let fmtFound = false;
  let fmtTag = 0, ch = 0, rate = 0, bits = 0, align = 0;
  let dataOff = -1, dataLen = 0;
  while (off + 8 <= d.length) {
    const len = u32(d, off + 4);
    if (len < 0) return err(r, E_FORMAT, "bad chunk length");
    const body = off + 8;
    if (tag(d, off, "fmt ")) {
      if (body + 16 > d.length) return err(r, E_TRUNCATED, "fmt chunk truncated");
      fmtTag = u16(d, body); ch = u16(d, body + 2); rate = u32(d, body + 4);
      align = u16(d, body + 12); bits = u16(d, body + 14);
      if (fmtTag == 0xfffe && len >= 40 && body + 26 <= d.length) fmtTag = u16(d, body + 24);
      fmtFound = true;
    } else if (tag(d, off, "data")) {
      dataOff = body;
      dataLen = len;
      if (body + len > d.length) return err(r, E_TRUNCATED, "data chunk declares " + len.toString() + " bytes, file has " + (d.length - body).toString());
      break;
    }
    off = body + len + (len & 1);
  }
  if (!fmtFound) return off + 8 > d.length ? err(r, E_TRUNCATED, "no fmt chunk (file truncated)") : err(r, E_FORMAT, "no fmt chunk");
  if (dataOff < 0) return err(r, E_TRUNCATED, "no data chunk (file truncated?)");
  r.rate = rate; r.channels = ch; r.bits = bits; r.float = fmtTag == 3;
  if (fmtTag != 1 && fmtTag != 3) return err(r, E_AUDIO_FORMAT, "unsupported WAV encoding " + fmtTag.toString() + " (PCM or float32 only)");
  if (ch < 1 || ch > 8) return err(r, E_AUDIO_FORMAT, "unsupported channel count " + ch.toString());
  if (fmtTag == 1 && bits != 8 && bits != 16 && bits != 24 && bits != 32) return err(r, E_AUDIO_FORMAT, "unsupported PCM width " + bits.toString());
  if (fmtTag == 3 && bits != 32) return err(r, E_AUDIO_FORMAT, "unsupported float width " + bits.toString());
  const bps = bits >> 3;
  if (align != bps * ch) align = bps * ch;
  if (requireRate > 0 && rate != requireRate)
    return err(r, E_AUDIO_FORMAT, "sample rate " + rate.toString() + " Hz; the firmware needs 16000 Hz (the host's `glasses listen` resamples)");
  const n = dataLen / align;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let acc: f64 = 0;
    for (let c = 0; c < ch; c++) {
      const p = dataOff + i * align + c * bps;
      let v: f64;
      if (fmtTag == 3) v = <f64>reinterpret<f32>(u32(d, p)) * 32768.0;
      else if (bits == 8) v = <f64>((<i32>d[p] - 128) << 8);
      else if (bits == 16) v = <f64>(<i16>u16(d, p));
      else if (bits == 24) v = <f64>(((<i32>d[p] << 8) | (<i32>d[p + 1] << 16) | (<i32>d[p + 2] << 24)) >> 16);
      else v = <f64>u32(d, p) / 65536.0;
      acc += v;
    }
    let m = Math.round(acc / <f64>ch);
    if (m > 32767) m = 32767;
    if (m < -32768) m = -32768;
    out[i] = <i16>m;
  }
  r.samples = out;
  return r;
}
