// Noise subtraction for the speaker check. Each mel channel keeps a floor of its log energy by the VAD's rule
// (vad.ts: quickly down, slowly up), which between words settles on the background's level; a speech frame's
// speaker cepstra are taken from its mel energies E with SUB_ALPHA × that floor subtracted (at least SUB_KEEP × E
// is kept), then ln and the DCT rows c1..c12. At 10 dB the GMM-UBM then passed 81 % of the tuning owners' codes
// against 63 % on the plain cepstra, at the same 1 % of other people's quiet codes passing (quiet 93.5 % against
// 92.9 %; tools/voice/speaker_noise_eval.py). tools/voice/ubm.py (denoised_cepstra) is the training twin and
// writes the constants into ubm.ts.
// ln(max(E − a·N, k·E)) = L + g(F − L) with L = ln E (the front end's log-mel), F = ln N (the floor) and
// g(u) = ln(max(1 − a·e^u, k)): g comes from a table (linear interpolation), so a frame costs no exp or log,
// which the MCU's audio hop has no room for; the result is at least ln LOG_EPS. The floor starts at the first frame after a reset; static buffers.
import { NMEL, DCT, LOG_EPS } from "./tables";
import { SUB_U_MIN, SUB_U_MAX, SUB_TABLE_N, SUB_TABLE } from "./ubm";
import { floorStep } from "./vad";

export const SPK_NC: i32 = 12;                       // c1..c12
const SUB_STEP_INV: f32 = <f32>(SUB_TABLE_N - 1) / (SUB_U_MAX - SUB_U_MIN);
// no channel below the front end's own floor: a band with no energy (the lowest, in many clips) stays put
// instead of dropping by ln SUB_KEEP
const LN_EPS: f32 = Mathf.log(LOG_EPS);

const floorLog: usize = memory.data(NMEL * 4, 16);   // f32 per channel
const saved: usize = memory.data(NMEL * 4, 16);
const logs: usize = memory.data(NMEL * 4, 16);       // f32 ln of the subtracted energies
const cep: usize = memory.data(SPK_NC * 4, 16);      // f32 c1..c12 of the last noiseFloorCepstra call
let started: bool = false;
let savedStarted: bool = false;

export function noiseFloorReset(): void { started = false; }
export function noiseFloorSave(): void { memory.copy(saved, floorLog, NMEL * 4); savedStarted = started; }
export function noiseFloorRestore(): void { memory.copy(floorLog, saved, NMEL * 4); started = savedStarted; }

/** Follows one frame's log-mel (NMEL f32, the front end's ln(e + LOG_EPS)). */
export function noiseFloorUpdate(logMel: usize): void {
  if (!started) { memory.copy(floorLog, logMel, NMEL * 4); started = true; }
  for (let m = 0; m < NMEL; m++) {
    const o = <usize>m << 2;
    store<f32>(floorLog + o, floorStep(load<f32>(floorLog + o), load<f32>(logMel + o)));
  }
}

/** g(u) = ln(max(1 − SUB_ALPHA·e^u, SUB_KEEP)) from the table. */
@inline function subGain(u: f32): f32 {
  if (u <= SUB_U_MIN) return 0;
  if (u >= SUB_U_MAX) return load<f32>(SUB_TABLE + (<usize>(SUB_TABLE_N - 1) << 2));
  const x = (u - SUB_U_MIN) * SUB_STEP_INV;
  let i = <i32>x;
  if (i > SUB_TABLE_N - 2) i = SUB_TABLE_N - 2;
  const p = SUB_TABLE + (<usize>i << 2);
  const a = load<f32>(p);
  return a + (x - <f32>i) * (load<f32>(p, 4) - a);
}

/**
 * c1..c12 of the frame whose log-mel (NMEL f32) is at logMel, with the tracked noise subtracted: call after
 * noiseFloorUpdate for that frame. Returns a pointer to SPK_NC f32 (valid until the next call).
 */
export function noiseFloorCepstra(logMel: usize): usize {
  for (let m = 0; m < NMEL; m++) {
    const o = <usize>m << 2;
    const l = load<f32>(logMel + o);
    const v = l + subGain(load<f32>(floorLog + o) - l);
    store<f32>(logs + o, v > LN_EPS ? v : LN_EPS);
  }
  let dp = changetype<usize>(DCT) + <usize>(NMEL << 2);   // row 1 of [NCEP][NMEL]
  for (let i = 0; i < SPK_NC; i++) {
    let acc: f32 = 0;
    for (let m = 0; m < NMEL; m++) { acc += load<f32>(dp) * load<f32>(logs + (<usize>m << 2)); dp += 4; }
    store<f32>(cep + (<usize>i << 2), acc);
  }
  return cep;
}
