// Kernel exports of the voice engine (device face / host tests / benchmarks). Pointer-based; every
// buffer is owned by the engine and allocated once (static memory.data). Re-exported by assembly/main.ts.
import { OK, E_ARGS, E_TOO_LARGE, E_VOICE_PROFILE } from "../errors";
import { HOP, NCEP, NMEL } from "./tables";
import { frontendReset, frontendHop, logMelPtr, cepFrame, frameCountSinceReset } from "./frontend";
import { noiseFloorReset, noiseFloorUpdate, noiseFloorCepstra } from "./noise-floor";
import { kwsInputPtr, kwsRun, kwsLogitsPtr, kwsScoresPtr, kwsLoadFromFrontend, kwsMacs,
         convI8, depthwiseI8, pointwiseI8, avgPoolI8, denseI8, softmaxDeq } from "./kws";
import { engineSetStride, engineHop, engineSetGate, engineInferences, engineSkipped } from "./engine";
import { kwsStreamReset, kwsStreamFrameQuantized, kwsStreamInfer } from "./kws-stream";
import { clipBegin, clipFeed, clipFinish, clipScoresPtr } from "./clip";
import { detectorSetThreshold, detectorThreshold, DEFAULT_THRESHOLD as KWS_THRESHOLD, eventCount, eventClass, eventTime, eventScore, eventsClear,
         smoothedPtr } from "./detector";
import { profileBufferPtr, enrolBegin, enrolAdd, enrolFinish, verifyUtterance, lastVerifyScore,
         DEFAULT_THRESHOLD, CONSENT_THRESHOLD, PROFILE_BYTES } from "./speaker";
import { vadUpdate } from "./vad";
import { consentBegin, consentFeed, consentFlush, consentDeciding, consentRescore, consentSetTuning, consentSetTemplateTuning, consentSetNoiseBelow, consentOutcome, consentSpeakerScore, consentThreshold, consentWordCentreHop, consentSpeechOverNoise, consentResultJson,
         consentHighestThreshold } from "./consent";
import { codeWordMask, codeWordClass, CODE_VOCAB_SIZE, CODE_LENGTH } from "./code-words";

/** Audio buffer for the voice exports: up to VOICE_AUDIO_MAX int16 samples (2 s). */
export const VOICE_AUDIO_MAX: i32 = 32000;
const audio: usize = memory.data(VOICE_AUDIO_MAX * 2, 16);
/** Scratch for kernel tests (int8/int32 tensors written by the host). */
export const VOICE_SCRATCH_BYTES: i32 = 65536;
const scratch: usize = memory.data(VOICE_SCRATCH_BYTES, 16);

export function voiceAudioBuffer(): usize { return audio; }
export function voiceScratch(): usize { return scratch; }
export function voiceProfileBuffer(): usize { return profileBufferPtr(); }
export function voiceProfileBytes(): i32 { return PROFILE_BYTES; }

// ---- streaming keyword spotting
/** Starts a clip of totalSamples (0 = open-ended stream). */
export function voiceBegin(totalSamples: i32): i32 { if (totalSamples < 0) return E_ARGS; clipBegin(totalSamples); return OK; }
/** Feeds n samples from voiceAudioBuffer(); returns the number of detections so far (or -status). */
export function voiceFeed(n: i32): i32 {
  if (n < 0) return -E_ARGS;
  if (n > VOICE_AUDIO_MAX) return -E_TOO_LARGE;
  return clipFeed(audio, n);
}
/** Ends the clip; returns the clip-level class (scores in voiceScores()). */
export function voiceFinish(): i32 { return clipFinish(); }
export function voiceScores(): usize { return clipScoresPtr(); }
export function voiceSmoothed(): usize { return smoothedPtr(); }
export function voiceSetThreshold(t: f32): void { detectorSetThreshold(t); }
export function voiceThreshold(): f32 { return detectorThreshold(); }
export function voiceDefaultThreshold(): f32 { return KWS_THRESHOLD; }
export function voiceSetStride(hops: i32): void { engineSetStride(hops); }
export function voiceSetGate(on: i32): void { engineSetGate(on != 0); }
export function voiceEventCount(): i32 { return eventCount(); }
export function voiceEventClass(i: i32): i32 { return eventClass(i); }
export function voiceEventTimeMs(i: i32): i32 { return <i32>eventTime(i); }
export function voiceEventScore(i: i32): f32 { return eventScore(i); }
export function voiceEventsClear(): void { eventsClear(); }
export function voiceInferences(): i32 { return engineInferences(); }
export function voiceSkipped(): i32 { return engineSkipped(); }

/** One hop through the whole pipeline (front end, VAD, maybe inference): for fuel per hop. */
export function voiceHop(): i32 { return engineHop(audio); }

