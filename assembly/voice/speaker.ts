// Text-prompted speaker verification by cepstral statistics (chosen by measurement over DTW templates
// and log-mel statistics: tools/voice/speaker_eval.py). An utterance becomes a 24-vector: the mean and
// standard deviation of cepstra c1..c12 over its speech frames (energy VAD; all frames when fewer than 5
// are speech). Enrolment takes one clip per word, tagged with its code-word index (-1 for other words such
// as yes/no/stop), MIN_ENROL..MAX_ENROL clips; the profile stores the per-dimension mean and spread of the
// clip vectors and which code words were covered. A test vector (one word, or the average of the per-word
// vectors of a spoken code: consent.ts) scores -sqrt(mean(((v - mu) / (sd + SD_FLOOR))^2)) and is
// accepted at score ≥ the threshold stored in the profile.
// Profile v2: a 216-byte little-endian record "VSP2", version, clips, threshold, word mask, mu[24], sd[24],
// FNV-1a checksum. Static buffers only.
import { OK, E_ARGS, E_VOICE_PROFILE, E_STATE } from "../errors";
import { HOP, NCEP } from "./tables";
import { frontendReset, frontendHop, logMelPtr, cepFrame, frontendSave, frontendRestore } from "./frontend";
import { vadReset, vadUpdate, vadSave, vadRestore, vadLastRaw } from "./vad";

export const DIM: i32 = 24;
export const MAX_ENROL: i32 = 32;
export const MIN_ENROL: i32 = 3;
export const SD_FLOOR: f32 = 1.0;
export const DEFAULT_THRESHOLD: f32 = -0.752;    // one word: EER point on the tuning speakers (tools/voice/speaker_eval.py)
// A spoken code (consent.ts): 2 % of other people saying the right code pass, on the KWS-training part of the
// dev test split (tools/voice/consent_tune.ts, seed 7); stored in every profile enrolled for consent.
export const CONSENT_THRESHOLD: f32 = -0.39;
export const PROFILE_MAGIC: u32 = 0x32505356;    // "VSP2"
export const PROFILE_VERSION: u32 = 2;
const HEAD: i32 = 20;                              // magic, version, clips, threshold, word mask
export const PROFILE_BYTES: i32 = HEAD + DIM * 8 + 4;   // 216

const sumAll: usize = memory.data(12 * 8, 16);   // f64 accumulators
const sqAll: usize = memory.data(12 * 8, 16);
const sumSp: usize = memory.data(12 * 8, 16);
const sqSp: usize = memory.data(12 * 8, 16);
const uttVec: usize = memory.data(DIM * 4, 16);              // f32 current utterance vector
const enrolVecs: usize = memory.data(MAX_ENROL * DIM * 4, 16);
const profile: usize = memory.data(256, 16);
const zeros: usize = memory.data(HOP * 2, 16);
let nAll: i32 = 0;
let nSp: i32 = 0;
let nEnrol: i32 = 0;
let enrolMask: u32 = 0;
let lastScore: f32 = 0;

export function profileBufferPtr(): usize { return profile; }
export function uttVecPtr(): usize { return uttVec; }
export function lastVerifyScore(): f32 { return lastScore; }

function uttReset(): void {
  frontendReset(); vadReset();
  memory.fill(sumAll, 0, 96); memory.fill(sqAll, 0, 96); memory.fill(sumSp, 0, 96); memory.fill(sqSp, 0, 96);
  nAll = 0; nSp = 0;
}

function uttHop(pcm: usize): void {
  frontendHop(pcm);
  vadUpdate(logMelPtr());
  const sp = vadLastRaw();                      // frames loud by themselves, as consent.ts takes them
  const c = cepFrame(0);
  for (let i = 0; i < 12; i++) {
    const v = <f64>load<f32>(c + (<usize>(i + 1) << 2));
    const o = <usize>i << 3;
    store<f64>(sumAll + o, load<f64>(sumAll + o) + v); store<f64>(sqAll + o, load<f64>(sqAll + o) + v * v);
    if (sp) { store<f64>(sumSp + o, load<f64>(sumSp + o) + v); store<f64>(sqSp + o, load<f64>(sqSp + o) + v * v); }
  }
  nAll++;
  if (sp) nSp++;
}

/**
 * Computes the utterance vector of n int16 samples at pcm into uttVecPtr(). Returns frames used.
 * The keyword-spotting stream's front-end and VAD state are saved and restored around it.
 */
export function utteranceVector(pcm: usize, n: i32): i32 {
  frontendSave(); vadSave();
  const r = utteranceVectorInner(pcm, n);
  frontendRestore(); vadRestore();
  return r;
}

function utteranceVectorInner(pcm: usize, n: i32): i32 {
  uttReset();
  let i = 0;
  for (; i + HOP <= n; i += HOP) uttHop(pcm + (<usize>i << 1));
  if (i < n) {
    memory.fill(zeros, 0, HOP * 2);
    memory.copy(zeros, pcm + (<usize>i << 1), <usize>((n - i) << 1));
    uttHop(zeros);
  }
  const useSp = nSp >= 5;
  const s = useSp ? sumSp : sumAll, q = useSp ? sqSp : sqAll;
  const cnt = <f64>(useSp ? nSp : nAll);
  for (let k = 0; k < 12; k++) {
    const m = load<f64>(s + (<usize>k << 3)) / cnt;
    let var_ = load<f64>(q + (<usize>k << 3)) / cnt - m * m;
    if (var_ < 0) var_ = 0;
    store<f32>(uttVec + (<usize>k << 2), <f32>m);
    store<f32>(uttVec + (<usize>(k + 12) << 2), <f32>Math.sqrt(var_));
  }
  return useSp ? nSp : nAll;
}

