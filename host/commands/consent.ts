// Host side of spoken-code consent: `glasses consent` (the firmware's matcher on recordings), `glasses enroll`
// from a folder of the owner's recordings (DIR/<word>/*.wav), and the helpers tests, the bench and a simulated
// wearer share (building an answer from word clips). The host never decides: it feeds audio into the
// firmware's consent exports (assembly/voice/consent.ts via exports.ts) and prints what they return.
import { readdirSync, readFileSync, statSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync } from "node:fs";
import path from "node:path";
import { openDevice, type Device, type EngineName } from "../engine/index.ts";
import { readWav } from "../mic/wav.ts";
import { parseOptions, UsageError, type GlobalFlags } from "../args.ts";
import { KEYWORD_CLASSES } from "../generated/abi.ts";

const RATE = 16000;
const CHUNK = 3200;                          // 200 ms per feed, like a mic driver's buffer
export const OUTCOMES = ["pending", "accepted", "wrong_code", "refused", "voice_mismatch", "no_profile"];

export interface HeardWord { word: string; t_ms: number; score: number }
/** speaker_model: which of the profile's owner models the speaker check used ("noise" on noisy speech). */
export interface ConsentResult { consent: boolean; reason: string; heard: HeardWord[]; speaker_score: number; threshold: number; speaker_model: "quiet" | "noise" }

/** The firmware's consent matcher on one device (node or wasmtime). */
export class ConsentEngine {
  private audioPtr = 0;
  private vocab: string[] = [];
  private codeLength = 3;
  constructor(readonly dev: Device) {}

  static async open(opts: { board?: string; engine?: EngineName; wasm?: string } = {}): Promise<ConsentEngine> {
    const e = new ConsentEngine(await openDevice({ board: opts.board, engine: opts.engine, wasm: opts.wasm, target: "test" }));
    e.audioPtr = await e.dev.call("voiceAudioBuffer");
    const n = await e.dev.call("voiceCodeVocabSize");
    for (let i = 0; i < n; i++) e.vocab.push(KEYWORD_CLASSES[await e.dev.call("voiceCodeWordClass", i)]);
    e.codeLength = await e.dev.call("voiceCodeLength");
    return e;
  }
  async close(): Promise<void> { await this.dev.close(); }

  /** The code vocabulary, in the firmware's order (index = code-word number). */
  vocabulary(): string[] { return this.vocab.slice(); }
  get length(): number { return this.codeLength; }
  /** Every code, as code-word indices, in order (first word slowest): vocabulary().length ** length of them. */
  allCodes(): number[][] {
    const V = this.vocab.length, L = this.codeLength;
    return Array.from({ length: V ** L }, (_, k) => Array.from({ length: L }, (_, i) => Math.floor(k / V ** (L - 1 - i)) % V));
  }

  /** Code words → indices; throws a UsageError naming the vocabulary for a word outside it. */
  codeIndices(words: string[]): number[] {
    if (words.length !== this.codeLength) throw new UsageError(`a code is ${this.codeLength} words of: ${this.vocab.join(" ")}`);
    return words.map((w) => {
      const i = this.vocab.indexOf(w);
      if (i < 0) throw new UsageError(`'${w}' is not a code word; the vocabulary is: ${this.vocab.join(" ")}`);
      return i;
    });
  }

