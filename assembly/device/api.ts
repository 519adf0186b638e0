// The device face: the exports a host (glasses firmware shell, Node, wasmtime) calls.
// The host writes sensor data into buffers the firmware owns, then calls on*(); the firmware answers
// with events (nextEvent), outgoing link bytes (linkTx) and a HUD framebuffer. Every large buffer is
// allocated once in init() from the board config; nothing is allocated per frame or per audio hop.
import { OK, E_CONFIG, E_NOT_INIT, E_TOO_LARGE, E_ARGS, E_STATE_AUTH, E_STATE } from "../errors";
import { RuntimeConfig, parseConfig, configError, CONFIG_WORDS } from "../board/config";
import { pushEvent, popEvent, eventOutPtr } from "./events";
import { stateSerialize, stateBlobPtr, stateLoad, stateSetSecret, stateHasSecret, stateGeneration as stateGen, stateSetMinGeneration, STATE_BLOB_MAX, SECRET_MAX } from "../state/blob";
import { Json } from "../io/json";
import { payInit, payReloadState, payOnLinkFragment, payDrainLink, payTick, payStart, payOnQr, payOnConsent,
  payStatePersisted, payChangeLimit, payQueryRecent, payOpenMandate, payOnAgentRequest, payPairBegin, payUnpairBegin,
  payOnButton, session } from "./payflow";
import { micHasProfile } from "./mic";

import { CONSENT_PENDING, consentReason } from "../voice/consent";
import { codeWordIndex } from "../voice/code-words";
import { cameraInit, cameraBuffer, compactRows, findPaymentCodes, micBuffer, listen,
  enrollBegin as sensorsEnrollBegin, enrollAdd as sensorsEnrollAdd, enrollFinish as sensorsEnrollFinish, AUDIO_MAX } from "./sensors";
import { S_SCANNING } from "../pay/session";
import { displayInit, displayTakeDirty } from "./display";
import { FrameBuffer } from "../hud/framebuffer";

export const AUDIO_MAX_SAMPLES: i32 = AUDIO_MAX;
export const LINK_BUFFER: i32 = 4096;

const configArea: usize = memory.data(CONFIG_WORDS * 4 + 64, 8);
const linkRx: usize = memory.data(LINK_BUFFER, 8);
const linkTxArea: usize = memory.data(LINK_BUFFER, 8);
const stateIn: usize = memory.data(STATE_BLOB_MAX, 8);
const secretIn: usize = memory.data(SECRET_MAX, 8);

let config: RuntimeConfig | null = null;
let frame: usize = 0;
let frameBytes: i32 = 0;
let hud: usize = 0;
let hudBytes: i32 = 0;
let frames: u32 = 0;
let samples: u64 = 0;
let lastTick: i64 = 0;

export function configBuffer(): usize { return configArea; }

/** Where the host writes the device secret (16–64 bytes from its secure storage) before init(). */
export function secretBuffer(): usize { return secretIn; }

/** Takes the device secret from secretBuffer() (and wipes that buffer); the state is sealed under it. */
export function setDeviceSecret(len: i32): i32 {
  const st = stateSetSecret(secretIn, len);
  memory.fill(secretIn, 0, SECRET_MAX);
  return st;
}

/** Initialises the device from the config record the host wrote into configBuffer(). */
export function init(len: i32): i32 {
  if (len < 0 || len > CONFIG_WORDS * 4 + 64) return E_CONFIG;
  if (!stateHasSecret()) {
    pushEvent(new Json().str("type", "error").str("error", "state_auth").str("message", "call setDeviceSecret() before init()").toString());
    return E_STATE_AUTH;
  }
  const c = parseConfig(configArea, len);
  if (c == null) {
    pushEvent(new Json().str("type", "error").str("error", "config").str("message", configError).toString());
    return E_CONFIG;
  }
  if (config == null) {
    // Buffers are planned for the compiled board's maximum sizes, so a later re-init never reallocates.
    frameBytes = c.cameraWidth * c.cameraHeight;
    const cs = cameraInit(c.cameraWidth, c.cameraHeight);
    if (cs != OK) return cs;
    frame = cameraBuffer();
    hudBytes = FrameBuffer.bytesFor(c.displayWidth, c.displayHeight, c.displayBpp);
    hud = heap.alloc(<usize>hudBytes);
  } else if (c.cameraWidth * c.cameraHeight > frameBytes ||
             FrameBuffer.bytesFor(c.displayWidth, c.displayHeight, c.displayBpp) > hudBytes) {
    return E_CONFIG;
  }
  memory.fill(hud, 0, hudBytes);
  displayInit(hud, c.displayWidth, c.displayHeight, c.displayBpp);
  config = c;
  const st = payInit(c.linkMtu);
  if (st != OK) return st;
  pushEvent(new Json().str("type", "ready").int("camera_w", c.cameraWidth).int("camera_h", c.cameraHeight)
    .int("display_w", c.displayWidth).int("display_h", c.displayHeight).int("mtu", c.linkMtu).toString());
  return OK;
}

