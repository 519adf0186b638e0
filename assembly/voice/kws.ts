// Int8 inference kernels and the DS-CNN keyword spotter built from them.
// Conventions (bit-exact with tools/voice/qnet.py):
//  - activations int8, layout [T][F][C] (HWC), symmetric (zero point 0);
//  - weights int8 per output channel, biases int32 at scale s_in * s_w[c];
//  - requantisation out = clamp((acc * mult[c] + 2^(shift[c]-1)) >> shift[c], lo, 127), i64 arithmetic;
//  - logits stay int32 and are dequantised per channel (FC_DEQ) before a float softmax.
// All buffers are static; nothing is allocated per inference.
import {
  NCLASS, T_IN, F_IN, CH, NBLOCKS, IN_MU, IN_INV_SD, IN_INV_SCALE,
  C1_W, C1_B, C1_MULT, C1_SHIFT, DW_W, DW_B, DW_MULT, DW_SHIFT, PW_W, PW_B, PW_MULT, PW_SHIFT,
  FC_W, FC_B, FC_DEQ,
} from "./model";
import { cepFrame, frameCountSinceReset } from "./frontend";

// ---------------------------------------------------------------- kernels

@inline function requant(acc: i64, mult: i32, shift: i32, lo: i32): i8 {
  let v = <i32>((acc * <i64>mult + (<i64>1 << <i64>(shift - 1))) >> <i64>shift);
  if (v < lo) v = lo;
  if (v > 127) v = 127;
  return <i8>v;
}

/**
 * 2-D convolution, int8 HWC → int8 HWC. Input [T][F][Cin], weights [Cout][KT][KF][Cin],
 * stride (st, sf), zero padding (pt, pf) before; output [TO][FO][Cout].
 */
export function convI8(inp: usize, T: i32, F: i32, Cin: i32,
                       w: usize, b: usize, mult: usize, shift: usize,
                       KT: i32, KF: i32, st: i32, sf: i32, pt: i32, pf: i32, Cout: i32,
                       out: usize, TO: i32, FO: i32, lo: i32): void {
  for (let to = 0; to < TO; to++) {
    for (let fo = 0; fo < FO; fo++) {
      const obase = out + <usize>((to * FO + fo) * Cout);
      for (let c = 0; c < Cout; c++) {
        let acc: i32 = load<i32>(b + (<usize>c << 2));
        for (let kt = 0; kt < KT; kt++) {
          const ti = to * st + kt - pt;
          if (ti < 0 || ti >= T) continue;
          for (let kf = 0; kf < KF; kf++) {
            const fi = fo * sf + kf - pf;
            if (fi < 0 || fi >= F) continue;
            const ip = inp + <usize>((ti * F + fi) * Cin);
            const wp = w + <usize>(((c * KT + kt) * KF + kf) * Cin);
            for (let ci = 0; ci < Cin; ci++) acc += <i32>load<i8>(ip + ci) * <i32>load<i8>(wp + ci);
          }
        }
        store<i8>(obase + c, requant(<i64>acc, load<i32>(mult + (<usize>c << 2)), load<i32>(shift + (<usize>c << 2)), lo));
      }
    }
  }
}

/** Depthwise K×K convolution, stride 1, padding K/2: [T][F][C] → [T][F][C]; weights [C][K][K]. */
export function depthwiseI8(inp: usize, T: i32, F: i32, C: i32, K: i32,
                            w: usize, b: usize, mult: usize, shift: usize, out: usize, lo: i32): void {
  const p = K >> 1;
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < F; f++) {
      const obase = out + <usize>((t * F + f) * C);
      for (let c = 0; c < C; c++) {
        let acc: i32 = load<i32>(b + (<usize>c << 2));
        for (let kt = 0; kt < K; kt++) {
          const ti = t + kt - p;
          if (ti < 0 || ti >= T) continue;
          for (let kf = 0; kf < K; kf++) {
            const fi = f + kf - p;
            if (fi < 0 || fi >= F) continue;
            acc += <i32>load<i8>(inp + <usize>((ti * F + fi) * C + c)) * <i32>load<i8>(w + <usize>((c * K + kt) * K + kf));
          }
        }
        store<i8>(obase + c, requant(<i64>acc, load<i32>(mult + (<usize>c << 2)), load<i32>(shift + (<usize>c << 2)), lo));
      }
    }
  }
}

