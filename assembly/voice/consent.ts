// Spoken-code consent: "verify, don't recognise". The firmware knows the code it showed on the HUD, so it
// does not ask the spotter "what was said?" but "was this code said, in order, by the owner?":
//  - the stream runs through the keyword engine (front end, VAD gate, spotter every 40 ms); every inference's
//    posteriors are kept for the current utterance (MAX_STEPS), and every speech frame's cepstra (MAX_FRAMES);
//  - "no"/"stop" crossing REFUSE_THRESHOLD end the prompt at once as a refusal, whatever else is heard
//    (refusalStarts: apart from the open detector, whose refractory time after another keyword would hide it);
//  - when the utterance ends (END_HOPS of silence after speech, END_HOPS_FEW while fewer keywords than code
//    words were heard) the expected words are aligned left to right
//    against the posteriors (one peak per word, in order, MIN_GAP..MAX_GAP steps apart, maximising the
//    product of the expected words' smoothed posteriors); each aligned word must reach WORD_MIN and beat
//    every other class (also _unknown_) by WORD_MARGIN, or (in an utterance where the spotter heard a keyword)
//    the window's embedding must lie close to the owner's own enrolled take of that word (word-template.ts,
//    TEMPLATE_MIN); a word the code repeats, and the words next to it,
//    must each lie on a stretch of loud speech of its own that sounds like that word (SEGMENT_GAP: a word
//    stays in the spotter's 1 s window for up to a second, so one spoken "on" could otherwise stand for "on on");
//  - the speaker check then scores the code's speech (the speech frames around each aligned word) against
//    the enrolled profile (speaker.ts: mean log-likelihood ratio, owner vs background) and its threshold,
//    on the profile's noise model and threshold when the speech stands less than NOISE_BELOW above its noise
//    floor (speechOverNoise), and the speech must sound human to the background model (speaker.ts SPEECH_FLOOR);
//  - the alignment and the speaker check run over the hops after the utterance's end (SCORE_FRAMES), each
//    within the MCU's hop budget, while the stream is no longer listened to.
// An utterance with no keyword in it (a cough, a bystander's chatter) is dropped and listening continues;
// the window and its timeout belong to the session. Static buffers only; nothing allocates per hop.
import { HOP } from "./tables";
import { NCLASS, CLASSES } from "./model";
import { engineReset, engineHop, engineSetGate, engineSetStride, engineHopWasSpeech, engineHopRanInference,
         engineHops, engineLastSpeechHop, engineEmbeddingPtr } from "./engine";
import { EMB, templatesLoad, templateSims } from "./word-template";
import { kwsScoresPtr } from "./kws";
import { STREAM_LAG_FRAMES } from "./kws-stream";
import { KWS_STREAMING } from "../board/config";
import { detectorReset, detectorSetThreshold } from "./detector";
import { logMelPtr } from "./frontend";
import { noiseFloorReset, noiseFloorUpdate, noiseFloorCepstra } from "./noise-floor";
import { vadLastRaw, vadEnergy, vadFloor } from "./vad";
import { profileValid, profileThreshold, profileTemplatesPtr, CONSENT_THRESHOLD, CONSENT_THRESHOLD_NOISE, scoreBegin, scoreRowsPart, scoreEnd, scoreSpeechLikelihood, SPEECH_FLOOR, PROFILE_BYTES } from "./speaker";
import { Json, jsonArray } from "../io/json";
import { CODE_LENGTH, CODE_VOCAB_SIZE, CODE_CLASS } from "./code-words";

const CLASS_UNKNOWN: i32 = 1, CLASS_NO: i32 = 3, CLASS_STOP: i32 = 10;

export const CONSENT_PENDING: i32 = 0;
export const CONSENT_ACCEPTED: i32 = 1;
export const CONSENT_WRONG_CODE: i32 = 2;
export const CONSENT_REFUSED: i32 = 3;
export const CONSENT_VOICE_MISMATCH: i32 = 4;
export const CONSENT_NO_PROFILE: i32 = 5;

