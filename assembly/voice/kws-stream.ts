// The spotter's network in streaming form, for live audio: each layer's rows are computed once, when the
// two 20 ms frames that complete a conv1 row arrive, instead of the whole one-second window every 40 ms
// (kwsRun). An inference then only pools the last T1 rows of the last block and runs the classifier.
//
// Same weights and arithmetic as kwsRun, one difference: inside a stream a row's neighbours are the real
// rows before and after it, where kwsRun, seeing one window, pads its edges with zeros. The output row
// therefore trails the input by the network's look-ahead (conv1: 5 frames; each depthwise 3x3: one row),
// 260 ms in all, plus the 20 ms hop over which a row's blocks are split. Clip-level answers (clip.ts) still use
// kwsRun on the centred window.
//
// Cost per conv1 row: 5 x 64 x (40 + 4 x (9 + 64)) MACs = 106 k, against 2.66 M for a window.
import { NCLASS, F_IN, CH, NBLOCKS, DW_B, DW_MULT, DW_SHIFT, PW_B, PW_MULT, PW_SHIFT,
         FC_W, FC_B, FC_DEQ } from "./model";
import { conv1Position, packedDenseRelu3, denseI8, softmaxDeq, depthwisePosition, quantizeFrameTo, kwsEnsurePrepared, packedPointwisePtr,
         depthwiseTPtr, kwsLogitsPtr, kwsScoresPtr } from "./kws";

const T1: i32 = 25;                    // rows pooled per inference (one second)
const F1: i32 = 5;
const PF: i32 = F1 + 2;                // a row with its zero border (frequency padding 1)
const ROW: i32 = PF * 64;              // bytes of a padded row
const KT: i32 = 10;                    // conv1 taps in time (stride 2) ...
const KT_BEFORE: i32 = 4;              // ... of which this many before the row's own pair of frames (the padding)

const frames: usize = memory.data(KT * F_IN, 16);            // last KT quantised frames, oldest first
const win: usize = memory.data(NBLOCKS * 3 * ROW, 16);        // per block: its input rows r-1, r, r+1 (padded)
const dwRow: usize = memory.data(F1 * 64, 16);                // one depthwise output row
const last: usize = memory.data(T1 * F1 * 64, 16);            // ring: the last block's last T1 rows
const sums: usize = memory.data(64 * 4, 16);                  // i32 per channel: sum over the ring
const pooled: usize = memory.data(64, 16);
// How many frames an inference trails the window it pools: the last block's newest row (own frames 2m, 2m+1)
// needs conv1's 4 frames after its own pair and one row (2 frames) more per depthwise block, and its blocks finish
// one frame later (SPLIT, below). Where the whole-window network's word sits mid-window ~25 hops before the
// inference, the stream's sits this much earlier (consent.ts WORD_LAG_HOPS).
export const STREAM_LAG_FRAMES: i32 = (KT - KT_BEFORE - 2) + 2 * NBLOCKS + 1;
let lastPos: i32 = 0;
let framesSeen: i32 = 0;
// A row's blocks run over two hops in steps (runSteps): steps 0..SPLIT-1 with the frame that completes the conv1
// row, the rest with the next frame, which also runs the inference (engine.ts). SPLIT = 10 (conv1, block 0, block
// 1's depthwise and first three positions) evens the two hops: on mcu-s3, with the front end and the consent
// bookkeeping (and the speaker check's noise floor), no hop over 423 k fuel (bench/consent-mcu-s3.json "fuel").
// pendingFrom is the first step still to run, or -1.
const STEPS_PER_BLOCK: i32 = F1 + 1;
const STEPS: i32 = NBLOCKS * STEPS_PER_BLOCK;
const SPLIT: i32 = 10;
let pendingFrom: i32 = -1;

export function kwsStreamReset(): void {
  memory.fill(frames, 0, KT * F_IN);
  memory.fill(win, 0, NBLOCKS * 3 * ROW);
  memory.fill(last, 0, T1 * F1 * 64);
  memory.fill(sums, 0, 64 * 4);
  lastPos = 0; framesSeen = 0; pendingFrom = -1;
  kwsEnsurePrepared();                 // packs the weights now (once), not inside the first audio hop
}

/** The last block's ring (tests): conv1 row n leaves the last block's row n − 4 at slot (n mod T1), [F1][CH] each,
 *  one frame after the frame that completed it. */
export function kwsStreamRingPtr(): usize { return last; }
/** The last inference's pooled channels (int8 [CH], ≥ 0): the embedding consent.ts compares with the owner's word templates. */
export function kwsStreamPooledPtr(): usize { return pooled; }

/**
 * Takes the front end's newest cepstrum frame (NCEP f32 at `cep`). Every second frame completes a conv1 row,
 * which runs through the first SPLIT steps of the blocks at once and through the rest with the next frame, so
 * that no hop carries a whole row (the MCU's audio budget is per 20 ms hop). With rows false (idle) the frame
 * is only buffered and no new row starts. Returns whether a row left the last block.
 */
export function kwsStreamFrame(cep: usize, rows: bool = true): bool { return frameIn(cep, false, rows); }

