// The session's door to the microphone side (assembly/device/sensors.ts, owned by the voice engine):
// start listening for the code on the HUD, stop, and whether an owner is enrolled.
import { OK, E_VOICE_PROFILE } from "../errors";
import { listenForCode, listenStop, ownerProfileStored } from "./sensors";

// Test builds only (device/testhooks.ts sets it): consent outcomes are injected instead of heard, so the
// microphone is not started and an owner counts as enrolled. Nothing in the release face can set it.
let injected: bool = false;
export function micInjectOutcomes(on: bool): void { injected = on; }

export function micHasProfile(): bool { return injected || ownerProfileStored(); }

/** Starts listening for the code (w0, w1, w2); E_VOICE_PROFILE without an enrolled owner. */
export function micListenForCode(w0: i32, w1: i32, w2: i32, tMs: i64): i32 {
  if (injected) return OK;
  if (!micHasProfile()) return E_VOICE_PROFILE;
  return listenForCode(w0, w1, w2, tMs);
}

export function micStop(): void { listenStop(); }
