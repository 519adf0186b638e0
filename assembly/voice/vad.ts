// Energy voice-activity detector on the front end's log-mel frames (mirrored in tools/voice/detect.py).
// Frame energy e = mean of the 40 log-mel values (nats). A noise floor follows e quickly downwards and
// slowly upwards; a frame is speech when e exceeds the floor by VAD_MARGIN and an absolute minimum,
// with a hangover of VAD_HANG frames. No allocation.
import { NMEL } from "./tables";

export const VAD_MARGIN: f32 = 1.5;      // nats above the floor (~6.5 dB)
export const VAD_MIN: f32 = -11.0;       // absolute minimum energy (digital silence is -13.8)
export const VAD_HANG: i32 = 8;          // frames (160 ms)
// the noise floor follows a frame's value quickly downwards and slowly upwards (also each mel channel's floor
// in noise-floor.ts; tools/voice/speaker_eval.py FLOOR_DOWN / FLOOR_UP)
export const FLOOR_DOWN: f32 = 0.3;
export const FLOOR_UP: f32 = 0.005;
/** One frame's step of a floor f towards the value v. */
// @ts-ignore
@inline export function floorStep(f: f32, v: f32): f32 { return f + (v < f ? FLOOR_DOWN : FLOOR_UP) * (v - f); }

let floor: f32 = 0;
let started: bool = false;
let hang: i32 = 0;
let lastEnergy: f32 = 0;
let speechFrames: i32 = 0;

let sFloor: f32 = 0, sStarted: bool = false, sHang: i32 = 0, sLast: f32 = 0, sSpeech: i32 = 0;
export function vadSave(): void { sFloor = floor; sStarted = started; sHang = hang; sLast = lastEnergy; sSpeech = speechFrames; }
export function vadRestore(): void { floor = sFloor; started = sStarted; hang = sHang; lastEnergy = sLast; speechFrames = sSpeech; }

export function vadReset(): void { floor = 0; started = false; hang = 0; lastEnergy = 0; speechFrames = 0; }

/** Frame energy of a log-mel frame (NMEL f32). */
export function frameEnergy(logMel: usize): f32 {
  let s: f32 = 0;
  for (let m = 0; m < NMEL; m++) s += load<f32>(logMel + (<usize>m << 2));
  return s / <f32>NMEL;
}

/** Updates the detector with one log-mel frame; returns true when the frame counts as speech. */
export function vadUpdate(logMel: usize): bool {
  const e = frameEnergy(logMel);
  lastEnergy = e;
  if (!started) { floor = e; started = true; }
  else floor = floorStep(floor, e);
  const raw = e > floor + VAD_MARGIN && e > VAD_MIN;
  if (raw) hang = VAD_HANG; else if (hang > 0) hang--;
  const on = raw || hang > 0;
  if (on) speechFrames++;
  return on;
}

export function vadEnergy(): f32 { return lastEnergy; }
/** Whether the last frame was speech by energy alone (not only the hangover after speech). */
export function vadLastRaw(): bool { return lastEnergy > floor + VAD_MARGIN && lastEnergy > VAD_MIN; }
export function vadFloor(): f32 { return floor; }
export function vadSpeechFrames(): i32 { return speechFrames; }
