// The streaming voice pipeline: hop → front end → VAD → (every `stride` hops) KWS inference → detector.
// Static buffers only; safe to call per 20 ms hop from the device face.
import { HOP } from "./tables";
import { frontendReset, frontendHop, logMelPtr, cepFrame } from "./frontend";
import { vadReset, vadUpdate } from "./vad";
import { kwsLoadFromFrontend, kwsRun, kwsScoresPtr, kwsPooledPtr } from "./kws";
import { detectorReset, detectorUpdate } from "./detector";
import { kwsStreamReset, kwsStreamFrame, kwsStreamInfer, kwsStreamPooledPtr } from "./kws-stream";
import { NCLASS } from "./model";
// Live hops run the network in streaming form (kws-stream.ts: each row once) on boards that set mic.kwsStreaming.
import { KWS_STREAMING } from "../board/config";

export const DEFAULT_STRIDE: i32 = 2;        // hops per inference (40 ms)
export const MIN_HOPS: i32 = 10;             // no inference before 200 ms of audio
// Hops without speech after which a gated streaming network stops computing rows (and before which it always
// does, also after a reset): the 1 s the gate waits before it skips inferences, plus the network's 260 ms
// look-ahead and a margin, so that the rows it keeps while idle are all of the silence, not of the last word.
export const IDLE_HOPS: i32 = 64;

let stride: i32 = DEFAULT_STRIDE;
let hops: i32 = 0;
let lastSpeechHop: i32 = -1000;
let gate: bool = false;                      // skip inference when no speech in the last second
let inferences: i32 = 0;
let skipped: i32 = 0;
let hopSpeech: bool = false;                 // the VAD's answer for the last hop
let ranInference: bool = false;              // whether the last hop ran the network
// the best window of the stream (largest keyword posterior), for clip-level answers
const bestScores: usize = memory.data(NCLASS * 4, 16);
let bestKw: f32 = -1;
let bestHop: i32 = -1;

export function engineReset(): void {
  frontendReset(); vadReset(); detectorReset(); kwsStreamReset();
  hops = 0; lastSpeechHop = -1000; inferences = 0; skipped = 0; bestKw = -1; bestHop = -1;
  memory.fill(bestScores, 0, NCLASS * 4);
}
export function engineSetStride(s: i32): void { stride = s < 1 ? 1 : s > 50 ? 50 : s; }
export function engineStride(): i32 { return stride; }
export function engineSetGate(on: bool): void { gate = on; }
export function engineHops(): i32 { return hops; }
export function engineInferences(): i32 { return inferences; }
export function engineSkipped(): i32 { return skipped; }
export function bestScoresPtr(): usize { return bestScores; }
export function bestHopIndex(): i32 { return bestHop; }
export function engineLastSpeechHop(): i32 { return lastSpeechHop; }
export function engineHopWasSpeech(): bool { return hopSpeech; }
/** The last inference's embedding: the spotter's pooled channels (int8 [64], ≥ 0) of the window it classified. */
export function engineEmbeddingPtr(): usize { return KWS_STREAMING ? kwsStreamPooledPtr() : kwsPooledPtr(); }
export function engineHopRanInference(): bool { return ranInference; }

/** Runs the network on the last second of features and records the best window. Returns arg-max class. */
export function engineInfer(): i32 {
  kwsLoadFromFrontend();
  return afterInference(kwsRun());
}

function afterInference(c: i32): i32 {
  inferences++;
  const sc = kwsScoresPtr();
  let kw: f32 = 0;
  for (let i = 2; i < NCLASS; i++) { const p = load<f32>(sc + (<usize>i << 2)); if (p > kw) kw = p; }
  if (kw > bestKw) { bestKw = kw; bestHop = hops; memory.copy(bestScores, sc, NCLASS * 4); }
  return c;
}

/**
 * Processes one hop (HOP int16 samples at pcm). Returns the detected keyword class, -1 when an
 * inference ran without a detection, -2 when no inference ran on this hop.
 */
export function engineHop(pcm: usize): i32 {
  frontendHop(pcm);
  hopSpeech = vadUpdate(logMelPtr());
  if (hopSpeech) lastSpeechHop = hops;
  // a streaming board infers when a network row has left the last block (every second hop), so that every
  // inference pools the newest rows; the others every `stride` hops. With the gate on, a streaming board's
  // network idles in long silence (IDLE_HOPS): the VAD's speech wakes it in the same hop.
  const idle = gate && hops >= IDLE_HOPS && hops - lastSpeechHop > IDLE_HOPS;
  const rowDone = KWS_STREAMING && kwsStreamFrame(cepFrame(0), !idle);
  hops++;
  ranInference = false;
  if (hops < MIN_HOPS || (KWS_STREAMING ? !rowDone : hops % stride != 0)) return -2;
  if (gate && hops - lastSpeechHop > 50) { skipped++; return -2; }
  if (KWS_STREAMING) afterInference(kwsStreamInfer()); else engineInfer();
  ranInference = true;
  return detectorUpdate(kwsScoresPtr(), <i64>hops * 1000 * <i64>HOP / 16000);
}
