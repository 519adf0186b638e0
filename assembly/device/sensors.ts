// Camera and microphone on the device. While the session scans, every frame is searched for payment
// codes (qr/); while it waits for the wearer, the microphone runs the spoken-code consent matcher
// (voice/consent.ts: the code shown on the HUD, in order, in the owner's voice; "no"/"stop" refuse).
// All buffers are the engines' own, allocated once; nothing here allocates per frame or per hop except
// the "heard" events when a word is heard.
import { OK, E_ARGS, E_CONFIG, E_VOICE_PROFILE, E_STATE } from "../errors";
import { qrInit, qrFrameBuffer, qrDecode, qrResultPtr, qrResultLen } from "../qr/exports";
import { voiceAudioBuffer, VOICE_AUDIO_MAX } from "../voice/exports";
import { enrolBegin, enrolAdd, enrolFinish, profileBufferPtr, profileValid, PROFILE_BYTES, CONSENT_THRESHOLD } from "../voice/speaker";
import { consentBegin, consentFeed, consentTakeNewHeard, consentHeardCount, consentHeardWord, consentHeardTime,
  consentHeardScore, consentOutcome, CONSENT_PENDING, CONSENT_NO_PROFILE } from "../voice/consent";
import { codeWordMask, CODE_VOCAB_SIZE } from "../voice/code-words";
import { parsePayloadBytes } from "../pay/payload";
import { KIND_UNKNOWN } from "../pay/payload_common";
import { SECTION_VOICE } from "../pay/sections";
import { stateGet, stateSet } from "../state/blob";
import { Json } from "../io/json";
import { pushEvent } from "./events";
import { hexToBytes } from "../util/hex";

export const AUDIO_MAX: i32 = VOICE_AUDIO_MAX;
const profile: usize = memory.data(PROFILE_BYTES, 16);
let listening: bool = false;

let frame: usize = 0;

export function cameraInit(w: i32, h: i32): i32 {
  if (qrInit(w, h) != OK) return E_CONFIG;
  frame = qrFrameBuffer(w, h);
  return frame == 0 ? E_CONFIG : OK;
}
export function cameraBuffer(): usize { return frame; }

/** Moves rows together when the camera's stride is wider than the frame. */
export function compactRows(w: i32, h: i32, stride: i32): void {
  if (stride == w) return;
  for (let y = 1; y < h; y++) memory.copy(frame + <usize>(y * w), frame + <usize>(y * stride), <usize>w);
}

const found = new Array<Uint8Array>();

/** Every decoded code in the frame that looks like a payment payload (allocates only when codes are found). */
export function findPaymentCodes(w: i32, h: i32): Uint8Array[] {
  const out = found;
  out.length = 0;
  const n = qrDecode(w, h);
  if (n <= 0) return out;
  const text = String.UTF8.decodeUnsafe(qrResultPtr(), qrResultLen());
  const records = text.split("\n");
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const at = r.indexOf("\"bytes\":\"");
    if (at < 0) continue;
    const end = r.indexOf("\"", at + 9);
    const bytes = hexToBytes(r.substring(at + 9, end));
    if (bytes == null || bytes.length == 0) continue;
    if (parsePayloadBytes(bytes!.dataStart, bytes!.length).kind == KIND_UNKNOWN) continue;
    out.push(bytes!);
  }
  return out;
}

export function micBuffer(): usize { return voiceAudioBuffer(); }

/**
 * Whether the sealed state holds a voice profile this firmware can score: a profile of an older speaker model
 * (another version) does not count, so the paired phone can have the owner enrol again after an update.
 */
export function ownerProfileStored(): bool {
  const n = stateGet(SECTION_VOICE, profile, PROFILE_BYTES);
  return n == PROFILE_BYTES && profileValid(profile, n);
}

/**
 * Starts listening for the code w0 w1 w2 (code-word indices, drawn by the session) at tMs. Returns OK, or
 * E_VOICE_PROFILE when no owner is enrolled (SECTION_VOICE missing or invalid; nothing listens then),
 * E_ARGS for a word outside the code vocabulary.
 */
export function listenForCode(w0: i32, w1: i32, w2: i32, tMs: i64): i32 {
  const plen = stateGet(SECTION_VOICE, profile, PROFILE_BYTES);
  consentBegin(w0, w1, w2, profile, plen, tMs);
  listening = false;
  if (consentOutcome() == CONSENT_NO_PROFILE) return E_VOICE_PROFILE;
  if (consentOutcome() != CONSENT_PENDING) return E_ARGS;        // a word outside the code vocabulary
  listening = true;
  return OK;
}
export function listenStop(): void { listening = false; }
export function isListening(): bool { return listening; }
/**
 * Kept until the session's payflow calls listenForCode: listens for no code at all, so any answer but
 * "no"/"stop" ends as a wrong code.
 */
export function listenReset(): void { listenForCode(-1, -1, -1, 0); }

/**
 * n samples in micBuffer() at tMs. Returns a CONSENT_* outcome (PENDING until decided); pushes a
 * {"type":"heard"} event for every word heard.
 */
export function listen(n: i32, tMs: i64): i32 {
  if (!listening || n <= 0 || n > AUDIO_MAX) return CONSENT_PENDING;
  const r = consentFeed(voiceAudioBuffer(), n, tMs);
  const fresh = consentTakeNewHeard();
  for (let i = consentHeardCount() - fresh; i < consentHeardCount(); i++) {
    pushEvent(new Json().str("type", "heard").str("word", consentHeardWord(i)).int("t_ms", consentHeardTime(i))
      .num("score", Math.round(<f64>consentHeardScore(i) * 1000) / 1000).toString());
  }
  if (r != CONSENT_PENDING) listening = false;
  return r;
}

// ---- enrolment: clips tagged by word (every code word at least once), then the profile goes into the state.
export function enrollBegin(): i32 { enrolBegin(); return OK; }
/** The clip is n samples in micBuffer(); word = code-word index, or -1 for another word (yes/no/stop). */
export function enrollAdd(n: i32, word: i32): i32 {
  if (n <= 0 || n > AUDIO_MAX || word < -1 || word >= CODE_VOCAB_SIZE) return E_STATE;
  return enrolAdd(voiceAudioBuffer(), n, word);
}
export function enrollFinish(): i32 {
  const len = enrolFinish(CONSENT_THRESHOLD, codeWordMask());
  if (len <= 0) return -len;
  const st = stateSet(SECTION_VOICE, profileBufferPtr(), len);
  if (st == OK) pushEvent(new Json().str("type", "enrolled").int("bytes", len).toString());
  return st;
}