// ---- tuning (tools/voice and `npm run bench -- consent` measure them)
export const STRIDE: i32 = 2;               // hops per inference (40 ms)
export const SMOOTH: i32 = 3;               // inferences averaged for a word's score
// an aligned word's smoothed posterior at least WORD_MIN and WORD_MARGIN above every other class. Loosened from
// 0.45 / 0.1 once the GMM speaker check carried more of the decision: on the tuning speakers (consent_tune.ts,
// seed 7, refusal 0.5) owners' quiet codes passed 76 % against 72 %, bystanders' random codes 0.4 % both;
// 0.25-0.35 with margin 0-0.05 measured the same.
export const WORD_MIN: f32 = 0.35;
export const WORD_MARGIN: f32 = 0.05;
// open detection of "no"/"stop" (smoothed posterior). 0.5 with the retrained spotter: on the tuning speakers
// (consent_tune.ts, seed 7) it cancels 99 % of owners' "no" (0.6 and 0.7: 94.8 %) for about 2 of
// 96 owner codes refused.
export const REFUSE_THRESHOLD: f32 = 0.5;
// A word the code repeats, and the words next to it, must each lie on a stretch of loud speech of its own
// (stretches split where more than SEGMENT_GAP hops pass without a loud frame) whose word it is (the keyword
// class with the highest posterior over the steps centred on that stretch). One spoken word stays in the
// spotter's window for up to a second, so it could count twice ("left" at 0.92 and again at 0.61 440 ms
// later, the second's centre on the next word's speech) and complete a code with a repeated word from
// someone who said it once. This replaced a rule that the word's posterior dip between its two peaks (below
// 0.85 × the first), which failed owners' own repeated words (no dip while both sit in the window) and still
// let a slowly decaying word count twice. On the tuning speakers (consent_tune.ts, seed 8, 1,500 recordings ×
// 60 (owner, code) pairs): owners' codes aligned 92.7 % in quiet and 64.6 % at 10 dB against 85.4 % and
// 59.4 %, and other people's random codes completed 1.8 % against 4.0 % (stretches without the owner test:
// 93.8 / 68.8 %, 3.1 %).
export const SEGMENT_GAP: i32 = 4;
// The owner's word templates (word-template.ts): where the spotter's posterior does not hold a code word, the
// word holds when the window's embedding (smoothed cosine similarity over SMOOTH inferences) is at least
// TEMPLATE_MIN to the owner's template of that word and TEMPLATE_MARGIN above their template of every other
// code word. It counts only in an utterance where the spotter heard a keyword (so whether and where a prompt
// is decided still does not depend on the code or the owner: consentRescore), and a word held this way weighs
// in the alignment as one at WORD_MIN. TEMPLATE_MIN was chosen on the selection speakers with a spotter trained
// without them (tools/voice/README.md, "The owner's word templates"): their second takes held 92.4 % of the
// time against 86.3 % by the spotter alone, other speakers' words held by a template 0.77 % of the time per
// (word, owner); 0.8 adds 0.7 points for 2.7 times the false holds, 0.9 gives up 1.6 points for a quarter.
export const TEMPLATE_MIN: f32 = 0.85;
export const TEMPLATE_MARGIN: f32 = 0.05;
// ... and only at steps whose word centre (WORD_LAG_HOPS before the step) lies within this many hops of a loud
// frame, and a stretch of speech holds at most one word by the templates (the code word its centred steps come
// closest to): a template is of a take centred in the window, and a word off centre can look like another
// word's template (one validation owner's "left", the window centred on its quiet tail, came within
// TEMPLATE_MIN of their "right" and beat their "left" by the margin).
const TEMPLATE_CENTRE_HOPS: i32 = 5;
// The values in use: the constants above, changed only by tools/voice/consent_tune.ts (measurement aid).
let wordMin: f32 = WORD_MIN;
let wordMargin: f32 = WORD_MARGIN;
let refuseThreshold: f32 = REFUSE_THRESHOLD;
let segmentGap: i32 = SEGMENT_GAP;
let segOwner: bool = true;
let templateMin: f32 = TEMPLATE_MIN;
let templateMargin: f32 = TEMPLATE_MARGIN;
/** Measurement aid: the template rule's thresholds (NaN: the default; a minimum above 1 turns the rule off). */
export function consentSetTemplateTuning(minSim: f32, margin: f32): void {
  templateMin = isNaN(minSim) ? TEMPLATE_MIN : minSim;
  templateMargin = isNaN(margin) ? TEMPLATE_MARGIN : margin;
}
/**
 * Measurement aid: sets the matcher's thresholds, SEGMENT_GAP (0: no stretch rule; negative: the default) and
 * whether each stretch must be its word's own (the stretch-owner test); NaN restores a default threshold.
 */
export function consentSetTuning(minP: f32, margin: f32, refuse: f32, gap: i32 = -1, stretchOwner: bool = true): void {
  segOwner = stretchOwner;
  wordMin = isNaN(minP) ? WORD_MIN : minP;
  wordMargin = isNaN(margin) ? WORD_MARGIN : margin;
  refuseThreshold = isNaN(refuse) ? REFUSE_THRESHOLD : refuse;
  segmentGap = gap < 0 ? SEGMENT_GAP : gap;
}
export const MIN_GAP: i32 = 6;              // steps between consecutive words' peaks (240 ms) ...
export const MAX_GAP: i32 = 50;             // ... and at most 2 s
const MIN_ALIGN_STEPS: i32 = 1 + MIN_GAP * (CODE_LENGTH - 1);   // the fewest steps a code's words fit in
// 600 ms without speech (after the VAD's 160 ms hangover) ends an utterance, 1 s while the open detector has heard
// fewer keywords in it than a code has words: at 10 dB the energy VAD misses a quieter word in the middle of an
// answer, and 600 ms ended the answer after its first word. With this rule the tuning owners' codes at 10 dB
// complete 82.3 % against 64.6 % and pass 58.3 % against 42.7 % (consent_tune.ts seed 8; quiet and bystanders level).
// 1 s for every utterance (84.4 % completed) also let longer stretches of other people's conversation be decided
// as one answer (tuning part: 140 completions and 3 consents in 18,000 conversation trials against 89 and 1 with
// this rule; validation bench: 7 consents against 2), hence only while the answer is short of words
// (tools/voice/README.md, "The end of an answer"). Where an utterance ends still does not depend on the code or owner.
export const END_HOPS: i32 = 30;
export const END_HOPS_FEW: i32 = 50;
export const MAX_STEPS: i32 = 400;          // 16 s of inferences per utterance
export const MAX_FRAMES: i32 = 800;         // 16 s of speech frames per utterance
export const MAX_HEARD: i32 = 8;
// a word's posterior peaks when it sits mid-window: ~0.5 s after its centre, and in the streaming form another
// 260 ms later (the network's look-ahead and the split row)
const WORD_LAG_HOPS: i32 = 25 + (KWS_STREAMING ? STREAM_LAG_FRAMES : 0);
const WORD_HALF_HOPS: i32 = 30;             // frames taken either side of a word's centre (bounded by its neighbours)
// The decision runs over the hops after the utterance's end, not in one: the alignment in the first, then the
// speaker check SCORE_FRAMES frames a hop, so that no hop exceeds the MCU's audio budget (a frame costs at most
// about 80 k fuel with the UBM scored in full and 46 k on average with speaker.ts's early exit, one-off counts;
// against 427 k a hop on mcu-s3. The bench prints the deciding hops: fuel.decision, at most 319 k for the demo
// code). Listening stops while it runs: the answer has ended.
export const SCORE_FRAMES: i32 = 5;
// Which of the profile's models the speaker check uses: the noise model when the scored frames' energy stands on
// average less than NOISE_BELOW nats above the VAD's floor (a frame's mean log-mel less the floor; each frame's
// capped at NOISE_CAP so that a very quiet pause does not outweigh the rest). Set between the tuning owners'
// codes in quiet and at 10 dB (consent_tune.ts prints the measure's percentiles: tools/voice/README.md).
export const NOISE_BELOW: f32 = 4.5;
export const NOISE_CAP: f32 = 8;
// Each model's threshold follows the same measure, so that other people's codes consent at most 1 in 10,000 times
// at every noise level (tools/voice/README.md, "Two owner models"): other people's scores rise with noise. The
// quiet model is held to speaker.ts CONSENT_THRESHOLD at QUIET_CLEAN_AT and above, to QUIET_NOISY_TH at NOISE_BELOW;
// the noise model to NOISE_CLEAN_TH at NOISE_CLEAN_AT and above, CONSENT_THRESHOLD_NOISE at NOISE_NOISY_AT (10 dB)
// and NOISE_LOUD_TH at NOISE_LOUD_AT and below (0 dB); linear between. The last segment: with 1.1 below 10 dB, other
// people's codes at 0 and 5 dB consented 15 and 13 times in 90,000 on the tuning speakers (consent_tune.ts
// --bystander-snr 0 / 5, seed 8), and conversation at 0 dB 6 in 30,000 in the bench; the bystander rule there gives
// 1.5 at 0 dB (1.3: 10 consents) and 1.3 at 5 dB, at the measure's medians of those bystanders' decided codes, 2.11
// and 2.46 (tools/voice/README.md, "Two owner models").
export const QUIET_CLEAN_AT: f32 = 5.5;
export const QUIET_NOISY_TH: f32 = 0.7;
export const NOISE_NOISY_AT: f32 = 2.7;
export const NOISE_CLEAN_AT: f32 = 3.75;
export const NOISE_CLEAN_TH: f32 = 0.8;
export const NOISE_LOUD_AT: f32 = 2.1;
export const NOISE_LOUD_TH: f32 = 1.5;
let noiseBelow: f32 = NOISE_BELOW;
/** Measurement aid: the noise model's switch point (NaN: NOISE_BELOW; 0: never, above NOISE_CAP: always). */
export function consentSetNoiseBelow(v: f32): void { noiseBelow = isNaN(v) ? NOISE_BELOW : v; }
const PHASE_LISTEN: i32 = 0, PHASE_ALIGN: i32 = 1, PHASE_SCORE: i32 = 2;