// ---- front end alone (golden-feature tests)
export function voiceFrontendReset(): void { frontendReset(); }
/** Runs the front end on one hop at voiceAudioBuffer(); returns the frame index. */
export function voiceFrontendHop(): i32 { return frontendHop(audio); }
export function voiceLogMel(): usize { return logMelPtr(); }
export function voiceCep(): usize { return cepFrame(0); }
export function voiceFrames(): i32 { return frameCountSinceReset(); }
/** After voiceFrontendHop: follows the frame's noise floor and returns its noise-subtracted c1..c12 (12 f32). */
export function voiceNoiseFloorHop(): usize { noiseFloorUpdate(logMelPtr()); return noiseFloorCepstra(logMelPtr()); }
export function voiceNoiseFloorReset(): void { noiseFloorReset(); }
export function voiceNcep(): i32 { return NCEP; }
export function voiceNmel(): i32 { return NMEL; }
export function voiceHopSamples(): i32 { return HOP; }

// ---- the network alone
export function voiceKwsInput(): usize { return kwsInputPtr(); }
/** Quantises the front end's last 50 frames into the network input. */
export function voiceKwsLoad(): void { kwsLoadFromFrontend(); }
export function voiceKwsRun(): i32 { return kwsRun(); }
export function voiceKwsLogits(): usize { return kwsLogitsPtr(); }
/** The streaming network (kws-stream.ts) fed quantised frames (int8 [F_IN] at voiceKwsInput()), one a call. */
export function voiceKwsStreamReset(): void { kwsStreamReset(); }
export function voiceKwsStreamFrame(): i32 { return kwsStreamFrameQuantized(kwsInputPtr()) ? 1 : 0; }
/** Pools the stream's last rows and classifies: logits at voiceKwsLogits(); returns the arg-max class. */
export function voiceKwsStreamInfer(): i32 { return kwsStreamInfer(); }
export function voiceKwsScores(): usize { return kwsScoresPtr(); }
export function voiceKwsMacs(): i32 { return kwsMacs(); }

// ---- raw int8 kernels on scratch offsets (tests compare them with a float reference)
export function voiceConvI8(inp: usize, T: i32, F: i32, Cin: i32, w: usize, b: usize, mult: usize, shift: usize,
                            KT: i32, KF: i32, st: i32, sf: i32, pt: i32, pf: i32, Cout: i32,
                            out: usize, TO: i32, FO: i32, lo: i32): void {
  convI8(inp, T, F, Cin, w, b, mult, shift, KT, KF, st, sf, pt, pf, Cout, out, TO, FO, lo);
}
export function voiceDepthwiseI8(inp: usize, T: i32, F: i32, C: i32, K: i32, w: usize, b: usize, mult: usize,
                                 shift: usize, out: usize, lo: i32): void {
  depthwiseI8(inp, T, F, C, K, w, b, mult, shift, out, lo);
}
export function voicePointwiseI8(inp: usize, N: i32, Cin: i32, Cout: i32, w: usize, b: usize, mult: usize,
                                 shift: usize, out: usize, lo: i32): void {
  pointwiseI8(inp, N, Cin, Cout, w, b, mult, shift, out, lo);
}
export function voiceAvgPoolI8(inp: usize, N: i32, C: i32, out: usize): void { avgPoolI8(inp, N, C, out); }
export function voiceDenseI8(inp: usize, Cin: i32, Cout: i32, w: usize, b: usize, out: usize): void { denseI8(inp, Cin, Cout, w, b, out); }
export function voiceSoftmaxDeq(acc: usize, deq: usize, n: i32, out: usize): void { softmaxDeq(acc, deq, n, out); }

// ---- speaker verification
export function voiceEnrolBegin(): void { enrolBegin(); }
/** Adds n samples from voiceAudioBuffer() as one enrolment utterance of code word `word` (-1: another word). */
export function voiceEnrolAdd(n: i32, word: i32): i32 {
  if (n < 0 || n > VOICE_AUDIO_MAX || word < -1 || word >= CODE_VOCAB_SIZE) return E_ARGS;
  return enrolAdd(audio, n, word);
}
/**
 * Writes the profile into voiceProfileBuffer(); returns its length or -status (-E_VOICE_PROFILE when a
 * code word has no clip). t=NaN: default threshold.
 */
export function voiceEnrolFinish(threshold: f32): i32 { return enrolFinish(isNaN(threshold) ? CONSENT_THRESHOLD : threshold, codeWordMask()); }
/** The speaker threshold a consent profile gets by default (speaker.ts CONSENT_THRESHOLD). */
export function voiceConsentDefaultThreshold(): f32 { return CONSENT_THRESHOLD; }
/** The highest speaker threshold a prompt gets without a profile's own (consent.ts consentHighestThreshold). */
export function voiceConsentHighestThreshold(): f32 { return consentHighestThreshold(); }