  private async write(s: Int16Array): Promise<void> {
    await this.dev.write(this.audioPtr, new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
  }

  /** The last enrol()'s fuel on the wasmtime engine (NaN on others): each clip's voiceEnrolAdd, then voiceEnrolFinish. */
  enrolFuel: number[] = [];

  /** Enrols from word-tagged clips (word = code-word index, or -1 for yes/no/stop and others). */
  async enrol(clips: { samples: Int16Array; word: number }[], threshold?: number): Promise<Uint8Array> {
    await this.dev.call("voiceEnrolBegin");
    this.enrolFuel = [];
    for (const c of clips) {
      const s = c.samples.subarray(0, 32000);
      await this.write(s);
      const st = await this.dev.call("voiceEnrolAdd", s.length, c.word);
      if (st !== 0) throw new Error(`enrolment clip rejected (status ${st}: shorter than 200 ms, or more than 32 clips)`);
      this.enrolFuel.push(this.dev.lastFuel() ?? NaN);
    }
    // the default threshold comes from the firmware (NaN does not cross every engine's JSON bridge)
    const n = await this.dev.call("voiceEnrolFinish", threshold ?? await this.dev.call("voiceConsentDefaultThreshold"));
    this.enrolFuel.push(this.dev.lastFuel() ?? NaN);
    if (n === -71) throw new UsageError(`enrolment needs at least one clip of every code word (${this.vocab.join(", ")})`);
    if (n < 0) throw new Error(`enrolment failed with status ${-n} (at least 3 clips are needed)`);
    return await this.dev.read(await this.dev.call("voiceProfileBuffer"), n);
  }

  /**
   * Runs one prompt: the code (indices), the owner profile, the mic audio. Feeds in CHUNK pieces and stops
   * at the firmware's decision; at the end of the audio the window closes (flush).
   */
  async prompt(code: number[], profile: Uint8Array, samples: Int16Array): Promise<ConsentResult & { outcome: string; decided_ms: number }> {
    await this.dev.write(await this.dev.call("voiceProfileBuffer"), profile);
    let r = await this.dev.call("voiceConsentBegin", code[0], code[1], code[2], profile.length, 0n);
    let at = 0;
    for (; r === 0 && at < samples.length; at += CHUNK) {
      const part = samples.subarray(at, Math.min(samples.length, at + CHUNK));
      await this.write(part);
      r = await this.dev.call("voiceConsentFeed", part.length, BigInt(Math.round(at * 1000 / RATE)));
      if (r < 0) throw new Error(`voiceConsentFeed failed with status ${-r}`);
    }
    if (r === 0) r = await this.dev.call("voiceConsentFlush");
    const n = await this.dev.call("voiceConsentResult");
    const json = JSON.parse(Buffer.from(await this.dev.read(await this.dev.call("voiceConsentResultPtr"), n)).toString("utf8"));
    if (json.reason === "pending") json.reason = "timeout";
    return { ...json, outcome: OUTCOMES[r] ?? String(r), decided_ms: Math.round(Math.min(at, samples.length) * 1000 / RATE) };
  }

  /** An open-ended prompt (a live stream): begin, then feedStream() chunks. */
  async beginStream(code: number[], profile: Uint8Array): Promise<void> {
    await this.dev.write(await this.dev.call("voiceProfileBuffer"), profile);
    await this.dev.call("voiceConsentBegin", code[0], code[1], code[2], profile.length, 0n);
  }
  /** Feeds audio; returns the outcome name at the first decision (the rest of the chunk is dropped). */
  async feedStream(samples: Int16Array): Promise<string> {
    for (let at = 0; at < samples.length; at += CHUNK) {
      const part = samples.subarray(at, Math.min(samples.length, at + CHUNK));
      await this.write(part);
      const r = await this.dev.call("voiceConsentFeed", part.length, 0n);
      if (r < 0) throw new Error(`voiceConsentFeed failed with status ${-r}`);
      if (r !== 0) return OUTCOMES[r];
    }
    return "pending";
  }
  /** Whether the prompt is deciding: its utterance has ended and the next hops run the alignment and speaker check. */
  async deciding(): Promise<boolean> { return (await this.dev.call("voiceConsentDeciding")) === 1; }
  /** Feeds one hop and returns the wasmtime fuel it took (wasmtime engine only). */
  async feedHopFuel(hop: Int16Array): Promise<number> {
    await this.write(hop);
    await this.dev.call("voiceConsentFeed", hop.length, 0n);
    const f = this.dev.lastFuel();
    if (f === undefined) throw new Error("fuel is measured on the wasmtime engine only");
    return f;
  }

  /**
   * Measurement aid (the test build's exports): the matcher's settings for the prompts that follow; an omitted
   * value is the firmware's default, so setTuning() restores them all. segmentGap: 0 turns the repeated-word
   * rule off; stretchOwner false keeps the rule without the test that each stretch is its word's own;
   * templateMin above 1 turns the owner's word templates off; noiseBelow 0 never uses the profile's noise
   * model, a value above consent.ts NOISE_CAP always does.
   */
  async setTuning(t: { wordMin?: number; margin?: number; refuse?: number; segmentGap?: number; stretchOwner?: boolean; templateMin?: number;
    templateMargin?: number; noiseBelow?: number } = {}): Promise<void> {
    await this.dev.call("voiceConsentSetTuning", t.wordMin ?? NaN, t.margin ?? NaN, t.refuse ?? NaN, t.segmentGap ?? -1, t.stretchOwner === false ? 0 : 1);
    await this.dev.call("voiceConsentSetTemplateTuning", t.templateMin ?? NaN, t.templateMargin ?? NaN);
    await this.dev.call("voiceConsentSetNoiseBelow", t.noiseBelow ?? NaN);
  }

  /** The last prompt's audio against another code and owner (firmware consentRescore); null when that answer cannot depend on them. */
  async rescore(code: number[], profile: Uint8Array): Promise<string | null> {
    await this.dev.write(await this.dev.call("voiceProfileBuffer"), profile);
    const r = await this.dev.call("voiceConsentRescore", code[0], code[1], code[2], profile.length);
    return r < 0 ? null : OUTCOMES[r];
  }

  /** The last decision's speaker score, unrounded (test build): what the firmware compared with the threshold. */
  async speakerScore(): Promise<number> { return this.dev.call("voiceConsentSpeakerScore"); }
  /** The threshold the last decision held that score to, unrounded (test build; it follows the prompt's noise). */
  async threshold(): Promise<number> { return this.dev.call("voiceConsentThreshold"); }
  /** The last speaker check's speech energy over the noise floor (test build; nats): what chose the owner model. */
  async speechOverNoise(): Promise<number> { return this.dev.call("voiceConsentSpeechOverNoise"); }

  /** The result JSON of the last decision (after prompt() or rescore()). */
  async lastResult(): Promise<ConsentResult> {
    const n = await this.dev.call("voiceConsentResult");
    return JSON.parse(Buffer.from(await this.dev.read(await this.dev.call("voiceConsentResultPtr"), n)).toString("utf8"));
  }
}

// ------------------------------------------------------------------ answers from word clips

/** The speech part of a clip: frames within 35 dB of the loudest 20 ms frame, plus 60 ms either side. */
export function trimSpeech(s: Int16Array): Int16Array {
  const F = 320;
  const e: number[] = [];
  for (let i = 0; i + F <= s.length; i += F) { let a = 0; for (let j = i; j < i + F; j++) a += s[j] * s[j]; e.push(a / F); }
  if (e.length === 0) return s;
  const top = Math.max(...e), floor = top * 10 ** -3.5;
  let a = e.findIndex((v) => v >= floor), b = e.length - 1;
  while (b > a && e[b] < floor) b--;
  const lo = Math.max(0, a * F - 960), hi = Math.min(s.length, (b + 1) * F + 960);
  return s.subarray(lo, hi);
}

/** An answer as the measurement protocol speaks it: lead silence, the words ~gap apart, tail silence. */
export function composeAnswer(words: Int16Array[], opts: { leadMs?: number; gapMs?: number; tailMs?: number } = {}): Int16Array {
  const ms = (v: number) => Math.round(v * RATE / 1000);
  const lead = ms(opts.leadMs ?? 300), gap = ms(opts.gapMs ?? 150), tail = ms(opts.tailMs ?? 1200);
  const parts = words.map(trimSpeech);
  const n = lead + parts.reduce((a, p) => a + p.length, 0) + gap * Math.max(0, parts.length - 1) + tail;
  const out = new Int16Array(n);
  let at = lead;
  parts.forEach((p, i) => { out.set(p, at); at += p.length + (i < parts.length - 1 ? gap : 0); });
  return out;
}

/** Mixes noise into speech at snrDb (speech power over its non-silent samples); noise loops. */
export function mixAt(speech: Int16Array, noise: Int16Array, snrDb: number, offset = 0): Int16Array {
  let ps = 0, ns = 0, cnt = 0;
  for (const v of speech) if (v !== 0) { ps += v * v; cnt++; }
  ps /= Math.max(1, cnt);
  for (let i = 0; i < speech.length; i++) { const v = noise[(offset + i) % noise.length]; ns += v * v; }
  ns /= Math.max(1, speech.length);
  const g = ns > 0 ? Math.sqrt(ps / (ns * 10 ** (snrDb / 10))) : 0;
  const out = new Int16Array(speech.length);
  for (let i = 0; i < speech.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(speech[i] + g * noise[(offset + i) % noise.length])));
  return out;
}