export function frameBuffer(): usize { return frame; }
/** Bytes in frameBuffer() (test hooks write decoded text there). */
export function frameBufferBytes(): i32 { return frameBytes; }

/** A gray frame (w×h, row stride in bytes) has been written into frameBuffer(). */
export function onFrame(w: i32, h: i32, stride: i32, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  if (w <= 0 || h <= 0 || stride < w) return E_ARGS;
  if (w > config!.cameraWidth || h > config!.cameraHeight || <i64>stride * <i64>h > <i64>frameBytes) return E_TOO_LARGE;
  frames++;
  lastTick = tMs;
  if (session.state != S_SCANNING) return OK;
  compactRows(w, h, stride);
  const codes = findPaymentCodes(w, h);
  if (codes.length > 0) {
    const b = codes[0];
    return payOnQr(b.dataStart, b.length, tMs);
  }
  return OK;
}

export function audioBuffer(): usize { return micBuffer(); }

/** n int16 mono samples at 16 kHz have been written into audioBuffer(). */
export function onAudio(n: i32, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  if (n < 0) return E_ARGS;
  if (n > AUDIO_MAX_SAMPLES) return E_TOO_LARGE;
  samples += <u64>n;
  lastTick = tMs;
  const r = listen(n, tMs);
  if (r != CONSENT_PENDING) return payOnConsent(r, tMs, consentReason());
  return OK;
}

/**
 * Voice enrolment: begin, then one clip per enrollAdd (n samples in audioBuffer(); word = code-word index, or
 * -1 for another word such as yes/no/stop), then finish. Only on a paired device without an owner profile
 * (enrolment follows pairing; a new owner means unpairing first, which wipes the profile).
 */
export function enrollBegin(): i32 {
  if (!session.paired || micHasProfile() || session.active) return E_STATE;
  return sensorsEnrollBegin();
}
export function enrollAdd(n: i32, word: i32): i32 {
  if (!session.paired || micHasProfile()) return E_STATE;
  return sensorsEnrollAdd(n, word);
}
/** 1 when an owner's voice profile is enrolled (a host refuses to start payments without one). */
export function ownerEnrolled(): i32 { return micHasProfile() ? 1 : 0; }

/**
 * The code-word index of the word whose name (UTF-8, len bytes) the host wrote into frameBuffer(), or -1
 * when it is not a code word: hosts tag enrolment clips by folder name without a copy of the vocabulary.
 */
export function codeWordIndexOf(len: i32): i32 {
  if (config == null || len <= 0 || len > 32 || len > frameBytes) return -1;
  return codeWordIndex(String.UTF8.decodeUnsafe(frame, len));
}

/** Stores the owner's voice profile in the persistent state. */
export function enrollFinish(): i32 {
  if (!session.paired || micHasProfile()) return E_STATE;
  return sensorsEnrollFinish();
}

export function linkRxBuffer(): usize { return linkRx; }

/** n bytes from the phone link have been written into linkRxBuffer(). */
/** One link fragment (one BLE write) of n bytes has been written into linkRxBuffer(). */
export function onLinkRx(n: i32): i32 {
  if (config == null) return E_NOT_INIT;
  if (n < 0) return E_ARGS;
  if (n > LINK_BUFFER) return E_TOO_LARGE;
  return payOnLinkFragment(linkRx, n, lastTick);
}

export function linkTxBuffer(): usize { return linkTxArea; }
/**
 * Moves pending outgoing fragments into linkTxBuffer() as records [u16 LE length][fragment] (one record per
 * BLE notify) and returns the bytes written; 0 when nothing is pending. Call until it returns 0.
 */
