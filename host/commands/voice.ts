// Host side of the voice engine: `glasses listen`, `glasses enroll`, `glasses verify-voice`.
// The host reads WAVs (any rate/width/channels → 16 kHz mono int16, host/mic/wav.ts) and drives the
// firmware's voice exports (assembly/voice/exports.ts) through the engine's Device interface, so the same
// code runs on node and wasmtime.
import { writeFileSync, readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { openDevice, type Device, type EngineName } from "../engine/index.ts";
import { readWav } from "../mic/wav.ts";
import { captureArecord } from "../mic/capture.ts";
import { parseOptions, UsageError, type GlobalFlags } from "../args.ts";
import { sharedPath } from "../shared.ts";
import { AUDIO_HOP_SAMPLES, KEYWORD_CLASSES } from "../generated/abi.ts";

export const CLASSES: readonly string[] = KEYWORD_CLASSES;
const HOP = AUDIO_HOP_SAMPLES;

export interface KeywordEvent { keyword: string; t_ms: number; score: number }
export interface ListenResult {
  file: string;
  keyword: string;
  score: number;
  scores: Record<string, number>;
  events: KeywordEvent[];
}
export interface VerifyResult { file: string; score: number; accept: boolean }

const r4 = (v: number) => Math.round(v * 10000) / 10000;

/** A thin typed wrapper over the voice exports of one device. */
export class VoiceEngine {
  private audioPtr = 0;
  private audioMax = 0;
  constructor(readonly dev: Device) {}

  static async open(opts: { board?: string; engine?: EngineName; wasm?: string } = {}): Promise<VoiceEngine> {
    const dev = await openDevice({ board: opts.board, engine: opts.engine, wasm: opts.wasm, target: "test" });
    const v = new VoiceEngine(dev);
    await v.init();
    return v;
  }

  async init(): Promise<void> {
    this.audioPtr = await this.dev.call("voiceAudioBuffer");
    this.audioMax = 32000;
  }

  async close(): Promise<void> { await this.dev.close(); }

  private async writeAudio(s: Int16Array): Promise<void> {
    await this.dev.write(this.audioPtr, new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
  }

  async f32s(ptr: number, n: number): Promise<Float32Array> {
    const b = await this.dev.read(ptr, n * 4);
    return new Float32Array(b.buffer, b.byteOffset, n).slice();
  }

  /** Streams a clip through the keyword spotter. */
  async listen(samples: Int16Array, opts: { threshold?: number; stride?: number; onHop?: (hop: number) => Promise<void> } = {}):
    Promise<Omit<ListenResult, "file">> {
    // every run sets the detector's parameters: the device keeps them between calls
    await this.dev.call("voiceSetThreshold", opts.threshold ?? await this.dev.call("voiceDefaultThreshold"));
    await this.dev.call("voiceSetStride", opts.stride ?? 2);
    await this.dev.call("voiceBegin", samples.length);
    const chunk = opts.onHop ? HOP : this.audioMax;
    for (let i = 0; i < samples.length; i += chunk) {
      const part = samples.subarray(i, Math.min(samples.length, i + chunk));
      await this.writeAudio(part);
      const st = await this.dev.call("voiceFeed", part.length);
      if (st < 0) throw new Error(`voiceFeed failed with status ${-st}`);
      if (opts.onHop) await opts.onHop(i / HOP);
    }
    const cls = await this.dev.call("voiceFinish");
    const sc = await this.f32s(await this.dev.call("voiceScores"), CLASSES.length);
    const scores: Record<string, number> = {};
    CLASSES.forEach((c, i) => (scores[c] = r4(sc[i])));
    const events: KeywordEvent[] = [];
    const n = await this.dev.call("voiceEventCount");
    for (let e = 0; e < n; e++) {
      const c = await this.dev.call("voiceEventClass", e);
      events.push({ keyword: CLASSES[c], t_ms: await this.dev.call("voiceEventTimeMs", e), score: r4(await this.dev.call("voiceEventScore", e)) });
    }
    return { keyword: CLASSES[cls], score: r4(sc[cls]), scores, events };
  }

  /**
   * Enrols 3–32 utterances of one text (a measurement aid for text-dependent speaker tests: the device
   * and `glasses enroll` require every code word, host/commands/consent.ts); returns the profile bytes.
   */
  async enrol(utterances: Int16Array[], threshold?: number): Promise<Uint8Array> {
    if (utterances.length < 3 || utterances.length > 32) throw new UsageError("enrolment needs 3 to 32 clips");
    await this.dev.call("voiceEnrolBegin");
    for (const u of utterances) {
      const s = u.subarray(0, this.audioMax);
      await this.writeAudio(s);
      const st = await this.dev.call("voiceEnrolAdd", s.length, -1);
      if (st !== 0) throw new Error(`enrolment utterance rejected (status ${st}: too short?)`);
    }
    const n = await this.dev.call("voiceEnrolFinishAnyWords", threshold ?? NaN);
    if (n < 0) throw new Error(`enrolment failed with status ${-n}`);
    return await this.dev.read(await this.dev.call("voiceProfileBuffer"), n);
  }

  /** Scores one utterance against a profile. */
  async verify(profile: Uint8Array, samples: Int16Array): Promise<{ score: number; accept: boolean }> {
    await this.dev.write(await this.dev.call("voiceProfileBuffer"), profile);
    const s = samples.subarray(0, this.audioMax);
    await this.writeAudio(s);
    const r = await this.dev.call("voiceVerify", profile.length, s.length);
    if (r < 0) throw new Error(r === -71 ? "invalid voice profile (magic, version or checksum)" : `verification failed (status ${-r})`);
    return { score: r4(await this.dev.call("voiceVerifyScore")), accept: r === 1 };
  }

  /** Log-mel frames of a clip from the firmware's front end (for plots). */
  async logMel(samples: Int16Array): Promise<Float32Array[]> {
    await this.dev.call("voiceFrontendReset");
    const lmPtr = await this.dev.call("voiceLogMel");
    const frames: Float32Array[] = [];
    const hop = new Int16Array(HOP);
    for (let i = 0; i < samples.length; i += HOP) {
      hop.fill(0); hop.set(samples.subarray(i, Math.min(samples.length, i + HOP)));
      await this.writeAudio(hop);
      await this.dev.call("voiceFrontendHop");
      frames.push(await this.f32s(lmPtr, 40));
    }
    return frames;
  }
}

// ------------------------------------------------------------------ spectrogram PNG

const KW_COLORS: Record<string, [number, number, number]> = {
  yes: [0, 230, 0], no: [255, 40, 40], stop: [255, 140, 0], go: [0, 200, 255], up: [255, 255, 0], down: [200, 0, 255],
  left: [255, 0, 160], right: [0, 120, 255], on: [180, 255, 180], off: [160, 160, 160],
};

/** Writes a log-mel spectrogram with the detections marked (vertical bars) and the keyword posterior track. */
export function spectrogramPng(frames: Float32Array[], track: number[], events: KeywordEvent[], out: string): void {
  const fw = 8, mh = 6, nm = 40, trackH = 80;
  const W = Math.max(1, frames.length) * fw, H = nm * mh + trackH;
  const png = new PNG({ width: W, height: H });
  let lo = Infinity, hi = -Infinity;
  for (const f of frames) for (const v of f) { if (v < lo) lo = v; if (v > hi) hi = v; }
  lo = Math.max(lo, hi - 12);
  const set = (x: number, y: number, c: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const i = (y * W + x) * 4; png.data[i] = c[0]; png.data[i + 1] = c[1]; png.data[i + 2] = c[2]; png.data[i + 3] = 255;
  };
  frames.forEach((f, t) => {
    for (let m = 0; m < nm; m++) {
      const u = Math.max(0, Math.min(1, (f[m] - lo) / (hi - lo || 1)));
      const c: [number, number, number] = [Math.round(255 * Math.min(1, u * 1.6)), Math.round(255 * Math.max(0, u * 1.6 - 0.6)), Math.round(120 * (1 - u))];
      for (let dx = 0; dx < fw; dx++) for (let dy = 0; dy < mh; dy++) set(t * fw + dx, (nm - 1 - m) * mh + dy, c);
    }
  });
  for (let x = 0; x < W; x++) for (let y = nm * mh; y < H; y++) set(x, y, [20, 20, 20]);
  track.forEach((p, t) => {
    const y = nm * mh + trackH - 1 - Math.round(p * (trackH - 2));
    for (let dx = 0; dx < fw; dx++) set(t * fw + dx, y, [240, 240, 240]);
  });
  for (const e of events) {
    const x = Math.round(e.t_ms / 20) * fw;   // the event time is the end of the hop that fired
    const c = KW_COLORS[e.keyword] ?? [255, 255, 255];
    for (let y = 0; y < H; y++) for (let dx = -1; dx <= 1; dx++) if (y % 6 < 4 || y >= nm * mh) set(x + dx, y, c);
  }
  writeFileSync(out, PNG.sync.write(png));
}

// ------------------------------------------------------------------ CLI commands

function engineOf(flags: GlobalFlags): { board: string; engine: EngineName } { return { board: flags.board, engine: flags.engine }; }

/** `glasses listen [--json] [--threshold T] [--stride N] [--plot out.png] FILE…` */
export async function listenCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, on, positional } = parseOptions(rest, ["--threshold", "--stride", "--plot", "--wasm", "--seconds", "--device"], ["--mic"]);
  if (on.has("mic")) return listenLive(opts, flags);
  if (positional.length === 0) throw new UsageError("usage: glasses listen [--json] [--threshold T] [--plot out.png] FILE… | listen --mic [--seconds N]");
  const v = await VoiceEngine.open({ ...engineOf(flags), wasm: opts.wasm });
  let code = 0;
  try {
    for (const file of positional) {
      let pcm: Int16Array;
      try { pcm = readWav(file).samples; } catch (e: any) {
        process.stderr.write(JSON.stringify({ file, error: "audio_format", message: e.message }) + "\n");
        code = 70; continue;
      }
      const threshold = opts.threshold !== undefined ? Number(opts.threshold) : undefined;
      const stride = opts.stride !== undefined ? Number(opts.stride) : undefined;
      let track: number[] = [];
      let res: Omit<ListenResult, "file">;
      if (opts.plot) {
        const smPtr = await v.dev.call("voiceSmoothed");
        res = await v.listen(pcm, { threshold, stride, onHop: async () => {
          const sm = await v.f32s(smPtr, 12);
          track.push(Math.max(...Array.from(sm.subarray(2))));
        } });
        const frames = await v.logMel(pcm.length < 16000 ? centre(pcm) : pcm);
        const shift = pcm.length < 16000 ? Math.floor((16000 - pcm.length) / 2 / HOP) : 0;
        track = new Array(shift).fill(0).concat(track);
        spectrogramPng(frames, track, res.events, opts.plot);
      } else {
        res = await v.listen(pcm, { threshold, stride });
      }
      const out: ListenResult = { file, ...res };
      if (flags.json) console.log(JSON.stringify(out));
      else {
        const ev = out.events.map((e) => `${e.keyword}@${e.t_ms}ms(${e.score.toFixed(2)})`).join(" ") || "no detections";
        console.log(`${file}: ${out.keyword} ${(out.score * 100).toFixed(1)}%  events: ${ev}`);
      }
    }
    if (opts.plot && !flags.json) console.log(`wrote ${opts.plot}`);
  } finally { await v.close(); }
  return code;
}