/** Pointwise (1×1) convolution over N positions: [N][Cin] → [N][Cout]; weights [Cout][Cin]. */
export function pointwiseI8(inp: usize, N: i32, Cin: i32, Cout: i32,
                            w: usize, b: usize, mult: usize, shift: usize, out: usize, lo: i32): void {
  for (let n = 0; n < N; n++) {
    const ip = inp + <usize>(n * Cin);
    const op = out + <usize>(n * Cout);
    for (let c = 0; c < Cout; c++) {
      const wp = w + <usize>(c * Cin);
      let acc: i32 = load<i32>(b + (<usize>c << 2));
      let ci = 0;
      for (; ci + 4 <= Cin; ci += 4) {
        acc += <i32>load<i8>(ip + ci) * <i32>load<i8>(wp + ci)
             + <i32>load<i8>(ip + ci + 1) * <i32>load<i8>(wp + ci + 1)
             + <i32>load<i8>(ip + ci + 2) * <i32>load<i8>(wp + ci + 2)
             + <i32>load<i8>(ip + ci + 3) * <i32>load<i8>(wp + ci + 3);
      }
      for (; ci < Cin; ci++) acc += <i32>load<i8>(ip + ci) * <i32>load<i8>(wp + ci);
      store<i8>(op + c, requant(<i64>acc, load<i32>(mult + (<usize>c << 2)), load<i32>(shift + (<usize>c << 2)), lo));
    }
  }
}

/** Global average pooling of non-negative int8 [N][C] → [C] (round half up; same scale). */
export function avgPoolI8(inp: usize, N: i32, C: i32, out: usize): void {
  for (let c = 0; c < C; c++) {
    let s: i32 = 0;
    for (let n = 0; n < N; n++) s += <i32>load<i8>(inp + <usize>(n * C + c));
    let q: i32 = s >= 0 ? (s + (N >> 1)) / N : -((-s + (N >> 1)) / N);
    store<i8>(out + c, <i8>q);
  }
}

/** Dense layer int8 [Cin] × weights [Cout][Cin] + bias → int32 accumulators [Cout]. */
export function denseI8(inp: usize, Cin: i32, Cout: i32, w: usize, b: usize, out: usize): void {
  for (let c = 0; c < Cout; c++) {
    let acc: i32 = load<i32>(b + (<usize>c << 2));
    for (let i = 0; i < Cin; i++) acc += <i32>load<i8>(inp + i) * <i32>load<i8>(w + <usize>(c * Cin + i));
    store<i32>(out + (<usize>c << 2), acc);
  }
}

/** Softmax of int32 accumulators dequantised by per-channel scales deq[c]: out f32 [n]. */
export function softmaxDeq(acc: usize, deq: usize, n: i32, out: usize): void {
  let mx: f32 = -Infinity;
  for (let i = 0; i < n; i++) {
    const z = <f32>load<i32>(acc + (<usize>i << 2)) * load<f32>(deq + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), z);
    if (z > mx) mx = z;
  }
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    const e = Mathf.exp(load<f32>(out + (<usize>i << 2)) - mx);
    store<f32>(out + (<usize>i << 2), e);
    s += e;
  }
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), load<f32>(out + (<usize>i << 2)) / s);
}

// ---------------------------------------------------------------- fast path used by the network
// Packed dense, for conv1 (im2col, 40 signed inputs) and the 64 → 64 pointwise layers (inputs after ReLU): three
// int8 weights share one i64 as 21-bit signed lanes (w[c] + w[c+1]·2^21 + w[c+2]·2^42), so one i64 multiply-add
// serves three output channels. Exact for inputs and weights of either sign while every lane's sum fits 21 bits:
// |Σ x·w| ≤ Cin · 127 · 127 < 2^20 for Cin ≤ 65 (conv1: 645,160; pointwise: 1,032,256), so the decode below
// (sign-extend the low lane, subtract it, shift) recovers each sum. Zero inputs (after ReLU, often half) are skipped.
// Layout: [3 blocks][Cin][8] i64, 24 channels a block; channels Cout..71 are zero weights, not emitted.
export const LANES3_BLOCKS: i32 = 3;

/** Packs int8 weights [Cout][Cin] (Cout ≤ 72, Cin ≤ 65) into dst (LANES3_BLOCKS · Cin · 8 i64). */
export function packWeights3(w: usize, Cin: i32, Cout: i32, dst: usize): void {
  for (let blk = 0; blk < LANES3_BLOCKS; blk++) {
    for (let ci = 0; ci < Cin; ci++) {
      for (let k = 0; k < 8; k++) {
        let v: i64 = 0;
        for (let l = 2; l >= 0; l--) {
          const c = blk * 24 + 3 * k + l;
          v = (v << 21) + (c < Cout ? <i64>load<i8>(w + <usize>(c * Cin + ci)) : 0);
        }
        store<i64>(dst + <usize>(((blk * Cin + ci) * 8 + k) << 3), v);
      }
    }
  }
}

