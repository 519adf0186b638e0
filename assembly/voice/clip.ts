// Clip/stream sessions over the streaming engine: begin → feed samples (any chunking) → finish.
// Clips shorter than 1 s are centred in 1 s of zeros (as in training). The clip-level answer is the
// final 1 s window for clips up to 1 s, otherwise the window with the largest keyword posterior.
import { HOP } from "./tables";
import { engineReset, engineHop, engineInfer, bestScoresPtr, engineHops } from "./engine";
import { kwsScoresPtr } from "./kws";
import { NCLASS } from "./model";

export const CLIP_SAMPLES: i32 = 16000;
const carry: usize = memory.data(HOP * 2, 16);      // int16 partial hop
const zeros: usize = memory.data(HOP * 2, 16);
const clipScores: usize = memory.data(NCLASS * 4, 16);
let carryN: i32 = 0;
let total: i32 = 0;
let fed: i32 = 0;
let trailing: i32 = 0;
let newEvents: i32 = 0;

function pushSamples(src: usize, n: i32, isZero: bool): void {
  let i = 0;
  while (i < n) {
    const take = min(HOP - carryN, n - i);
    if (isZero) memory.fill(carry + <usize>(carryN << 1), 0, <usize>(take << 1));
    else memory.copy(carry + <usize>(carryN << 1), src + <usize>(i << 1), <usize>(take << 1));
    carryN += take; i += take;
    if (carryN == HOP) {
      if (engineHop(carry) >= 0) newEvents++;
      carryN = 0;
    }
  }
  fed += n;
}

/** Starts a clip of `totalSamples` (pass 0 for an open-ended stream: no centring). */
export function clipBegin(totalSamples: i32): void {
  engineReset();
  carryN = 0; fed = 0; newEvents = 0;
  total = totalSamples;
  trailing = 0;
  if (totalSamples > 0 && totalSamples < CLIP_SAMPLES) {
    const lead = (CLIP_SAMPLES - totalSamples) >> 1;
    trailing = CLIP_SAMPLES - totalSamples - lead;
    pushSamples(zeros, lead, true);
  }
}

/** Feeds n int16 samples at src; returns the number of detections so far in this clip. */
export function clipFeed(src: usize, n: i32): i32 {
  pushSamples(src, n, false);
  return newEvents;
}

/** Ends the clip: trailing padding, last partial hop, clip-level scores. Returns the clip's class. */
export function clipFinish(): i32 {
  if (trailing > 0) { pushSamples(zeros, trailing, true); trailing = 0; }
  if (carryN > 0) { pushSamples(zeros, HOP - carryN, true); }
  let src = bestScoresPtr();
  if (total <= CLIP_SAMPLES || engineHops() <= 50) { engineInfer(); src = kwsScoresPtr(); }
  memory.copy(clipScores, src, NCLASS * 4);
  let best = 0;
  for (let i = 1; i < NCLASS; i++) if (load<f32>(clipScores + (<usize>i << 2)) > load<f32>(clipScores + (<usize>best << 2))) best = i;
  return best;
}

export function clipScoresPtr(): usize { return clipScores; }