/** `glasses listen --mic [--seconds N] [--device D]`: live keyword events from arecord. */
async function listenLive(opts: Record<string, string>, flags: GlobalFlags): Promise<number> {
  const v = await VoiceEngine.open({ ...engineOf(flags), wasm: opts.wasm });
  const d = v.dev;
  try {
    if (opts.threshold !== undefined) await d.call("voiceSetThreshold", Number(opts.threshold));
    await d.call("voiceSetStride", opts.stride !== undefined ? Number(opts.stride) : 2);
    await d.call("voiceBegin", 0);
    const ap = await d.call("voiceAudioBuffer");
    const cap = captureArecord(async (pcm) => {
      for (let i = 0; i < pcm.length; i += 32000) {
        const part = pcm.slice(i, i + 32000);
        await d.write(ap, new Uint8Array(part.buffer));
        await d.call("voiceFeed", part.length);
      }
      const n = await d.call("voiceEventCount");
      for (let e = 0; e < n; e++) {
        const ev = { keyword: CLASSES[await d.call("voiceEventClass", e)], t_ms: await d.call("voiceEventTimeMs", e), score: r4(await d.call("voiceEventScore", e)) };
        console.log(flags.json ? JSON.stringify(ev) : `${(ev.t_ms / 1000).toFixed(2)} s  ${ev.keyword} (${ev.score.toFixed(2)})`);
      }
      await d.call("voiceEventsClear");
    }, { seconds: opts.seconds ? Number(opts.seconds) : 0, device: opts.device });
    process.once("SIGINT", () => cap.stop());
    await cap.done;
  } finally { await v.close(); }
  return 0;
}