const post: usize = memory.data(MAX_STEPS * NCLASS * 4, 16);   // f32 posteriors per step
const stepHop: usize = memory.data(MAX_STEPS * 4, 16);         // i32 hop index of each step
const stepEmb: usize = memory.data(MAX_STEPS * EMB, 16);        // i8 the spotter's embedding at each step
const stepSim: usize = memory.data(MAX_STEPS * CODE_VOCAB_SIZE * 4, 16);   // f32 its similarity to each code word's template
const smoothW: usize = memory.data(CODE_LENGTH * MAX_STEPS * 4, 16);   // f32 expected word's score where it holds, else -1
const dp: usize = memory.data(CODE_LENGTH * MAX_STEPS * 4, 16);        // f32 best log score ending here
const back: usize = memory.data(CODE_LENGTH * MAX_STEPS * 2, 16);      // i16 previous word's step
const frames: usize = memory.data(MAX_FRAMES * 12 * 4, 16);   // f32 c1..c12 of speech frames
const frameHop: usize = memory.data(MAX_FRAMES * 4, 16);       // i32 hop index of each speech frame
const frameLoud: usize = memory.data(MAX_FRAMES * 4, 16);      // f32 its energy over the VAD's floor (nats, capped)
const profileBuf: usize = memory.data(PROFILE_BYTES, 16);
const carry: usize = memory.data(HOP * 2, 16);
const heardCls: usize = memory.data(MAX_HEARD * 4, 16);
const heardT: usize = memory.data(MAX_HEARD * 8, 16);
const heardScore: usize = memory.data(MAX_HEARD * 4, 16);
const codeCls: usize = memory.data(CODE_LENGTH * 4, 16);
const alignStep: usize = memory.data(CODE_LENGTH * 4, 16);
let aligned: bool = false;                  // the last utterance's alignment found the code (alignStep holds it)
const segAt: usize = memory.data(MAX_STEPS * 4, 16);           // i32: the loud stretch nearest the step's word centre
const tmplAt: usize = memory.data(MAX_STEPS * 4, 16);          // i32: the code word the step's template rule holds (-1: none)
const frameSeg: usize = memory.data(MAX_FRAMES * 4, 16);       // i32: each speech frame's loud stretch
const segWord: usize = memory.data(MAX_FRAMES * 4, 16);        // i32: each stretch's word (its best keyword class)
const segTemplate: usize = memory.data(MAX_FRAMES * 4, 16);    // i32: the code word (index, as tmplAt) whose template it is closest to (-1: none holds)
const segBest: usize = memory.data(MAX_FRAMES * 4, 16);        // f32: its word's smoothed posterior (the best keyword's)
const wordFrom: usize = memory.data(CODE_LENGTH * 4, 16);     // i32: the frames each aligned word is scored on: [from, to)
const wordTo: usize = memory.data(CODE_LENGTH * 4, 16);

let carryN: i32 = 0;
let nSteps: i32 = 0;
let nFrames: i32 = 0;
let speechSeen: bool = false;
let uttKeywords: i32 = 0;                    // the open detector's keyword events in this utterance (0: no keyword yet)
let uttCodeWord: bool = false;               // some step of this utterance held a code word at wordMin (align() needs one)
let outcome: i32 = CONSENT_PENDING;
let reason: string = "";
let nHeard: i32 = 0;
let spkScore: f32 = 0;
let threshold: f32 = 0;
let noiseModel: bool = false;                // the last speaker check used the profile's noise model
let overNoise: f32 = 0;                      // ... because its frames stood this far above the floor
let t0: i64 = 0;
let active: bool = false;
let newHeard: i32 = 0;
let endedUtterance: bool = false;            // the decision came from an utterance's end (rescorable)
let heardBeforeEnd: i32 = 0;
let phase: i32 = PHASE_LISTEN;
let scoreWord: i32 = -1;                     // PHASE_SCORE: the stretch being scored (-1: not begun), ...
let scoreAt: i32 = 0;                        // ... its next frame
let nWords: i32 = 0;                         // stretches to score (wordFrom/wordTo)
let skippedHops: i32 = 0;                    // hops spent deciding, not listening (keeps heard times on the stream's clock)