/**
 * Test hook: kwsStreamFrame with a frame already quantised (int8 [F_IN] at q), as tools/voice/qnet.py's streaming
 * forward reads it, so the two can be compared bit for bit (tests/voice-stream.test.ts).
 */
export function kwsStreamFrameQuantized(q: usize): bool { return frameIn(q, true, true); }

function frameIn(src: usize, quantized: bool, rows: bool): bool {
  let finished = false;
  if (pendingFrom >= 0) {
    runSteps(pendingFrom, STEPS);
    pendingFrom = -1;
    finished = true;
  }
  memory.copy(frames, frames + F_IN, (KT - 1) * F_IN);
  if (quantized) memory.copy(frames + <usize>((KT - 1) * F_IN), src, F_IN);
  else quantizeFrameTo(src, frames + <usize>((KT - 1) * F_IN));
  framesSeen++;
  // conv1 row n reads frames 2n-4 .. 2n+5: complete when the newest frame is 2n+5
  if (framesSeen < KT - KT_BEFORE || ((framesSeen - (KT - KT_BEFORE)) & 1) != 0) return finished;
  // idle (engine.ts, long silence): the frames stay current, the rows stop; the layers keep their last rows,
  // which are of the same silence, until speech brings new ones
  if (!rows) return finished;
  conv1Row(win + <usize>(2 * ROW));
  runSteps(0, SPLIT);
  pendingFrom = SPLIT;
  return finished;
}

/** Steps from..to-1 of the current row. A block is F1 + 1 steps: its depthwise row (and the next block's window
 *  moving one row on, or for the last block the leaving row taken out of the running sums), then its pointwise
 *  layer one frequency position at a time (the last block's positions enter the ring and the sums). */
function runSteps(from: i32, to: i32): void {
  for (let u = from; u < to; u++) {
    const i = u / STEPS_PER_BLOCK, k = u % STEPS_PER_BLOCK;
    const lastBlock = i + 1 == NBLOCKS;
    const next = win + <usize>((i + 1) * 3 * ROW);
    const ring = last + <usize>(lastPos * F1 * 64);
    if (k == 0) {
      depthwiseRow(win + <usize>(i * 3 * ROW), depthwiseTPtr(i), changetype<usize>(unchecked(DW_B[i])),
        changetype<usize>(unchecked(DW_MULT[i])), changetype<usize>(unchecked(DW_SHIFT[i])));
      if (!lastBlock) memory.copy(next, next + <usize>ROW, 2 * ROW);
      else addToSums(ring, F1 * 64, -1);
      continue;
    }
    const f = k - 1;
    const dst = lastBlock ? ring + <usize>(f * 64) : next + <usize>(2 * ROW + (f + 1) * 64);
    packedDenseRelu3(dwRow + <usize>(f * 64), CH, CH, packedPointwisePtr(i), changetype<usize>(unchecked(PW_B[i])),
      changetype<usize>(unchecked(PW_MULT[i])), changetype<usize>(unchecked(PW_SHIFT[i])), dst);
    if (lastBlock) {
      addToSums(dst, 64, 1);
      if (f == F1 - 1) lastPos = (lastPos + 1) % T1;
    }
  }
}

/** sums[c] += sign × the int8 values at p (n of them, channel = index mod 64). */
function addToSums(p: usize, n: i32, sign: i32): void {
  for (let k = 0; k < n; k++) {
    const c = k & 63;
    store<i32>(sums + (<usize>c << 2), load<i32>(sums + (<usize>c << 2)) + sign * <i32>load<i8>(p + <usize>k));
  }
}

/** Pools the last T1 rows and classifies: fills kws's logits and scores. Returns the arg-max class. */
export function kwsStreamInfer(): i32 {
  const n = T1 * F1;
  for (let c = 0; c < CH; c++) store<i8>(pooled + <usize>c, <i8>((load<i32>(sums + (<usize>c << 2)) + (n >> 1)) / n));
  const logits = kwsLogitsPtr(), scores = kwsScoresPtr();
  denseI8(pooled, CH, NCLASS, changetype<usize>(FC_W), changetype<usize>(FC_B), logits);
  softmaxDeq(logits, changetype<usize>(FC_DEQ), NCLASS, scores);
  let best = 0;
  for (let i = 1; i < NCLASS; i++) if (load<f32>(scores + (<usize>i << 2)) > load<f32>(scores + (<usize>best << 2))) best = i;
  return best;
}

/** conv1 10x4, stride 2, frequency padding 1, over the KT buffered frames → one padded row at dst. */
function conv1Row(dst: usize): void {
  const w0 = win;                                          // block 0's window moves one row on
  memory.copy(w0, w0 + <usize>ROW, 2 * ROW);
  for (let fo = 0; fo < F1; fo++) conv1Position(frames, 0, KT, fo, dst + <usize>((fo + 1) * 64));
}

/** Depthwise 3x3 (ReLU) of the middle row of a 3-row padded window → dwRow. */
function depthwiseRow(w3: usize, wT: usize, b: usize, mult: usize, shift: usize): void {
  for (let f = 0; f < F1; f++) depthwisePosition(w3 + <usize>(f * 64), wT, b, mult, shift, dwRow + <usize>(f * 64));
}
