// Streaming keyword detection: posterior smoothing over the last SMOOTH inferences, a threshold on the
// smoothed posterior of the best keyword class; after a detection, a refractory period and a release
// condition (the detected class must fall below RELEASE × threshold, or MAX_HOLD_MS pass) before the next.
// Mirrored in tools/voice/detect.py (the streaming false-accept / false-reject measurement).
import { NCLASS } from "./model";

export const SMOOTH: i32 = 3;                 // inferences averaged
export const DEFAULT_THRESHOLD: f32 = 0.75;
export const REFRACTORY_MS: i32 = 500;       // no detection within this time after one
export const RELEASE: f32 = 0.5;              // ... nor until the detected class falls below RELEASE × threshold
export const MAX_HOLD_MS: i32 = 2000;         // (at most this long)
export const MAX_EVENTS: i32 = 64;
export const FIRST_KEYWORD: i32 = 2;          // classes 0, 1 are _silence_, _unknown_

const hist: usize = memory.data(SMOOTH * NCLASS * 4, 16);   // f32 ring of posteriors
const smooth: usize = memory.data(NCLASS * 4, 16);
const evCls: usize = memory.data(MAX_EVENTS * 4, 16);
const evT: usize = memory.data(MAX_EVENTS * 8, 16);
const evScore: usize = memory.data(MAX_EVENTS * 4, 16);

let nHist: i32 = 0;
let pos: i32 = 0;
let threshold: f32 = DEFAULT_THRESHOLD;
let lastDetT: i64 = -1000000;
let lastDetCls: i32 = -1;
let released: bool = true;
let nEvents: i32 = 0;
let dropped: i32 = 0;

export function detectorReset(): void {
  memory.fill(hist, 0, SMOOTH * NCLASS * 4);
  nHist = 0; pos = 0; lastDetT = -1000000; lastDetCls = -1; released = true; nEvents = 0; dropped = 0;
}
export function detectorSetThreshold(t: f32): void { threshold = t; }
export function detectorThreshold(): f32 { return threshold; }

/** Feeds one posterior vector (NCLASS f32) at time tMs; returns the detected class or -1. */
export function detectorUpdate(scores: usize, tMs: i64): i32 {
  memory.copy(hist + <usize>(pos * NCLASS * 4), scores, NCLASS * 4);
  pos = (pos + 1) % SMOOTH;
  if (nHist < SMOOTH) nHist++;
  let best = -1;
  let bestP: f32 = 0;
  for (let c = 0; c < NCLASS; c++) {
    let s: f32 = 0;
    for (let k = 0; k < nHist; k++) s += load<f32>(hist + <usize>((k * NCLASS + c) * 4));
    s /= <f32>nHist;
    store<f32>(smooth + (<usize>c << 2), s);
    if (c >= FIRST_KEYWORD && s > bestP) { bestP = s; best = c; }
  }
  if (!released && lastDetCls >= 0 && load<f32>(smooth + (<usize>lastDetCls << 2)) < RELEASE * threshold) released = true;
  if (tMs - lastDetT >= <i64>MAX_HOLD_MS) released = true;
  if (best < 0 || bestP < threshold || tMs - lastDetT < <i64>REFRACTORY_MS || !released) return -1;
  lastDetT = tMs;
  lastDetCls = best;
  released = false;
  if (nEvents < MAX_EVENTS) {
    store<i32>(evCls + (<usize>nEvents << 2), best);
    store<i64>(evT + (<usize>nEvents << 3), tMs);
    store<f32>(evScore + (<usize>nEvents << 2), bestP);
    nEvents++;
  } else dropped++;
  return best;
}

export function smoothedPtr(): usize { return smooth; }
export function eventCount(): i32 { return nEvents; }
export function eventClass(i: i32): i32 { return i >= 0 && i < nEvents ? load<i32>(evCls + (<usize>i << 2)) : -1; }
export function eventTime(i: i32): i64 { return i >= 0 && i < nEvents ? load<i64>(evT + (<usize>i << 3)) : -1; }
export function eventScore(i: i32): f32 { return i >= 0 && i < nEvents ? load<f32>(evScore + (<usize>i << 2)) : 0; }
/** Removes the events already read (the host drains after each feed). */
export function eventsClear(): void { nEvents = 0; }
export function eventsDropped(): i32 { return dropped; }