export function enrolBegin(): void { nEnrol = 0; enrolMask = 0; }
export function enrolCount(): i32 { return nEnrol; }
export function enrolWordMask(): u32 { return enrolMask; }

/** Adds one enrolment utterance (n samples at pcm) of code word `word` (0..31, or -1 for another word). */
export function enrolAdd(pcm: usize, n: i32, word: i32): i32 {
  if (nEnrol >= MAX_ENROL) return E_STATE;
  if (word < -1 || word > 31) return E_ARGS;
  if (n < HOP * 10) return E_ARGS;                    // at least 200 ms
  utteranceVector(pcm, n);
  memory.copy(enrolVecs + <usize>(nEnrol * DIM * 4), uttVec, DIM * 4);
  nEnrol++;
  if (word >= 0) enrolMask |= (<u32>1) << <u32>word;
  return OK;
}

/**
 * The statistics vector (mean, sd of c1..c12) of rows [from, to) of a frame table (f32 [rows][12]) into
 * out (DIM f32). Returns the number of rows used (0 leaves out untouched).
 */
export function frameStatsVector(frames: usize, from: i32, to: i32, out: usize): i32 {
  const n = to - from;
  if (n <= 0) return 0;
  for (let k = 0; k < 12; k++) {
    let s: f64 = 0, q: f64 = 0;
    for (let r = from; r < to; r++) { const v = <f64>load<f32>(frames + <usize>((r * 12 + k) << 2)); s += v; q += v * v; }
    const m = s / <f64>n;
    let var_ = q / <f64>n - m * m;
    if (var_ < 0) var_ = 0;
    store<f32>(out + (<usize>k << 2), <f32>m);
    store<f32>(out + (<usize>(k + 12) << 2), <f32>Math.sqrt(var_));
  }
  return n;
}

function checksum(p: usize, n: i32): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < n; i++) { h ^= <u32>load<u8>(p + i); h *= 16777619; }
  return h;
}

/**
 * Writes the profile into profileBufferPtr(); returns its length, or -status: -E_STATE with fewer than
 * MIN_ENROL clips, -E_VOICE_PROFILE when a word of requiredMask has no clip.
 */
export function enrolFinish(threshold: f32, requiredMask: u32): i32 {
  if (nEnrol < MIN_ENROL) return -E_STATE;
  if ((enrolMask & requiredMask) != requiredMask) return -E_VOICE_PROFILE;
  store<u32>(profile, PROFILE_MAGIC);
  store<u32>(profile, PROFILE_VERSION, 4);
  store<u32>(profile, <u32>nEnrol, 8);
  store<f32>(profile, threshold, 12);
  store<u32>(profile, enrolMask, 16);
  for (let d = 0; d < DIM; d++) {
    let m: f64 = 0;
    for (let k = 0; k < nEnrol; k++) m += <f64>load<f32>(enrolVecs + <usize>((k * DIM + d) * 4));
    m /= <f64>nEnrol;
    let v: f64 = 0;
    for (let k = 0; k < nEnrol; k++) { const e = <f64>load<f32>(enrolVecs + <usize>((k * DIM + d) * 4)) - m; v += e * e; }
    v /= <f64>nEnrol;
    store<f32>(profile + <usize>(HEAD + d * 4), <f32>m);
    store<f32>(profile + <usize>(HEAD + DIM * 4 + d * 4), <f32>Math.sqrt(v));
  }
  store<u32>(profile + <usize>(PROFILE_BYTES - 4), checksum(profile, PROFILE_BYTES - 4));
  return PROFILE_BYTES;
}

/** Checks a profile record at p (len bytes). */
export function profileValid(p: usize, len: i32): bool {
  if (len != PROFILE_BYTES) return false;
  if (load<u32>(p) != PROFILE_MAGIC || load<u32>(p, 4) != PROFILE_VERSION) return false;
  const n = load<u32>(p, 8);
  if (n < <u32>MIN_ENROL || n > <u32>MAX_ENROL) return false;
  return load<u32>(p + <usize>(PROFILE_BYTES - 4)) == checksum(p, PROFILE_BYTES - 4);
}

/** The threshold stored in a (valid) profile. */
export function profileThreshold(p: usize): f32 { return load<f32>(p, 12); }
/** The code words a (valid) profile was enrolled with (bit i = code word i). */
export function profileWordMask(p: usize): u32 { return load<u32>(p, 16); }

/** Scores the utterance vector in uttVecPtr() against the profile at p. */
export function scoreVector(p: usize): f32 {
  let acc: f64 = 0;
  for (let d = 0; d < DIM; d++) {
    const mu = <f64>load<f32>(p + <usize>(HEAD + d * 4));
    const sd = <f64>load<f32>(p + <usize>(HEAD + DIM * 4 + d * 4)) + <f64>SD_FLOOR;
    const z = (<f64>load<f32>(uttVec + (<usize>d << 2)) - mu) / sd;
    acc += z * z;
  }
  return <f32>(-Math.sqrt(acc / <f64>DIM));
}

/**
 * Verifies n samples at pcm against the profile at p (len bytes). Returns 1 accept, 0 reject, or
 * -E_VOICE_PROFILE for a bad profile; the score is in lastVerifyScore().
 */
export function verifyUtterance(p: usize, len: i32, pcm: usize, n: i32): i32 {
  if (!profileValid(p, len)) return -E_VOICE_PROFILE;
  if (n < HOP * 5) return -E_ARGS;
  utteranceVector(pcm, n);
  lastScore = scoreVector(p);
  return lastScore >= load<f32>(p, 12) ? 1 : 0;
}
