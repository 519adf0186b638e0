// `glasses bench voice`: the voice engine measured through the firmware itself.
//  - KWS 12-class accuracy on the speaker-disjoint validation part of the dev half of the SC test split
//    (speakers with sha1("voice-val-v1:"+speaker) % 5 < 2; never trained on);
//  - streaming false accepts per hour ("yes" and any keyword) over held-out background noise (the last 25 %
//    of each noise file, not used in training), validation-speaker _unknown_ words, and TTS words/voices
//    that were never trained on (when tools/voice/out/tts exists); false-reject rate of "yes" (and all
//    keywords) embedded in noise, at several thresholds;
//  - speaker verification EER on text-dependent trials (validation speakers repeating a word; FSDD
//    speakers repeating a digit), the accept rate of TTS voices saying the enrolled word;
//  - fuel per audio hop and per inference (wasmtime), ms per second of audio in Node, memory.
// Writes bench/voice.json (through host/bench/index.ts).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { REPO, loadBoard, listBoards } from "../boards.ts";
import { wasmtimePythonProblem } from "../engine/index.ts";
import { VoiceEngine, CLASSES, speechCorpus } from "../commands/voice.ts";
import { readWav, concatPcm } from "../mic/wav.ts";
import type { EngineName } from "../engine/types.ts";
import { AUDIO_HOP_SAMPLES } from "../generated/abi.ts";

export interface VoiceBenchOptions { json?: boolean; board?: string; engine?: string; args?: string[]; quick?: boolean; wasm?: string }

const HOP = AUDIO_HOP_SAMPLES;
export const isValSpeaker = (spk: string) => BigInt("0x" + createHash("sha1").update("voice-val-v1:" + spk).digest("hex")) % 5n < 2n;

function log(opts: VoiceBenchOptions, msg: string) { if (!opts.json) process.stderr.write(msg + "\n"); }

/** Validation clips of the test split's dev half: [{file, label, speaker, word}]. */
export function valClips(): { file: string; label: string; speaker: string; word: string }[] {
  const dir = path.join(speechCorpus(), "speech_commands_v0.02_test");
  const man = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  return man.filter((e: any) => isValSpeaker(e.speaker ?? "silence/" + e.file))
    .map((e: any) => ({ file: path.join(dir, e.file), label: e.label, speaker: e.speaker ?? "", word: e.word ?? e.label }));
}

function evalNoise(): Int16Array[] {
  const dir = path.join(speechCorpus(), "sc_background_noise");
  const man = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  return man.map((e: any) => { const s = readWav(path.join(dir, e.file)).samples; return s.slice(Math.floor(s.length * 0.75)); });
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function rms(a: Int16Array): number { let s = 0; for (const v of a) s += v * v; return Math.sqrt(s / Math.max(1, a.length)) + 1e-9; }

/** Adds noise (cycled) to x at the given SNR (dB, relative to x's RMS). */
function mix(x: Int16Array, noise: Int16Array, snrDb: number, offset = 0): Int16Array {
  const g = rms(x) / (rms(noise) * 10 ** (snrDb / 20));
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] + g * noise[(offset + i) % noise.length])));
  return out;
}

/** Streams samples through the detector; returns events [{cls, t}]. */
async function stream(v: VoiceEngine, pcm: Int16Array, threshold: number, stride: number): Promise<{ cls: number; t: number; score: number }[]> {
  const dev = v.dev;
  await dev.call("voiceSetThreshold", threshold);
  await dev.call("voiceSetStride", stride);
  await dev.call("voiceBegin", 0);
  const ap = await dev.call("voiceAudioBuffer");
  const ev: { cls: number; t: number; score: number }[] = [];
  for (let i = 0; i < pcm.length; i += 16000) {
    const part = pcm.slice(i, Math.min(pcm.length, i + 16000));
    await dev.write(ap, new Uint8Array(part.buffer));
    await dev.call("voiceFeed", part.length);
    const n = await dev.call("voiceEventCount");
    for (let e = 0; e < n; e++) ev.push({ cls: await dev.call("voiceEventClass", e), t: await dev.call("voiceEventTimeMs", e), score: await dev.call("voiceEventScore", e) });
    await dev.call("voiceEventsClear");
  }
  await dev.call("voiceFinish");
  return ev;
}