export function linkTx(): i32 {
  if (config == null) return 0;
  return payDrainLink(linkTxArea, LINK_BUFFER);
}

export function hudBuffer(): usize { return hud; }
/** True once after the HUD changed (the host then copies hudBuffer() to the display). */
export function hudDirty(): bool { return displayTakeDirty(); }

/** A press of the glasses' button: 1 confirm (a first pairing, before any voice profile), 2 cancel. */
export function onButton(id: i32, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  lastTick = tMs;
  pushEvent(new Json().str("type", "button").int("id", id).toString());
  return payOnButton(id, tMs);
}

export function tick(tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  lastTick = tMs;
  payTick(tMs);
  return OK;
}

// ---- payment flow ----

/** Starts a payment session: the glasses look for a payment code. */
export function payBegin(tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  lastTick = tMs;
  return payStart(tMs);
}

/** Current session state (pay/session.ts S_*). */
export function payState(): i32 { return session.state; }

/** The wearer opens pairing mode (a phone may then register, and the wearer confirms). Refused while paired. */
export function pairBegin(tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  lastTick = tMs;
  return payPairBegin(tMs);
}

/** The wearer unpairs: the spoken code confirms, then keys, voice profile, mandates and receipts are wiped. */
export function unpairBegin(tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  lastTick = tMs;
  return payUnpairBegin(tMs);
}

/** The host saved the state blob of this generation (atomically); held signatures may now leave. */
export function statePersisted(generation: u32): i32 { return payStatePersisted(generation); }

/**
 * Asks the wearer to set one currency's quick-pay limit and daily cap (minor units; currency as 3 ASCII
 * bytes in frameBuffer): shown on the HUD, applied only when the wearer says the code.
 */
export function setLimit(quickMinor: i64, capMinor: i64, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  lastTick = tMs;
  return payChangeLimit(String.UTF8.decodeUnsafe(frame, 3), quickMinor, capMinor, tMs);
}

/** The wearer is asked to open an agent mandate (record of len bytes in frameBuffer(); see payflow.ts). */
export function openMandate(len: i32, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  if (len <= 0 || len > 4096 || len > frameBytes) return E_ARGS;
  lastTick = tMs;
  return payOpenMandate(frame, len, tMs);
}

/** An AI agent's payment request (record of len bytes in frameBuffer(); see payflow.ts). */
export function onAgentRequest(len: i32, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  if (len <= 0 || len > 4096 || len > frameBytes) return E_ARGS;
  lastTick = tMs;
  return payOnAgentRequest(frame, len, tMs);
}

/** Asks the wallet for the last n payments. */
export function queryRecent(n: i32): i32 {
  if (config == null) return E_NOT_INIT;
  return payQueryRecent(n);
}

export function eventBuffer(): usize { return eventOutPtr(); }
/** Length of the next event copied into eventBuffer(), or 0 when none is queued. */
export function nextEvent(): i32 { return popEvent(); }

/** Seals persistent state into stateBlob(); returns its length, or a negative status. */
export function stateSave(): i32 { return stateSerialize(); }
export function stateBlob(): usize { return stateBlobPtr(); }
export function stateInBuffer(): usize { return stateIn; }
/** Loads a blob the host wrote into stateInBuffer(); a bad blob is refused whole. */
export function loadState(len: i32): i32 {
  if (len < 0 || len > STATE_BLOB_MAX) return E_TOO_LARGE;
  const st = stateLoad(stateIn, len);
  if (st != OK) return st;
  return config != null ? payReloadState() : OK;
}

/**
 * The generation of the live state: it grows by one on every stateSave() and never goes back on this
 * device. A host store anchors it (keeps the highest generation it saved, and refuses to hand back an older
 * blob); a real board keeps it in a hardware monotonic counter (see docs/firmware-contract.md).
 */
export function stateGeneration(): u32 { return stateGen(); }

/**
 * The anchor: the lowest generation loadState() accepts (the store's highest saved generation, or the value
 * of the board's hardware monotonic counter). It only ever rises; loading a blob raises it to that blob's.
 */
export function stateAnchor(generation: u32): i32 { stateSetMinGeneration(generation); return OK; }

export function framesSeen(): u32 { return frames; }
export function samplesSeen(): u64 { return samples; }