// ---- results
export function consentReason(): string { return reason; }
export function consentSpeakerScore(): f32 { return spkScore; }
export function consentThreshold(): f32 { return threshold; }
/** The owner model the last speaker check scored on: "noise" (the profile's noise model) or "quiet". */
export function consentSpeakerModel(): string { return noiseModel ? "noise" : "quiet"; }
/** The last speaker check's frames' mean energy over the noise floor (nats; what chose the model). */
export function consentSpeechOverNoise(): f32 { return overNoise; }
export function consentOutcome(): i32 { return outcome; }
/** The hop (from the prompt's start) where the matcher put the centre of the code's word k in the last aligned
 *  utterance, or -1: tests check that it falls on the word's speech. */
export function consentWordCentreHop(k: i32): i32 {
  return k < 0 || k >= CODE_LENGTH || !aligned ? -1 : wordCentre(k);
}
export function consentHeardCount(): i32 { return nHeard; }
export function consentHeardWord(i: i32): string { return i >= 0 && i < nHeard ? CLASSES[load<i32>(heardCls + (<usize>i << 2))] : ""; }
export function consentHeardTime(i: i32): i64 { return i >= 0 && i < nHeard ? load<i64>(heardT + (<usize>i << 3)) : -1; }
export function consentHeardScore(i: i32): f32 { return i >= 0 && i < nHeard ? load<f32>(heardScore + (<usize>i << 2)) : 0; }
/** Heard entries added since the last call (sensors.ts turns them into "heard" events). */
export function consentTakeNewHeard(): i32 { const n = newHeard; newHeard = 0; return n; }

function r3(v: f32): f64 { return Math.round(<f64>v * 1000) / 1000; }
export function consentHeardJson(): string {
  const out = new Array<string>();
  for (let i = 0; i < nHeard; i++)
    out.push(new Json().str("word", consentHeardWord(i)).int("t_ms", consentHeardTime(i)).num("score", r3(consentHeardScore(i))).toString());
  return jsonArray(out);
}

/** {"consent","reason","heard","speaker_score","threshold","speaker_model"}: the prompt's result for hosts and logs. */
export function consentResultJson(): string {
  return new Json().bool("consent", outcome == CONSENT_ACCEPTED).str("reason", outcome == CONSENT_PENDING ? "pending" : reason)
    .raw("heard", consentHeardJson()).num("speaker_score", r3(spkScore)).num("threshold", r3(threshold))
    .str("speaker_model", consentSpeakerModel()).toString();
}

function decide(o: i32, why: string): i32 { outcome = o; reason = why; active = false; return o; }

function heardPush(cls: i32, t: i64, score: f32): void {
  if (nHeard >= MAX_HEARD) return;
  store<i32>(heardCls + (<usize>nHeard << 2), cls);
  store<i64>(heardT + (<usize>nHeard << 3), t);
  store<f32>(heardScore + (<usize>nHeard << 2), score);
  nHeard++;
  newHeard++;
}

function utteranceClear(): void { nSteps = 0; nFrames = 0; speechSeen = false; uttKeywords = 0; uttCodeWord = false; }

/** t0 at m0 and below, t1 at m1 and above (m0 < m1), linear between. */
function ramp(m: f32, m0: f32, t0: f32, m1: f32, t1: f32): f32 {
  return m <= m0 ? t0 : m >= m1 ? t1 : t0 + (t1 - t0) * (m - m0) / (m1 - m0);
}

/**
 * The speaker threshold a prompt holds the profile to, on the noise model or the quiet one, for speech that stands
 * m nats above its noise floor: the firmware's for that noise level and model, raised by as much as the profile's
 * own threshold exceeds the firmware's default (a host's `enroll --threshold`); a profile's lower threshold does not
 * lower it.
 */
function thresholdOf(profile: usize, noise: bool, m: f32): f32 {
  const raise = max(<f32>0, profileThreshold(profile) - CONSENT_THRESHOLD);
  if (!noise) return raise + ramp(m, NOISE_BELOW, QUIET_NOISY_TH, QUIET_CLEAN_AT, CONSENT_THRESHOLD);
  return raise + (m < NOISE_NOISY_AT ? ramp(m, NOISE_LOUD_AT, NOISE_LOUD_TH, NOISE_NOISY_AT, CONSENT_THRESHOLD_NOISE)
                                     : ramp(m, NOISE_NOISY_AT, CONSENT_THRESHOLD_NOISE, NOISE_CLEAN_AT, NOISE_CLEAN_TH));
}

/**
 * The highest threshold thresholdOf gives a profile that does not raise it: the ramps are linear between their
 * anchors, so it is the largest anchor (a test hook holds a raising profile above it).
 */
export function consentHighestThreshold(): f32 {
  return max(max(max(CONSENT_THRESHOLD, QUIET_NOISY_TH), max(NOISE_CLEAN_TH, CONSENT_THRESHOLD_NOISE)), NOISE_LOUD_TH);
}

/** No speaker check yet for the profile in profileBuf: the quiet model's threshold in the cleanest prompts. */
function speakerCheckClear(): void { threshold = thresholdOf(profileBuf, false, NOISE_CAP); noiseModel = false; overNoise = 0; }

/**
 * Starts a prompt for code words w0 w1 w2 (code-word indices) with the owner profile (profileLen bytes at
 * profile; copied). Outcomes come from consentFeed.
 */