/** A person's recordings: DIR/<word>/*.wav (sorted), only the folders that name a word. */
export function readWordFolder(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let names: string[];
  try { names = readdirSync(dir).sort(); } catch (e: any) { throw new UsageError(`cannot read ${dir}: ${e.message}`); }
  for (const w of names) {
    const d = path.join(dir, w);
    if (!statSync(d).isDirectory()) continue;
    const files = readdirSync(d).filter((f) => f.toLowerCase().endsWith(".wav")).sort().map((f) => path.join(d, f));
    if (files.length) out.set(w, files);
  }
  return out;
}

function writeAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  const fd = openSync(tmp, "r");
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, file);
}

// ------------------------------------------------------------------ CLI

function engineOf(flags: GlobalFlags): { board: string; engine: EngineName } { return { board: flags.board, engine: flags.engine }; }

const CONSENT_USAGE = "usage: glasses consent --profile PROFILE --code \"up left on\" [--json] FILE… | glasses consent --vocabulary";

/** `glasses consent --profile P --code "w w w" [--json] FILE…` and `glasses consent --vocabulary` */
export async function consentCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, on, positional } = parseOptions(rest, ["--profile", "--code", "--wasm"], ["--vocabulary"]);
  const e = await ConsentEngine.open({ ...engineOf(flags), wasm: opts.wasm });
  try {
    if (on.has("vocabulary")) {
      const v = { vocabulary: e.vocabulary(), code_length: e.length, codes: e.vocabulary().length ** e.length };
      console.log(flags.json ? JSON.stringify(v) : `${v.vocabulary.join(" ")}  (codes of ${v.code_length} words: ${v.codes})`);
      return 0;
    }
    if (!opts.profile || !opts.code || positional.length === 0) throw new UsageError(CONSENT_USAGE);
    const code = e.codeIndices(opts.code.trim().split(/[\s,]+/));
    let profile: Uint8Array;
    try { profile = new Uint8Array(readFileSync(opts.profile)); } catch (err: any) { throw new UsageError(`cannot read profile ${opts.profile}: ${err.message}`); }
    let status = 0;
    for (const file of positional) {
      let pcm: Int16Array;
      try { pcm = readWav(file).samples; } catch (err: any) {
        process.stderr.write(JSON.stringify({ file, error: "audio_format", message: err.message }) + "\n");
        status = 70; continue;
      }
      const r = await e.prompt(code, profile, pcm);
      if (r.outcome === "no_profile") throw new UsageError(`${opts.profile}: not a valid voice profile (enrol with glasses enroll --out PROFILE DIR)`);
      const o = { file, consent: r.consent, reason: r.reason, heard: r.heard, speaker_score: r.speaker_score, threshold: r.threshold, speaker_model: r.speaker_model };
      if (flags.json) console.log(JSON.stringify(o));
      else console.log(`${file}: ${r.consent ? "CONSENT" : "no consent"} (${r.reason}); heard ${r.heard.map((h) => h.word).join(" ") || "nothing"}; voice ${r.speaker_score} vs ${r.threshold} (${r.speaker_model} model)`);
    }
    return status;
  } finally { await e.close(); }
}