function centre(pcm: Int16Array): Int16Array {
  const out = new Int16Array(16000);
  out.set(pcm, Math.floor((16000 - pcm.length) / 2));
  return out;
}

/** `glasses enroll --out PROFILE DIR` (DIR/<word>/*.wav): host/commands/consent.ts */
export { enrollDirCommand as enrollCommand } from "./consent.ts";

/** `glasses verify-voice --profile PROFILE [--json] FILE…` */
export async function verifyVoiceCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, positional } = parseOptions(rest, ["--profile", "--wasm"]);
  if (!opts.profile || positional.length === 0) throw new UsageError("usage: glasses verify-voice --profile PROFILE FILE…");
  const prof = new Uint8Array(readFileSync(opts.profile));
  const v = await VoiceEngine.open({ ...engineOf(flags), wasm: opts.wasm });
  try {
    for (const file of positional) {
      const r = await v.verify(prof, readWav(file).samples);
      const o: VerifyResult = { file, ...r };
      console.log(flags.json ? JSON.stringify(o) : `${file}: ${r.accept ? "accept" : "reject"} (score ${r.score})`);
    }
  } finally { await v.close(); }
  return 0;
}

// ------------------------------------------------------------------ shared by tests and the bench

/** The speech corpus beside the repo (shared/corpus/speech). */
export function speechCorpus(): string {
  return process.env.VOICE_CORPUS ?? sharedPath("corpus", "speech");
}