export function consentBegin(w0: i32, w1: i32, w2: i32, profile: usize, profileLen: i32, tMs: i64): void {
  engineReset();
  engineSetStride(STRIDE);
  engineSetGate(true);
  detectorReset();
  detectorSetThreshold(refuseThreshold);
  noiseFloorReset();
  utteranceClear();
  carryN = 0; nHeard = 0; newHeard = 0; spkScore = 0; t0 = tMs; endedUtterance = false; aligned = false; phase = PHASE_LISTEN; skippedHops = 0;
  outcome = CONSENT_PENDING; reason = ""; active = true;
  store<i32>(codeCls, w0 >= 0 && w0 < CODE_VOCAB_SIZE ? CODE_CLASS[w0] : -1);
  store<i32>(codeCls, w1 >= 0 && w1 < CODE_VOCAB_SIZE ? CODE_CLASS[w1] : -1, 4);
  store<i32>(codeCls, w2 >= 0 && w2 < CODE_VOCAB_SIZE ? CODE_CLASS[w2] : -1, 8);
  threshold = 0;
  if (profileLen != PROFILE_BYTES || profile == 0 || !profileValid(profile, profileLen)) { decide(CONSENT_NO_PROFILE, "no_profile"); return; }
  memory.copy(profileBuf, profile, PROFILE_BYTES);
  templatesLoad(profileTemplatesPtr(profileBuf));
  speakerCheckClear();
  // a code the matcher cannot say: nothing the wearer says can match it
  if (load<i32>(codeCls) < 0 || load<i32>(codeCls, 4) < 0 || load<i32>(codeCls, 8) < 0) decide(CONSENT_WRONG_CODE, "wrong_code");
}


/**
 * "no"/"stop" on the newest step: the class whose smoothed posterior reaches the refusal threshold, or -1.
 * Watched apart from the open detector, whose refractory time and release rule after any other keyword
 * (often "go" on the onset of a "no") would hide the "no" behind it: on the tuning speakers at threshold
 * 0.4 the detector let 4 of 96 owners' "no" go unheard, this none.
 */
function refusalStarts(): i32 {
  const st = nSteps - 1;
  const pNo = smoothedAt(st, CLASS_NO), pStop = smoothedAt(st, CLASS_STOP);
  if (max(pNo, pStop) < refuseThreshold) return -1;
  return pNo >= pStop ? CLASS_NO : CLASS_STOP;
}

/** One hop's bookkeeping after engineHop; returns an outcome (PENDING when undecided). */
function afterHop(det: i32): i32 {
  const hop = engineHops() - 1 + skippedHops;
  noiseFloorUpdate(logMelPtr());
  if (engineHopWasSpeech()) {
    speechSeen = true;
    // the speaker statistics take only frames loud enough by themselves (not the VAD's hangover, which in
    // noise is mostly noise), with the background's noise subtracted; the enrolment side does the same (speaker.ts)
    if (nFrames < MAX_FRAMES && vadLastRaw()) {
      memory.copy(frames + <usize>(nFrames * 48), noiseFloorCepstra(logMelPtr()), 48);      // c1..c12
      store<i32>(frameHop + (<usize>nFrames << 2), hop);
      store<f32>(frameLoud + (<usize>nFrames << 2), min(vadEnergy() - vadFloor(), NOISE_CAP));
      nFrames++;
    }
  }
  if (engineHopRanInference()) {
    if (nSteps == MAX_STEPS) {                  // a very long utterance: keep its newer half
      const half = MAX_STEPS >> 1;
      memory.copy(post, post + <usize>(half * NCLASS * 4), <usize>((MAX_STEPS - half) * NCLASS * 4));
      memory.copy(stepHop, stepHop + <usize>(half << 2), <usize>((MAX_STEPS - half) << 2));
      memory.copy(stepEmb, stepEmb + <usize>(half * EMB), <usize>((MAX_STEPS - half) * EMB));
      memory.copy(stepSim, stepSim + <usize>(half * CODE_VOCAB_SIZE * 4), <usize>((MAX_STEPS - half) * CODE_VOCAB_SIZE * 4));
      nSteps -= half;
    }
    memory.copy(post + <usize>(nSteps * NCLASS * 4), kwsScoresPtr(), NCLASS * 4);
    memory.copy(stepEmb + <usize>(nSteps * EMB), engineEmbeddingPtr(), EMB);
    stepSims(nSteps);
    store<i32>(stepHop + (<usize>nSteps << 2), hop + 1);
    nSteps++;
    for (let w = 0; w < CODE_VOCAB_SIZE && !uttCodeWord; w++) uttCodeWord = smoothedAt(nSteps - 1, CODE_CLASS[w]) >= wordMin;
  }
  if (det >= 2) uttKeywords++;
  if (engineHopRanInference()) {
    const r = refusalStarts();
    if (r >= 0) {
      endedUtterance = false;
      heardPush(r, t0 + <i64>(hop + 1) * 20, smoothedAt(nSteps - 1, r));
      return decide(CONSENT_REFUSED, r == CLASS_NO ? "no" : "stop");
    }
  }
  const endHops = uttKeywords < CODE_LENGTH ? END_HOPS_FEW : END_HOPS;
  if (speechSeen && engineHops() - 1 - engineLastSpeechHop() >= endHops) {
    // an utterance that cannot align (too short, or no code word at wordMin: align's own conditions) and has no
    // keyword is dropped at once, as utteranceEnd would drop it a hop later, so that the next hop is listened to
    if (uttKeywords == 0 && (!uttCodeWord || nSteps < MIN_ALIGN_STEPS)) utteranceClear();
    else phase = PHASE_ALIGN;                                     // decided over the next hops
  }
  return CONSENT_PENDING;
}

/** Column col of a per-step f32 table (width values a step) averaged over the SMOOTH steps ending at step (0 before the first). */
@inline function smoothed(table: usize, width: i32, step: i32, col: i32): f32 {
  if (step < 0) return 0;
  let s: f32 = 0;
  let n = 0;
  for (let k = step; k > step - SMOOTH && k >= 0; k--) { s += load<f32>(table + <usize>((k * width + col) << 2)); n++; }
  return s / <f32>n;
}
/** Class cls's smoothed posterior at step. */
function smoothedAt(step: i32, cls: i32): f32 { return smoothed(post, NCLASS, step, cls); }
/** Code word w's smoothed template similarity at step. */
function simAt(step: i32, w: i32): f32 { return smoothed(stepSim, CODE_VOCAB_SIZE, step, w); }