/** Measurement aid for text-dependent speaker tests (e.g. one digit): a profile without the code-word rule. */
export function voiceEnrolFinishAnyWords(threshold: f32): i32 { return enrolFinish(isNaN(threshold) ? DEFAULT_THRESHOLD : threshold, 0); }

// ---- spoken-code consent (the firmware's matcher, for the host's `consent` command, tests and the bench)
/** Starts a prompt for code words w0 w1 w2 with the profile (profileLen bytes) in voiceProfileBuffer(). */
export function voiceConsentBegin(w0: i32, w1: i32, w2: i32, profileLen: i32, tMs: i64): i32 {
  consentBegin(w0, w1, w2, profileBufferPtr(), profileLen, tMs);
  return consentOutcome();
}
/** Feeds n samples from voiceAudioBuffer(); returns a CONSENT_* outcome (or -status). */
export function voiceConsentFeed(n: i32, tMs: i64): i32 {
  if (n < 0) return -E_ARGS;
  if (n > VOICE_AUDIO_MAX) return -E_TOO_LARGE;
  return consentFeed(audio, n, tMs);
}
/** Measurement aid (consent.ts consentRescore): the same audio against another code and the profile in voiceProfileBuffer(). */
export function voiceConsentRescore(w0: i32, w1: i32, w2: i32, profileLen: i32): i32 {
  return consentRescore(w0, w1, w2, profileBufferPtr(), profileLen);
}
/** Measurement aid (tools/voice/consent_tune.ts): the matcher's thresholds, SEGMENT_GAP (NaN / negative = the
 *  shipped default) and the stretch-owner test (0 off). */
export function voiceConsentSetTuning(wordMin: f32, margin: f32, refuse: f32, segmentGap: i32, stretchOwner: i32): void {
  consentSetTuning(wordMin, margin, refuse, segmentGap, stretchOwner != 0);
}
/** Measurement aid: the owner's word-template rule (consent.ts TEMPLATE_MIN, TEMPLATE_MARGIN); NaN = the default, a minimum above 1 turns it off. */
export function voiceConsentSetTemplateTuning(minSim: f32, margin: f32): void {
  consentSetTemplateTuning(minSim, margin);
}
/** Measurement aid: where the speaker check switches to the profile's noise model (consent.ts NOISE_BELOW; NaN = the default). */
export function voiceConsentSetNoiseBelow(v: f32): void { consentSetNoiseBelow(v); }
/** Whether the prompt is deciding (consent.ts consentDeciding): the bench counts those hops' fuel. */
export function voiceConsentDeciding(): i32 { return consentDeciding() ? 1 : 0; }
/** The window closed: decide on what was heard (PENDING if nothing). */
export function voiceConsentFlush(): i32 { return consentFlush(); }
const resultBuf: usize = memory.data(1024, 16);
/** The last decision's speaker score as the firmware compared it (the result JSON rounds it to 3 decimals). */
export function voiceConsentSpeakerScore(): f32 { return consentSpeakerScore(); }
/** The threshold the last decision's speaker score was held to (it depends on the prompt's noise: consent.ts thresholdOf). */
export function voiceConsentThreshold(): f32 { return consentThreshold(); }
/** The hop where the matcher put the centre of the code's word k (consent.ts consentWordCentreHop), or -1. */
export function voiceConsentWordCentreHop(k: i32): i32 { return consentWordCentreHop(k); }
/** The last speaker check's speech energy over the noise floor (nats), which chose the profile's model (consent.ts NOISE_BELOW). */
export function voiceConsentSpeechOverNoise(): f32 { return consentSpeechOverNoise(); }
/** Writes the prompt's result JSON (UTF-8) to voiceConsentResultPtr(); returns its length. */
export function voiceConsentResult(): i32 {
  const s = consentResultJson();
  const n = min(String.UTF8.byteLength(s), 1024);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, resultBuf);
  return n;
}
export function voiceConsentResultPtr(): usize { return resultBuf; }
export function voiceCodeVocabSize(): i32 { return CODE_VOCAB_SIZE; }
export function voiceCodeLength(): i32 { return CODE_LENGTH; }
/** The class index (model CLASSES) of code word i, for the host's vocabulary listing. */
export function voiceCodeWordClass(i: i32): i32 { return codeWordClass(i); }
/** Verifies n samples from voiceAudioBuffer() against the profile (len bytes) in voiceProfileBuffer(). */
export function voiceVerify(profileLen: i32, n: i32): i32 {
  if (n < 0 || n > VOICE_AUDIO_MAX) return -E_ARGS;
  return verifyUtterance(profileBufferPtr(), profileLen, audio, n);
}
export function voiceVerifyScore(): f32 { return lastVerifyScore(); }
export function voiceDefaultSpeakerThreshold(): f32 { return DEFAULT_THRESHOLD; }

// Module start (run by `_start`): precompute the FFT tables so no export allocates or initialises later.
clipBegin(0);