/** `glasses enroll --out PROFILE DIR` (DIR/<word>/*.wav, every code word at least once) */
export async function enrollDirCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, positional } = parseOptions(rest, ["--out", "--threshold", "--wasm"]);
  if (!opts.out || positional.length !== 1)
    throw new UsageError("usage: glasses enroll --out PROFILE DIR   (DIR/<word>/*.wav: at least one clip of every code word; clips of other words are accepted and not used)");
  const folder = readWordFolder(positional[0]);
  const e = await ConsentEngine.open({ ...engineOf(flags), wasm: opts.wasm });
  try {
    const vocab = e.vocabulary();
    const missing = vocab.filter((w) => !folder.has(w));
    if (missing.length) throw new UsageError(`${positional[0]}: no recordings of ${missing.join(", ")} (need DIR/<word>/*.wav for every code word: ${vocab.join(", ")})`);
    const clips: { samples: Int16Array; word: number }[] = [];
    for (const [w, files] of folder) for (const f of files) clips.push({ samples: readWav(f).samples, word: vocab.indexOf(w) });
    if (clips.length > 32) throw new UsageError(`${clips.length} clips: at most 32`);
    const prof = await e.enrol(clips, opts.threshold !== undefined ? Number(opts.threshold) : undefined);
    writeAtomic(opts.out, prof);
    const o = { profile: opts.out, bytes: prof.length, clips: clips.length, words: [...folder.keys()] };
    console.log(flags.json ? JSON.stringify(o) : `wrote ${opts.out} (${prof.length} bytes, ${clips.length} clips of ${o.words.join(", ")})`);
  } finally { await e.close(); }
  return 0;
}