/** Step t's similarity to each loaded template, from its kept embedding. */
function stepSims(t: i32): void {
  templateSims(stepEmb + <usize>(t * EMB), CODE_VOCAB_SIZE, stepSim + <usize>(t * CODE_VOCAB_SIZE * 4));
}

/** The code word (index) whose owner's template the step is closest to by the template rule, or -1. */
function templateWord(step: i32): i32 {
  let best = -1, bs: f32 = -1, second: f32 = -1;
  for (let w = 0; w < CODE_VOCAB_SIZE; w++) {
    const s = simAt(step, w);
    if (s > bs) { second = bs; bs = s; best = w; } else if (s > second) second = s;
  }
  return bs >= templateMin && bs - second >= templateMargin ? best : -1;
}

/** Whether the smoothed class cls at step wins over every other class by WORD_MARGIN and reaches WORD_MIN. */
function wordHolds(step: i32, cls: i32): f32 {
  const p = smoothedAt(step, cls);
  if (p < wordMin) return -1;
  for (let c = 0; c < NCLASS; c++) {
    if (c == cls || c == 0) continue;          // _silence_ does not compete with a word
    if (smoothedAt(step, c) > p - wordMargin) return -1;
  }
  return p;
}

/** Whether steps u and t (words cu, ct) lie on two stretches of speech, each that word's own (segOwner). */
function ownStretches(u: i32, t: i32, cu: i32, ct: i32): bool {
  const su = load<i32>(segAt + (<usize>u << 2)), st = load<i32>(segAt + (<usize>t << 2));
  if (su < 0 || st < 0 || su == st) return false;
  return !segOwner || (stretchIs(su, cu) && stretchIs(st, ct));
}

/**
 * Whether stretch sg's word is class cls: its best keyword class, or the code word its owner's template holds
 * where the spotter hears no keyword on it (none reaches WORD_MIN; otherwise a stretch the spotter hears as
 * "left" could stand for "up" by the owner's template, next to a spoken "up").
 */
@inline function stretchIs(sg: i32, cls: i32): bool {
  if (load<i32>(segWord + (<usize>sg << 2)) == cls) return true;
  const w = load<i32>(segTemplate + (<usize>sg << 2));
  return w >= 0 && CODE_CLASS[w] == cls && load<f32>(segBest + (<usize>sg << 2)) < wordMin;
}

/** Whether code word k repeats a neighbour (the code is known before alignment). */
@inline function repeats(k: i32): bool {
  const c = load<i32>(codeCls + (<usize>k << 2));
  return (k > 0 && load<i32>(codeCls + (<usize>(k - 1) << 2)) == c) || (k + 1 < CODE_LENGTH && load<i32>(codeCls + (<usize>(k + 1) << 2)) == c);
}

/** Aligns the expected code against this utterance's posteriors; fills alignStep; true when found. */
function align(): bool {
  const T = nSteps;
  if (T < MIN_ALIGN_STEPS) return false;
  // the loud stretch nearest each step's word centre (stretches: speech frames split where more than
  // segmentGap hops pass without one; frames and steps both ascend in hop)
  for (let i = 0; i < nFrames; i++) {
    const gap = i > 0 ? load<i32>(frameHop + (<usize>i << 2)) - load<i32>(frameHop + (<usize>(i - 1) << 2)) : 0;
    store<i32>(frameSeg + (<usize>i << 2), i == 0 ? 0 : load<i32>(frameSeg + (<usize>(i - 1) << 2)) + (gap > segmentGap ? 1 : 0));
  }
  let g = 0;
  for (let t = 0; t < T; t++) {
    const c = stepCentre(t);
    while (g < nFrames && load<i32>(frameHop + (<usize>g << 2)) < c) g++;       // the first frame at or after c
    let near = g;
    if (g == nFrames || (g > 0 && c - load<i32>(frameHop + (<usize>(g - 1) << 2)) < load<i32>(frameHop + (<usize>g << 2)) - c)) near = g - 1;
    store<i32>(segAt + (<usize>t << 2), near >= 0 ? load<i32>(frameSeg + (<usize>near << 2)) : -1);
    // the owner's templates are of words centred in the window: only steps whose word centre is on loud speech
    // compare with them, in an utterance where the spotter heard a keyword (TEMPLATE_MIN)
    const centred = near >= 0 && abs(c - load<i32>(frameHop + (<usize>near << 2))) <= TEMPLATE_CENTRE_HOPS;
    store<i32>(tmplAt + (<usize>t << 2), uttKeywords > 0 && centred ? templateWord(t) : -1);
  }
  // each stretch's word: the keyword class with the highest smoothed posterior over the steps centred on it
  // (segAt never decreases with t, so a stretch's steps are one run), and that posterior
  let runBest: f32 = 0;
  for (let t = 0; t < T; t++) {
    const sg = load<i32>(segAt + (<usize>t << 2));
    if (sg < 0) continue;
    if (t == 0 || sg != load<i32>(segAt + (<usize>(t - 1) << 2))) runBest = 0;
    for (let c = 2; c < NCLASS; c++) {
      const p = smoothedAt(t, c);
      if (p > runBest) { runBest = p; store<i32>(segWord + (<usize>sg << 2), c); }
    }
    store<f32>(segBest + (<usize>sg << 2), runBest);
  }
  // one word a stretch by the templates: the code word its steps come closest to (segTemplate)
  let runSim: f32 = 0;
  for (let t = 0; t < T; t++) {
    const sg = load<i32>(segAt + (<usize>t << 2));
    if (sg < 0) continue;                        // no loud frame near: never centred, tmplAt already -1
    if (t == 0 || sg != load<i32>(segAt + (<usize>(t - 1) << 2))) { runSim = 0; store<i32>(segTemplate + (<usize>sg << 2), -1); }
    const w = load<i32>(tmplAt + (<usize>t << 2));
    if (w < 0) continue;
    const sim = simAt(t, w);
    if (sim > runSim) { runSim = sim; store<i32>(segTemplate + (<usize>sg << 2), w); }
  }
  for (let t = 0; t < T; t++) {
    const w = load<i32>(tmplAt + (<usize>t << 2)), sg = load<i32>(segAt + (<usize>t << 2));
    if (w >= 0 && load<i32>(segTemplate + (<usize>sg << 2)) != w) store<i32>(tmplAt + (<usize>t << 2), -1);
  }
  for (let k = 0; k < CODE_LENGTH; k++) {
    const cls = load<i32>(codeCls + (<usize>k << 2));
    for (let t = 0; t < T; t++) {
      let h = wordHolds(t, cls);
      if (h < 0 && load<i32>(tmplAt + (<usize>t << 2)) >= 0 && CODE_CLASS[load<i32>(tmplAt + (<usize>t << 2))] == cls) h = wordMin;
      store<f32>(smoothW + <usize>((k * MAX_STEPS + t) << 2), h);
    }
  }
  const NEG: f32 = -1e30;
  for (let t = 0; t < T; t++) {
    const h = load<f32>(smoothW + <usize>(t << 2));
    store<f32>(dp + <usize>(t << 2), h > 0 ? <f32>Math.log(<f64>h) : NEG);
  }
  for (let k = 1; k < CODE_LENGTH; k++) {
    // a repeated word and its neighbours each on a stretch of their own (SEGMENT_GAP)
    const apart = segmentGap > 0 && (repeats(k - 1) || repeats(k));
    const prevCls = load<i32>(codeCls + (<usize>(k - 1) << 2)), cls = load<i32>(codeCls + (<usize>k << 2));
    for (let t = 0; t < T; t++) {
      const h = load<f32>(smoothW + <usize>((k * MAX_STEPS + t) << 2));
      let best: f32 = NEG, arg = -1;
      if (h > 0) {
        for (let u = t - MIN_GAP; u >= t - MAX_GAP && u >= 0; u--) {
          const v = load<f32>(dp + <usize>(((k - 1) * MAX_STEPS + u) << 2));
          if (v <= best) continue;
          if (apart && !ownStretches(u, t, prevCls, cls)) continue;
          best = v; arg = u;
        }
      }
      store<f32>(dp + <usize>((k * MAX_STEPS + t) << 2), arg >= 0 && best > NEG ? best + <f32>Math.log(<f64>h) : NEG);
      store<i16>(back + <usize>((k * MAX_STEPS + t) << 1), <i16>arg);
    }
  }
  let bestT = -1;
  let best: f32 = NEG;
  const last = CODE_LENGTH - 1;
  for (let t = 0; t < T; t++) {
    const v = load<f32>(dp + <usize>((last * MAX_STEPS + t) << 2));
    if (v > best) { best = v; bestT = t; }
  }
  if (bestT < 0 || best <= NEG) return false;
  let t = bestT;
  for (let k = last; k >= 0; k--) {
    store<i32>(alignStep + (<usize>k << 2), t);
    if (k > 0) t = <i32>load<i16>(back + <usize>((k * MAX_STEPS + t) << 1));
  }
  return true;
}

