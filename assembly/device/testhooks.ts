// Test-only hooks: exported by the test build (assembly/testbuild.ts → glasses.test.wasm), never by the
// release module. Each one bypasses a sensor or the wearer, so nothing here may ship in glasses.wasm.
import { OK, E_NOT_INIT, E_ARGS } from "../errors";
import { frameBuffer, frameBufferBytes } from "./api";
import { micInjectOutcomes } from "./mic";
import { payOnQr, payOnConsent, paySetLimitUnconfirmed, payMarkPaired, session } from "./payflow";

/** A decoded QR text (UTF-8) written into frameBuffer(), as if the camera had decoded it. */
export function onQrText(len: i32, tMs: i64): i32 {
  if (frameBufferBytes() == 0) return E_NOT_INIT;
  if (len <= 0 || len > frameBufferBytes()) return E_ARGS;
  return payOnQr(frameBuffer(), len, tMs);
}

/** on = 1: consent outcomes come from onConsentOutcome() only (the mic is not started; an owner counts as enrolled). */
export function testInjectConsent(on: i32): i32 { micInjectOutcomes(on != 0); return OK; }

/** A consent outcome (voice/consent.ts CONSENT_*) as if the voice engine had decided it. */
export function onConsentOutcome(outcome: i32, tMs: i64): i32 {
  if (frameBufferBytes() == 0) return E_NOT_INIT;
  if (outcome < 0 || outcome > 5) return E_ARGS;
  return payOnConsent(outcome, tMs);
}

/** The code on the HUD as word indices w0 | w1 << 8 | w2 << 16 (what a wearer reads), -1 when not asking. */
export function testCurrentCode(): i32 {
  if (session.attempt == 0) return -1;
  return session.code[0] | (session.code[1] << 8) | (session.code[2] << 16);
}

/** One currency's limits set at once, without the wearer's code (currency as 3 ASCII bytes in frameBuffer()). */
export function setLimitUnconfirmed(quickMinor: i64, capMinor: i64): i32 {
  if (frameBufferBytes() == 0) return E_NOT_INIT;
  return paySetLimitUnconfirmed(String.UTF8.decodeUnsafe(frameBuffer(), 3), quickMinor, capMinor);
}

/** Marks the device paired without a phone (unit tests of sessions that need no wallet). */
export function testMarkPaired(): i32 { payMarkPaired("test phone"); return OK; }