@inline function emitTriple(acc: i64, c: i32, Cout: i32, b: usize, mult: usize, shift: usize, out: usize): void {
  const a0 = (acc << 43) >> 43;
  const r = (acc - a0) >> 21;
  const a1 = (r << 43) >> 43;
  const a2 = (r - a1) >> 21;
  let o = <usize>c << 2;
  if (c < Cout) store<i8>(out + <usize>c, requant(a0 + <i64>load<i32>(b + o), load<i32>(mult + o), load<i32>(shift + o), 0));
  o += 4;
  if (c + 1 < Cout) store<i8>(out + <usize>(c + 1), requant(a1 + <i64>load<i32>(b + o), load<i32>(mult + o), load<i32>(shift + o), 0));
  o += 4;
  if (c + 2 < Cout) store<i8>(out + <usize>(c + 2), requant(a2 + <i64>load<i32>(b + o), load<i32>(mult + o), load<i32>(shift + o), 0));
}

/** One position of a dense int8 layer with packed weights (packWeights3): x [Cin] → ReLU int8 out [Cout]. */
export function packedDenseRelu3(x: usize, Cin: i32, Cout: i32, wp: usize, b: usize, mult: usize, shift: usize, out: usize): void {
  for (let blk = 0; blk < LANES3_BLOCKS; blk++) {
    let a0: i64 = 0, a1: i64 = 0, a2: i64 = 0, a3: i64 = 0, a4: i64 = 0, a5: i64 = 0, a6: i64 = 0, a7: i64 = 0;
    let p = wp + <usize>(blk * Cin * 64);
    for (let ci = 0; ci < Cin; ci++) {
      const xi = <i64>load<i8>(x + <usize>ci);
      if (xi != 0) {
        a0 += xi * load<i64>(p, 0); a1 += xi * load<i64>(p, 8); a2 += xi * load<i64>(p, 16); a3 += xi * load<i64>(p, 24);
        a4 += xi * load<i64>(p, 32); a5 += xi * load<i64>(p, 40); a6 += xi * load<i64>(p, 48); a7 += xi * load<i64>(p, 56);
      }
      p += 64;
    }
    const c = blk * 24;
    emitTriple(a0, c, Cout, b, mult, shift, out); emitTriple(a1, c + 3, Cout, b, mult, shift, out);
    emitTriple(a2, c + 6, Cout, b, mult, shift, out); emitTriple(a3, c + 9, Cout, b, mult, shift, out);
    emitTriple(a4, c + 12, Cout, b, mult, shift, out); emitTriple(a5, c + 15, Cout, b, mult, shift, out);
    emitTriple(a6, c + 18, Cout, b, mult, shift, out); emitTriple(a7, c + 21, Cout, b, mult, shift, out);
  }
}

// ---------------------------------------------------------------- the network

const T1: i32 = 25;
const F1: i32 = 5;
const PT: i32 = T1 + 2;                                        // padded activation rows
const PF: i32 = F1 + 2;
const inputQ: usize = memory.data(T_IN * F_IN, 16);           // int8 [50][10]
const actA: usize = memory.data(PT * PF * 64, 16);            // int8 [27][7][CH], zero border (depthwise input)
const actB: usize = memory.data(T1 * F1 * 64, 16);            // int8 [25][5][CH]
export const C1_TAPS: i32 = 10 * 4;                           // conv1 10×4 on one input channel: its dense Cin
const col: usize = memory.data(C1_TAPS, 16);                  // conv1 im2col row
const packedC1: usize = memory.data(LANES3_BLOCKS * C1_TAPS * 8 * 8, 16);   // i64 [3][C1_TAPS][8]
const PW_PACKED: i32 = LANES3_BLOCKS * CH * 8 * 8;             // bytes per block: i64 [3][CH][8]
const packedPW: usize = memory.data(4 * PW_PACKED, 16);
const dwT: usize = memory.data(4 * 9 * 64, 16);               // depthwise weights transposed [block][9][CH]
const pooled: usize = memory.data(64, 16);
const logitsAcc: usize = memory.data(NCLASS * 4, 16);         // int32
const scores: usize = memory.data(NCLASS * 4, 16);            // f32 posteriors
let prepared: bool = false;