/** The hop of the word centre step t's posteriors speak for: the step's hop less WORD_LAG_HOPS. */
@inline function stepCentre(t: i32): i32 { return load<i32>(stepHop + (<usize>t << 2)) - WORD_LAG_HOPS; }
/** The hop of aligned word k's centre (its peak step's). */
@inline function wordCentre(k: i32): i32 { return stepCentre(load<i32>(alignStep + (<usize>k << 2))); }

/**
 * The stretches the speaker check scores (wordFrom/wordTo, nWords): the speech frames around each aligned word,
 * one stretch per word; a word with fewer than 5 is left out, and with none left every speech frame is one
 * stretch (none with fewer than 5 frames in all).
 */
function scoreStretches(): void {
  nWords = 0;
  for (let k = 0; k < CODE_LENGTH; k++) {
    const centre = wordCentre(k);
    let lo = centre - WORD_HALF_HOPS, hi = centre + WORD_HALF_HOPS;
    if (k > 0) lo = max(lo, (wordCentre(k - 1) + centre) >> 1);
    if (k < CODE_LENGTH - 1) hi = min(hi, (centre + wordCentre(k + 1)) >> 1);
    let a = 0;
    while (a < nFrames && load<i32>(frameHop + (<usize>a << 2)) < lo) a++;
    let b = a;
    while (b < nFrames && load<i32>(frameHop + (<usize>b << 2)) < hi) b++;
    if (b - a < 5) continue;                        // too little speech to say anything about this word
    store<i32>(wordFrom + (<usize>nWords << 2), a);
    store<i32>(wordTo + (<usize>nWords << 2), b);
    nWords++;
  }
  if (nWords == 0 && nFrames >= 5) {
    store<i32>(wordFrom, 0);
    store<i32>(wordTo, nFrames);
    nWords = 1;
  }
}

/** The mean of the stretches' frames' energy over the noise floor (frameLoud); NOISE_CAP with no stretch. */
function speechOverNoise(): f32 {
  let sum: f32 = 0;
  let n = 0;
  for (let w = 0; w < nWords; w++) {
    const to = load<i32>(wordTo + (<usize>w << 2));
    for (let f = load<i32>(wordFrom + (<usize>w << 2)); f < to; f++) { sum += load<f32>(frameLoud + (<usize>f << 2)); n++; }
  }
  return n > 0 ? sum / <f32>n : NOISE_CAP;
}

/**
 * One hop's share of the speaker check: the profile's means first, then SCORE_FRAMES frames of the stretches
 * in order (the same score as scoring each stretch whole). Returns the decision once every frame is scored,
 * else PENDING.
 */
