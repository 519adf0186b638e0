// Camera and microphone on the device. While the session scans, every frame is searched for payment
// codes (qr/); while it waits for the wearer, the microphone runs keyword spotting (voice/) and a "yes"
// is checked against the enrolled owner's voice over the last second of audio. All buffers are the
// engines' own, allocated once; nothing here allocates per frame or per hop except on a detection.
import { OK, E_CONFIG, E_VOICE_PROFILE, E_STATE } from "../errors";
import { qrInit, qrFrameBuffer, qrDecode, qrResultPtr, qrResultLen } from "../qr/exports";
import { voiceAudioBuffer, VOICE_AUDIO_MAX } from "../voice/exports";
import { clipBegin, clipFeed } from "../voice/clip";
import { eventCount, eventClass, eventsClear } from "../voice/detector";
import { enrolBegin, enrolAdd, enrolFinish, verifyUtterance, profileBufferPtr, lastVerifyScore, PROFILE_BYTES,
  DEFAULT_THRESHOLD } from "../voice/speaker";
import { parsePayloadBytes } from "../pay/payload";
import { KIND_UNKNOWN } from "../pay/payload_common";
import { SECTION_VOICE } from "../pay/sections";
import { stateGet, stateSet } from "../state/blob";
import { Json } from "../io/json";
import { pushEvent } from "./events";
import { hexToBytes } from "../util/hex";

export const AUDIO_MAX: i32 = VOICE_AUDIO_MAX;
const CLASS_YES = 2, CLASS_NO = 3, CLASS_STOP = 10;
const RING: i32 = 24000;                 // 1.5 s of 16 kHz audio: the last word for the voice check
const VERIFY_SAMPLES: i32 = 16000;
const ring: usize = memory.data(RING * 2, 16);
const window: usize = memory.data(VERIFY_SAMPLES * 2, 16);
const profile: usize = memory.data(PROFILE_BYTES, 16);
let ringPos: i32 = 0;
let ringFill: i32 = 0;
let eventsSeen: i32 = 0;
let listening: bool = false;
// After "yes" is spotted the word may still be going on: the voice check waits this many samples more,
// so the last second of audio holds the whole word (as the enrolment clips do).
const VERIFY_DELAY: i32 = 6400;
let verifyIn: i32 = -1;

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

/** Starts listening for an answer (the session just asked the wearer). */
export function listenReset(): void {
  clipBegin(0);
  eventsClear();
  eventsSeen = 0;
  verifyIn = -1;
  ringPos = 0;
  ringFill = 0;
  listening = true;
}
export function listenStop(): void { listening = false; }
export function isListening(): bool { return listening; }

function ringAppend(src: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<i16>(ring + <usize>(ringPos << 1), load<i16>(src + <usize>(i << 1)));
    ringPos = ringPos + 1 == RING ? 0 : ringPos + 1;
  }
  ringFill = min(RING, ringFill + n);
}

/** The owner check over the last second of audio: 1 accept, 0 reject, -status without a profile. */
function verifyOwner(): i32 {
  const plen = stateGet(SECTION_VOICE, profile, PROFILE_BYTES);
  if (plen != PROFILE_BYTES) return -E_VOICE_PROFILE;
  const n = min(VERIFY_SAMPLES, ringFill);
  let p = ringPos - n;
  if (p < 0) p += RING;
  for (let i = 0; i < n; i++) {
    store<i16>(window + <usize>(i << 1), load<i16>(ring + <usize>(p << 1)));
    p = p + 1 == RING ? 0 : p + 1;
  }
  return verifyUtterance(profile, plen, window, n);
}

/**
 * n samples in micBuffer() at tMs. Returns the keyword heard as "yes"/"no"/"stop" (and sets
 * lastOwnerVerified for "yes"), or "" when nothing decisive was heard yet.
 */
export let lastOwnerVerified: bool = false;
export let lastVoiceScore: f32 = 0;
export function listen(n: i32, tMs: i64): string {
  if (!listening) return "";
  const src = voiceAudioBuffer();
  ringAppend(src, n);
  if (verifyIn >= 0) {
    verifyIn -= n;
    if (verifyIn > 0) return "";
    verifyIn = -1;
    const v = verifyOwner();
    lastOwnerVerified = v == 1;
    lastVoiceScore = v >= 0 ? lastVerifyScore() : -1e9;
    pushEvent(new Json().str("type", "voice").str("keyword", "yes").bool("owner", lastOwnerVerified)
      .num("score", Math.round(<f64>lastVoiceScore * 1000) / 1000).bool("profile", v >= 0).int("t_ms", tMs).toString());
    return "yes";
  }
  clipFeed(src, n);
  const count = eventCount();
  while (eventsSeen < count) {
    const c = eventClass(eventsSeen++);
    if (c == CLASS_NO || c == CLASS_STOP) return c == CLASS_NO ? "no" : "stop";
    if (c == CLASS_YES) {
      pushEvent(new Json().str("type", "keyword").str("keyword", "yes").int("t_ms", tMs).toString());
      verifyIn = VERIFY_DELAY;
      return "";
    }
  }
  return "";
}

// ---- enrolment: 3–5 utterances of the keyword, one per call, then the profile goes into the state.
export function enrollBegin(): void { enrolBegin(); }
export function enrollAdd(n: i32): i32 {
  if (n <= 0 || n > AUDIO_MAX) return E_STATE;
  return enrolAdd(voiceAudioBuffer(), n);
}
export function enrollFinish(): i32 {
  const len = enrolFinish(DEFAULT_THRESHOLD);
  if (len <= 0) return -len;
  const st = stateSet(SECTION_VOICE, profileBufferPtr(), len);
  if (st == OK) pushEvent(new Json().str("type", "enrolled").int("bytes", len).toString());
  return st;
}