export function kwsInputPtr(): usize { return inputQ; }
export function kwsLogitsPtr(): usize { return logitsAcc; }
export function kwsScoresPtr(): usize { return scores; }
/** The last kwsRun's pooled channels (int8 [CH], ≥ 0, before the classifier): the spotter's embedding of the window. */
export function kwsPooledPtr(): usize { return pooled; }
export function kwsActPtr(): usize { return actB; }
/** The last block's output after kwsRun: padded [T1+2][F1+2][CH], row t at ((t + 1) · (F1 + 2) + 1) · CH (tests). */
export function kwsLastLayerPtr(): usize { return actA; }
// The packed weights, for the streaming form of the network (kws-stream.ts).
/** Packs the weights unless already done (kws-stream.ts calls it when listening starts, not in an audio hop). */
export function kwsEnsurePrepared(): void { if (!prepared) kwsPrepare(); }
export function packedPointwisePtr(block: i32): usize { if (!prepared) kwsPrepare(); return packedPW + <usize>(block * PW_PACKED); }
export function depthwiseTPtr(block: i32): usize { if (!prepared) kwsPrepare(); return dwT + <usize>(block * 9 * CH); }

@inline function ptr<T>(a: T): usize { return changetype<usize>(a); }

/** One-time weight re-layout (packing, transposition). Called by the first kwsRun(). */
export function kwsPrepare(): void {
  packWeights3(ptr(C1_W), C1_TAPS, CH, packedC1);
  for (let i = 0; i < NBLOCKS; i++) {
    packWeights3(ptr(unchecked(PW_W[i])), CH, CH, packedPW + <usize>(i * PW_PACKED));
    const w = ptr(unchecked(DW_W[i]));
    for (let c = 0; c < CH; c++) for (let k = 0; k < 9; k++)
      store<i8>(dwT + <usize>(i * 9 * CH + k * CH + c), load<i8>(w + <usize>(c * 9 + k)));
  }
  memory.fill(actA, 0, PT * PF * 64);
  prepared = true;
}

/** Depthwise 3×3 on the padded [27][7][64] buffer → [25][5][64], ReLU. */
function depthwiseFast(wT: usize, b: usize, mult: usize, shift: usize): void {
  for (let t = 0; t < T1; t++) {
    for (let f = 0; f < F1; f++) {
      depthwisePosition(actA + <usize>((t * PF + f) * 64), wT, b, mult, shift, actB + <usize>((t * F1 + f) * 64));
    }
  }
}

/**
 * conv1 10×4 (stride 2 in frequency, padding 1; ReLU) at output frequency fo over the 10 input rows t0..t0+9 of
 * an int8 [rows][F_IN] buffer (rows outside 0..nRows-1 read as zeros): im2col, then the packed dense C1_TAPS → CH;
 * writes CH int8 at out. Shared by the whole-window network and its streaming form (kws-stream.ts); the weights
 * must be packed (kwsEnsurePrepared).
 */
export function conv1Position(input: usize, t0: i32, nRows: i32, fo: i32, out: usize): void {
  for (let kt = 0; kt < 10; kt++) {
    const ti = t0 + kt;
    for (let kf = 0; kf < 4; kf++) {
      const fi = fo * 2 + kf - 1;
      store<i8>(col + <usize>(kt * 4 + kf),
        ti >= 0 && ti < nRows && fi >= 0 && fi < F_IN ? load<i8>(input + <usize>(ti * F_IN + fi)) : <i8>0);
    }
  }
  packedDenseRelu3(col, C1_TAPS, CH, packedC1, ptr(C1_B), ptr(C1_MULT), ptr(C1_SHIFT), out);
}

/**
 * Depthwise 3×3 (ReLU) at one position, all 64 channels: q is the top-left tap of the window in a padded
 * [rows][PF][64] buffer (rows 448 bytes apart), wT the transposed weights [9][64]; writes 64 int8 at o.
 * Shared by the whole-window network and its streaming form (kws-stream.ts).
 */
export function depthwisePosition(q: usize, wT: usize, b: usize, mult: usize, shift: usize, o: usize): void {
  let w = wT;
  for (let c = 0; c < 64; c++) {
    const acc: i32 = load<i32>(b + (<usize>c << 2))
      + <i32>load<i8>(q, 0) * <i32>load<i8>(w, 0) + <i32>load<i8>(q, 64) * <i32>load<i8>(w, 64)
      + <i32>load<i8>(q, 128) * <i32>load<i8>(w, 128)
      + <i32>load<i8>(q, 448) * <i32>load<i8>(w, 192) + <i32>load<i8>(q, 512) * <i32>load<i8>(w, 256)
      + <i32>load<i8>(q, 576) * <i32>load<i8>(w, 320)
      + <i32>load<i8>(q, 896) * <i32>load<i8>(w, 384) + <i32>load<i8>(q, 960) * <i32>load<i8>(w, 448)
      + <i32>load<i8>(q, 1024) * <i32>load<i8>(w, 512);
    store<i8>(o, requant(<i64>acc, load<i32>(mult + (<usize>c << 2)), load<i32>(shift + (<usize>c << 2)), 0));
    q++; o++; w++;
  }
}