function eer(tgt: number[], imp: number[]): { eer: number; threshold: number } {
  const all = [...new Set([...tgt, ...imp])].sort((a, b) => a - b);
  let best = { d: 2, eer: 1, threshold: 0 };
  for (const t of all) {
    const frr = tgt.filter((s) => s < t).length / tgt.length, far = imp.filter((s) => s >= t).length / imp.length;
    if (Math.abs(frr - far) < best.d) best = { d: Math.abs(frr - far), eer: (frr + far) / 2, threshold: t };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/** Text-dependent trial groups: (speaker, word, files) with ≥ 4 takes; enrol 3, test the rest. */
export function speakerGroups(): { set: string; speaker: string; word: string; files: string[] }[] {
  const out: { set: string; speaker: string; word: string; files: string[] }[] = [];
  const sc = path.join(speechCorpus(), "speech_commands_v0.02_test");
  const man = JSON.parse(readFileSync(path.join(sc, "manifest.json"), "utf8"));
  const g = new Map<string, string[]>();
  for (const e of man) {
    if (!e.speaker || e.label === "_silence_" || !isValSpeaker(e.speaker)) continue;
    const k = e.speaker + "|" + (e.word ?? e.label);
    if (!g.has(k)) g.set(k, []);
    g.get(k)!.push(e.file);
  }
  for (const [k, files] of [...g.entries()].sort()) {
    if (files.length < 4) continue;
    const [speaker, word] = k.split("|");
    out.push({ set: "speech_commands", speaker, word, files: files.sort().map((f) => path.join(sc, f)) });
  }
  const fs = path.join(speechCorpus(), "fsdd");
  const fm = JSON.parse(readFileSync(path.join(fs, "manifest.json"), "utf8"));
  const fg = new Map<string, any[]>();
  for (const e of fm) { const k = e.speaker + "|" + e.label; if (!fg.has(k)) fg.set(k, []); fg.get(k)!.push(e); }
  for (const [k, es] of [...fg.entries()].sort()) {
    const [speaker, word] = k.split("|");
    out.push({ set: "fsdd", speaker, word, files: es.sort((a, b) => a.take - b.take).slice(0, 13).map((e) => path.join(fs, e.file)) });
  }
  return out;
}

export async function speakerTrials(v: VoiceEngine, groups: ReturnType<typeof speakerGroups>, spoof: Map<string, string[]>) {
  const cache = new Map<string, Int16Array>();
  const pcm = (f: string) => { if (!cache.has(f)) cache.set(f, readWav(f).samples); return cache.get(f)!; };
  const res: Record<string, { tgt: number[]; imp: number[]; acceptTgt: number; acceptImp: number; spoof: number[]; spoofAccept: number }> = {};
  for (const set of [...new Set(groups.map((g) => g.set))]) {
    const gs = groups.filter((g) => g.set === set);
    const r = { tgt: [] as number[], imp: [] as number[], acceptTgt: 0, acceptImp: 0, spoof: [] as number[], spoofAccept: 0 };
    for (const g of gs) {
      const prof = await v.enrol(g.files.slice(0, 3).map(pcm));
      for (const f of g.files.slice(3)) { const s = await v.verify(prof, pcm(f)); r.tgt.push(s.score); if (s.accept) r.acceptTgt++; }
      for (const o of gs) {
        if (o.speaker === g.speaker || o.word !== g.word) continue;
        for (const f of o.files.slice(3, 6)) { const s = await v.verify(prof, pcm(f)); r.imp.push(s.score); if (s.accept) r.acceptImp++; }
      }
      for (const f of spoof.get(g.word) ?? []) { const s = await v.verify(prof, pcm(f)); r.spoof.push(s.score); if (s.accept) r.spoofAccept++; }
    }
    res[set] = r;
  }
  return res;
}

function ttsSets(): { fa: string[]; spoof: Map<string, string[]> } | null {
  const dir = path.join(REPO, "tools", "voice", "out", "tts");
  if (!existsSync(path.join(dir, "manifest.json"))) return null;
  const man = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const fa = man.filter((e: any) => e.set === "fa").map((e: any) => path.join(dir, e.file)).filter(existsSync);
  const spoof = new Map<string, string[]>();
  for (const e of man) if (e.set === "spoof") { if (!spoof.has(e.word)) spoof.set(e.word, []); spoof.get(e.word)!.push(path.join(dir, e.file)); }
  return { fa, spoof };
}

async function fuelFigures(wasm: string | undefined, board: string) {
  if (wasmtimePythonProblem() !== null) return { note: "wasmtime unavailable: " + wasmtimePythonProblem() };
  const v = await VoiceEngine.open({ board, engine: "wasmtime", wasm });
  try {
    const d = v.dev;
    const ap = await d.call("voiceAudioBuffer");
    const clip = readWav(valClips().find((c) => c.label === "yes")!.file).samples;
    await d.call("voiceBegin", 0);
    await d.call("voiceSetStride", 50);          // the largest stride: the first 49 hops run no inference
    const hop: number[] = [];
    for (let i = 0; i + HOP <= Math.min(clip.length, 49 * HOP); i += HOP) {
      await d.write(ap, new Uint8Array(clip.slice(i, i + HOP).buffer));
      await d.call("voiceHop");
      hop.push(d.lastFuel()!);
    }
    await d.call("voiceKwsLoad"); const load = d.lastFuel()!;
    await d.call("voiceKwsRun"); const infer2 = d.lastFuel()!;
    await d.call("voiceSetStride", 2);
    const sorted = [...hop].sort((a, b) => a - b);
    const perHop = sorted[Math.floor(sorted.length / 2)];
    const perInference = infer2 + load;
    // per board: budget per hop and the smallest stride that fits it
    const boards: Record<string, unknown> = {};
    for (const b of listBoards()) {
      const budget = loadBoard(b).budgets.fuelPerAudioHop;
      if (loadBoard(b).mic.kwsStreaming) {
        const f = await streamingHopFuel(b, clip);
        boards[b] = { fuelPerAudioHop_budget: budget, streaming: true, within_budget: f <= budget, fuel_per_hop_at_that_stride: f };
        continue;
      }
      let stride: number | null = null;
      for (let s = 1; s <= 50; s++) if (perHop + perInference / s <= budget) { stride = s; break; }
      boards[b] = { fuelPerAudioHop_budget: budget, stride_hops_needed: stride, within_budget_at_stride_2: perHop + perInference / 2 <= budget,
        fuel_per_hop_at_that_stride: stride ? Math.round(perHop + perInference / stride) : null };
    }
    return { fuel_per_hop_frontend_vad: perHop, fuel_per_hop_frontend_vad_max: sorted[sorted.length - 1], fuel_per_inference: perInference,
      inference_stride_hops_default: 2, fuel_per_hop_at_stride_2: Math.round(perHop + perInference / 2), boards };
  } finally { await v.close(); }
}

/** Mean fuel per hop of a streaming board's own build (kws-stream.ts: a network row every second hop, an
 *  inference every second hop) over a one-second clip with 0.5 s of silence either side. */
async function streamingHopFuel(board: string, clip: Int16Array): Promise<number> {
  const v = await VoiceEngine.open({ board, engine: "wasmtime" });
  try {
    const d = v.dev;
    const ap = await d.call("voiceAudioBuffer");
    const pcm = concatPcm(new Int16Array(8000), clip, new Int16Array(8000));
    await d.call("voiceBegin", 0);                       // (a streaming board ignores the stride)
    let sum = 0, n = 0;
    for (let i = 0; i + HOP <= pcm.length; i += HOP, n++) {
      await d.write(ap, new Uint8Array(pcm.slice(i, i + HOP).buffer));
      await d.call("voiceHop");
      sum += d.lastFuel()!;
    }
    return Math.round(sum / n);
  } finally { await v.close(); }
}

export async function benchVoice(opts: VoiceBenchOptions = {}) {
  const board = opts.board ?? "desktop";
  const quick = opts.quick ?? (opts.args ?? []).includes("--quick");
  const thresholds = [0.6, 0.75, 0.9];
  const v = await VoiceEngine.open({ board, engine: "node", wasm: opts.wasm });
  const result: any = { suite: "voice", board, date: new Date().toISOString(), notes: [] as string[] };
  try {
    const meta = JSON.parse(readFileSync(path.join(REPO, "assembly/voice/model.ts"), "utf8").split("\n")[2].slice(3));
    result.model = { ...meta, classes: CLASSES };
    // ---- 12-class accuracy on the validation part
    let clips = valClips();
    if (quick) clips = clips.filter((_, i) => i % 6 === 0);
    const conf = CLASSES.map(() => CLASSES.map(() => 0));
    let correct = 0, audioSec = 0, ms = 0;
    for (const c of clips) {
      const pcm = readWav(c.file).samples;
      const t0 = performance.now();
      const r = await v.listen(pcm);
      ms += performance.now() - t0; audioSec += Math.max(pcm.length, 16000) / 16000;
      conf[CLASSES.indexOf(c.label)][CLASSES.indexOf(r.keyword)]++;
      if (r.keyword === c.label) correct++;
    }
    result.kws = {
      set: "speech_commands_v0.02_test dev half, speaker-disjoint validation part (never trained on)", clips: clips.length,
      speakers: new Set(clips.map((c) => c.speaker).filter(Boolean)).size,
      accuracy_12class: +(correct / clips.length).toFixed(4),
      per_class: Object.fromEntries(CLASSES.map((k, i) => [k, +(conf[i][i] / Math.max(1, conf[i].reduce((a, b) => a + b))).toFixed(3)])),
      confusion: { rows_true_cols_predicted: CLASSES, matrix: conf },
      node_ms_per_audio_second: +(ms / audioSec).toFixed(2),
    };
    log(opts, `kws accuracy ${(100 * correct / clips.length).toFixed(2)}% on ${clips.length} validation clips`);
    // ---- streaming false accepts and false rejects
    const noise = evalNoise();
    const noiseAll = concat(noise);
    const unknown = clips.filter((c) => c.label === "_unknown_").map((c) => readWav(c.file).samples);
    const gap = new Int16Array(8000);
    const unkStream = mix(concat(unknown.flatMap((u) => [u, gap])), noiseAll, 10, 12345);
    const streams: Record<string, Int16Array> = { background_noise_heldout: noiseAll, val_unknown_words_10dB: unkStream };
    const tts = ttsSets();
    if (tts) {
      const fa = (quick ? tts.fa.filter((_, i) => i % 5 === 0) : tts.fa).map((f) => readWav(f).samples);
      streams.tts_unseen_words_voices_20dB = mix(concat(fa.flatMap((u) => [u, gap])), noiseAll, 20, 777);
    } else result.notes.push("tools/voice/out/tts missing: run tools/voice/gen_tts.py for the TTS streams and spoof trials");
    const fa: any = {};
    const yesIdx = CLASSES.indexOf("yes");
    for (const [name, pcm] of Object.entries(streams)) {
      const hours = pcm.length / 16000 / 3600;
      fa[name] = { seconds: +(pcm.length / 16000).toFixed(1) };
      for (const th of thresholds) {
        const ev = await stream(v, pcm, th, 2);
        fa[name][`th_${th}`] = { yes: ev.filter((e) => e.cls === yesIdx).length, any_keyword: ev.length,
          yes_per_hour: +(ev.filter((e) => e.cls === yesIdx).length / hours).toFixed(1), any_per_hour: +(ev.length / hours).toFixed(1) };
      }
    }
    const realHours = (streams.background_noise_heldout.length + streams.val_unknown_words_10dB.length) / 16000 / 3600;
    for (const th of thresholds) {
      const n = fa.background_noise_heldout[`th_${th}`].yes + fa.val_unknown_words_10dB[`th_${th}`].yes;
      fa[`real_combined_th_${th}`] = { hours: +realHours.toFixed(4), yes_false_accepts: n, yes_per_hour: +(n / realHours).toFixed(1) };
    }
    result.false_accepts = fa;
    log(opts, `false accepts: ${JSON.stringify(fa)}`);
    // false rejects: every validation keyword clip in 0.5 s of held-out noise on each side, noise at 20 dB below
    const fr: any = {};
    const kwClips = clips.filter((c) => CLASSES.indexOf(c.label) >= 2);
    for (const th of thresholds) {
      let yesN = 0, yesHit = 0, allN = 0, allHit = 0, wrong = 0;
      for (const [i, c] of kwClips.entries()) {
        const s = readWav(c.file).samples;
        const padded = concat([new Int16Array(8000), s, new Int16Array(8000)]);
        const ev = await stream(v, mix(padded, noiseAll, 20, i * 4099), th, 2);
        const hit = ev.some((e) => CLASSES[e.cls] === c.label);
        if (ev.some((e) => CLASSES[e.cls] !== c.label)) wrong++;
        allN++; if (hit) allHit++;
        if (c.label === "yes") { yesN++; if (hit) yesHit++; }
      }
      fr[`th_${th}`] = { yes_clips: yesN, yes_false_reject_rate: +(1 - yesHit / yesN).toFixed(4),
        keyword_clips: allN, keyword_false_reject_rate: +(1 - allHit / allN).toFixed(4), clips_with_a_wrong_keyword_event: wrong };
    }
    result.false_rejects = fr;
    result.detector = { stride_hops: 2, smoothing_inferences: 3, refractory_ms: 500, release_fraction: 0.5, max_hold_ms: 2000, default_threshold: 0.75 };
    log(opts, `false rejects: ${JSON.stringify(fr)}`);
    // ---- speaker verification
    let groups = speakerGroups();
    if (quick) groups = groups.filter((_, i) => i % 3 === 0);
    const spoof = tts?.spoof ?? new Map();
    const trials = await speakerTrials(v, groups, spoof);
    result.speaker = { method: "GMM-UBM (128 components) over c1..c12 + deltas of the speech frames, each mel channel's noise floor subtracted; MAP-adapted means, mean log-likelihood ratio",
      enrol_utterances: 3, default_threshold: await v.dev.call("voiceDefaultSpeakerThreshold"), sets: {} as any };
    for (const [set, r] of Object.entries(trials)) {
      const e = eer(r.tgt, r.imp);
      result.speaker.sets[set] = { groups: groups.filter((g) => g.set === set).length, speakers: new Set(groups.filter((g) => g.set === set).map((g) => g.speaker)).size,
        target_trials: r.tgt.length, impostor_trials: r.imp.length, eer: +e.eer.toFixed(4), eer_threshold: +e.threshold.toFixed(3),
        at_default_threshold: { false_reject: +(1 - r.acceptTgt / r.tgt.length).toFixed(4), false_accept: +(r.acceptImp / r.imp.length).toFixed(4) },
        tts_spoof_trials: r.spoof.length, tts_spoof_accept_rate: r.spoof.length ? +(r.spoofAccept / r.spoof.length).toFixed(4) : null };
    }
    log(opts, `speaker: ${JSON.stringify(result.speaker.sets)}`);
    // ---- memory
    const mem = (v.dev as any).exports?.memory as WebAssembly.Memory | undefined;
    result.memory = { wasm_memory_bytes: mem ? mem.buffer.byteLength : null,
      note: "voice buffers are static (memory.data); the spotter's weights are packed (three-lane i64) once when listening starts" };
  } finally { await v.close(); }
  result.fuel = await fuelFigures(opts.wasm, board);
  log(opts, `fuel: ${JSON.stringify(result.fuel)}`);
  if (!opts.json) printSummary(result);
  return result;
}

function printSummary(r: any) {
  const lines = [
    `KWS 12-class accuracy (validation speakers): ${(r.kws.accuracy_12class * 100).toFixed(2)}% on ${r.kws.clips} clips`,
    `"yes" false accepts/hour (real noise + unknown words, th 0.75): ${r.false_accepts["real_combined_th_0.75"].yes_per_hour} (${r.false_accepts["real_combined_th_0.75"].yes_false_accepts} in ${(r.false_accepts["real_combined_th_0.75"].hours * 3600).toFixed(0)} s)`,
    `"yes" false-reject rate (th 0.75): ${(r.false_rejects["th_0.75"].yes_false_reject_rate * 100).toFixed(1)}%`,
    ...Object.entries(r.speaker.sets).map(([k, s]: any) => `speaker EER ${k}: ${(s.eer * 100).toFixed(1)}% (${s.target_trials} target / ${s.impostor_trials} impostor); TTS accept ${s.tts_spoof_accept_rate}`),
    `Node: ${r.kws.node_ms_per_audio_second} ms per second of audio; fuel/hop ${r.fuel.fuel_per_hop_frontend_vad}, fuel/inference ${r.fuel.fuel_per_inference}`,
  ];
  console.log(lines.join("\n"));
}