function scoreStep(): i32 {
  if (scoreWord < 0) {
    overNoise = speechOverNoise();
    noiseModel = overNoise < noiseBelow;
    threshold = thresholdOf(profileBuf, noiseModel, overNoise);
    scoreBegin(profileBuf, noiseModel);
    scoreWord = 0; scoreAt = nWords > 0 ? load<i32>(wordFrom) : 0;
    return CONSENT_PENDING;
  }
  let left = SCORE_FRAMES;
  while (left > 0 && scoreWord < nWords) {
    const from = load<i32>(wordFrom + (<usize>scoreWord << 2)), to = load<i32>(wordTo + (<usize>scoreWord << 2));
    const upto = min(to, scoreAt + left);
    scoreRowsPart(frames, from, to, scoreAt, upto);
    left -= upto - scoreAt;
    scoreAt = upto;
    if (scoreAt >= to) { scoreWord++; if (scoreWord < nWords) scoreAt = load<i32>(wordFrom + (<usize>scoreWord << 2)); }
  }
  if (scoreWord < nWords) return CONSENT_PENDING;
  phase = PHASE_LISTEN;
  spkScore = nWords > 0 ? scoreEnd() : <f32>-1e9;
  const human = scoreSpeechLikelihood() >= SPEECH_FLOOR;
  return spkScore >= threshold && human ? decide(CONSENT_ACCEPTED, "code") : decide(CONSENT_VOICE_MISMATCH, "voice");
}

/** One hop of the decision (PHASE_ALIGN or PHASE_SCORE); returns the outcome, PENDING while it runs or listens again. */
function decideStep(): i32 {
  if (phase == PHASE_SCORE) return scoreStep();
  return utteranceEnd();
}

function utteranceEnd(): i32 {
  endedUtterance = true;
  heardBeforeEnd = nHeard;
  aligned = align();
  if (aligned) {
    for (let k = 0; k < CODE_LENGTH; k++) {
      const st = load<i32>(alignStep + (<usize>k << 2));
      const cls = load<i32>(codeCls + (<usize>k << 2));
      heardPush(cls, t0 + <i64>load<i32>(stepHop + (<usize>st << 2)) * 20, smoothedAt(st, cls));
    }
    scoreStretches();
    phase = PHASE_SCORE; scoreWord = -1;
    return CONSENT_PENDING;                       // scored over the next hops (scoreStep)
  }
  if (uttKeywords > 0) {
    // what the spotter did hear, for the HUD and the logs: each step's winning keyword, once per run
    let prev = -1;
    for (let t = 0; t < nSteps && nHeard < MAX_HEARD; t++) {
      let bc = -1;
      let bp: f32 = wordMin;
      for (let c = 2; c < NCLASS; c++) { const p = smoothedAt(t, c); if (p > bp) { bp = p; bc = c; } }
      if (bc >= 0 && bc != prev) heardPush(bc, t0 + <i64>load<i32>(stepHop + (<usize>t << 2)) * 20, bp);
      prev = bc;
    }
    phase = PHASE_LISTEN;
    return decide(CONSENT_WRONG_CODE, "wrong_code");
  }
  endedUtterance = false;
  phase = PHASE_LISTEN;
  utteranceClear();                      // no keyword at all: not an answer; keep listening
  return CONSENT_PENDING;
}

/**
 * Feeds n int16 samples at pcm (any chunking; tMs is the time of the first sample, unused beyond the
 * begin time). Returns a CONSENT_* outcome: PENDING until decided, then the decision on every call.
 */
export function consentFeed(pcm: usize, n: i32, tMs: i64): i32 {
  if (!active) return outcome;
  if (n <= 0) return CONSENT_PENDING;
  let i = 0;
  while (i < n) {
    const take = min(HOP - carryN, n - i);
    memory.copy(carry + <usize>(carryN << 1), pcm + <usize>(i << 1), <usize>(take << 1));
    carryN += take; i += take;
    if (carryN == HOP) {
      carryN = 0;
      let r: i32;
      if (phase == PHASE_LISTEN) r = afterHop(engineHop(carry));
      else { skippedHops++; r = decideStep(); }      // the hop's audio is not listened to: the answer has ended
      if (r != CONSENT_PENDING) return r;
    }
  }
  return CONSENT_PENDING;
}

/** Ends the prompt as the session's window closes: decides on what was heard so far (PENDING if nothing). */
export function consentFlush(): i32 {
  if (!active) return outcome;
  if (phase == PHASE_LISTEN && speechSeen) phase = PHASE_ALIGN;
  return decideNow();
}

/** Runs the decision begun (if any) to its end at once: for flushes and rescoring, not for live hops. */
function decideNow(): i32 {
  let r = CONSENT_PENDING;
  while (phase != PHASE_LISTEN && r == CONSENT_PENDING) r = decideStep();
  return r;
}

export function consentActive(): bool { return active; }
/** Whether the prompt is deciding (the utterance has ended; its alignment and speaker check run over the next hops). */
export function consentDeciding(): bool { return active && phase != PHASE_LISTEN; }

/**
 * Measurement aid: decides the prompt just decided again as if the code had been w0 w1 w2 and the owner
 * the profile at `profile`. Where and whether a prompt is decided does not depend on the code or the
 * owner (refusals, utterance ends and "was any keyword heard" come from the audio alone), so this gives
 * exactly what a fresh prompt on the same audio would give, without running the spotter again.
 * Returns the outcome, or -1 when the last decision did not come from an utterance's end (refused,
 * no profile, still pending: those answers do not depend on the code).
 */
export function consentRescore(w0: i32, w1: i32, w2: i32, profile: usize, profileLen: i32): i32 {
  if (!endedUtterance || active) return -1;
  if (profileLen != PROFILE_BYTES || !profileValid(profile, profileLen)) return -1;
  if (w0 < 0 || w0 >= CODE_VOCAB_SIZE || w1 < 0 || w1 >= CODE_VOCAB_SIZE || w2 < 0 || w2 >= CODE_VOCAB_SIZE) return -1;
  memory.copy(profileBuf, profile, PROFILE_BYTES);
  speakerCheckClear();
  // the template similarities belong to the owner: computed again from the steps' embeddings
  templatesLoad(profileTemplatesPtr(profileBuf));
  for (let t = 0; t < nSteps; t++) stepSims(t);
  store<i32>(codeCls, CODE_CLASS[w0]); store<i32>(codeCls, CODE_CLASS[w1], 4); store<i32>(codeCls, CODE_CLASS[w2], 8);
  nHeard = heardBeforeEnd; newHeard = 0; spkScore = 0;
  phase = PHASE_ALIGN;
  return decideNow();
}