/** Quantises one cepstrum frame (NCEP f32 at `cep`) into row `row` of the int8 input. */
export function quantizeFrame(cep: usize, row: i32): void { quantizeFrameTo(cep, inputQ + <usize>(row * F_IN)); }

/** Quantises one cepstrum frame into F_IN int8 at dst. */
export function quantizeFrameTo(cep: usize, dst: usize): void {
  const inv = IN_INV_SCALE;
  for (let f = 0; f < F_IN; f++) {
    const z: f32 = (load<f32>(cep + (<usize>f << 2)) - unchecked(IN_MU[f])) * unchecked(IN_INV_SD[f]);
    let q = Mathf.floor(z * inv + <f32>0.5);
    if (q < -127) q = -127;
    if (q > 127) q = 127;
    store<i8>(dst + <usize>f, <i8><i32>q);
  }
}

/** Fills the input from the front end's last T_IN frames (oldest first; missing frames → zeros). */
export function kwsLoadFromFrontend(): void {
  const have = frameCountSinceReset();
  for (let r = 0; r < T_IN; r++) {
    const back = T_IN - 1 - r;
    if (back >= have) { memory.fill(inputQ + <usize>(r * F_IN), 0, F_IN); continue; }
    quantizeFrame(cepFrame(back), r);
  }
}

/** Runs the network on the int8 input buffer; fills logits and scores. Returns the arg-max class. */
export function kwsRun(): i32 {
  if (!prepared) kwsPrepare();
  // conv1 10×4 stride 2, pad (4, 1): im2col per output position, then a packed dense C1_TAPS → CH
  for (let to = 0; to < T1; to++) {
    for (let fo = 0; fo < F1; fo++) {
      conv1Position(inputQ, to * 2 - 4, T_IN, fo, actA + <usize>(((to + 1) * PF + fo + 1) * 64));
    }
  }
  for (let i = 0; i < NBLOCKS; i++) {
    depthwiseFast(dwT + <usize>(i * 9 * CH), ptr(unchecked(DW_B[i])), ptr(unchecked(DW_MULT[i])), ptr(unchecked(DW_SHIFT[i])));
    const wp = packedPW + <usize>(i * PW_PACKED);
    const b = ptr(unchecked(PW_B[i])), m = ptr(unchecked(PW_MULT[i])), s = ptr(unchecked(PW_SHIFT[i]));
    for (let t = 0; t < T1; t++) for (let f = 0; f < F1; f++)
      packedDenseRelu3(actB + <usize>((t * F1 + f) * 64), CH, CH, wp, b, m, s, actA + <usize>(((t + 1) * PF + f + 1) * 64));
  }
  // global average pool over the interior of actA
  for (let c = 0; c < CH; c++) {
    let sum: i32 = 0;
    for (let t = 0; t < T1; t++) for (let f = 0; f < F1; f++) sum += <i32>load<i8>(actA + <usize>(((t + 1) * PF + f + 1) * 64 + c));
    const n = T1 * F1;
    store<i8>(pooled + <usize>c, <i8>((sum + (n >> 1)) / n));
  }
  denseI8(pooled, CH, NCLASS, ptr(FC_W), ptr(FC_B), logitsAcc);
  softmaxDeq(logitsAcc, ptr(FC_DEQ), NCLASS, scores);
  let best = 0;
  for (let i = 1; i < NCLASS; i++) if (load<f32>(scores + (<usize>i << 2)) > load<f32>(scores + (<usize>best << 2))) best = i;
  return best;
}

export function kwsScore(cls: i32): f32 { return load<f32>(scores + (<usize>cls << 2)); }

/** Multiply-accumulates per inference (for the bench and budgets). */
export function kwsMacs(): i32 {
  return T1 * F1 * CH * C1_TAPS + NBLOCKS * (T1 * F1 * CH * 9 + T1 * F1 * CH * CH) + CH * NCLASS;
}

/** The requantisation step alone (tests). */
export function requantTest(acc: i32, mult: i32, shift: i32): i32 { return <i32>requant(<i64>acc, mult, shift, 0); }
