// The device face: the exports a host (glasses firmware shell, Node, wasmtime) calls.
// The host writes sensor data into buffers the firmware owns, then calls on*(); the firmware answers
// with events (nextEvent), outgoing link bytes (linkTx) and a HUD framebuffer. Every large buffer is
// allocated once in init() from the board config; nothing is allocated per frame or per audio hop.
import { OK, E_CONFIG, E_NOT_INIT, E_TOO_LARGE, E_ARGS } from "../errors";
import { RuntimeConfig, parseConfig, configError, CONFIG_WORDS } from "../board/config";
import { pushEvent, popEvent, eventOutPtr } from "./events";
import { stateSerialize, stateBlobPtr, stateLoad, STATE_BLOB_MAX } from "../state/blob";
import { Json } from "../io/json";

export const AUDIO_MAX_SAMPLES: i32 = 4096;
export const LINK_BUFFER: i32 = 4096;

const configArea: usize = memory.data(CONFIG_WORDS * 4 + 64, 8);
const linkRx: usize = memory.data(LINK_BUFFER, 8);
const linkTxArea: usize = memory.data(LINK_BUFFER, 8);
const audio: usize = memory.data(AUDIO_MAX_SAMPLES * 2, 8);
const stateIn: usize = memory.data(STATE_BLOB_MAX, 8);

let config: RuntimeConfig | null = null;
let frame: usize = 0;
let frameBytes: i32 = 0;
let hud: usize = 0;
let hudBytes: i32 = 0;
let hudIsDirty: bool = false;
let linkTxLen: i32 = 0;
let frames: u32 = 0;
let samples: u64 = 0;
let lastTick: i64 = 0;

export function configBuffer(): usize { return configArea; }

/** Initialises the device from the config record the host wrote into configBuffer(). */
export function init(len: i32): i32 {
  if (len < 0 || len > CONFIG_WORDS * 4 + 64) return E_CONFIG;
  const c = parseConfig(configArea, len);
  if (c == null) {
    pushEvent(new Json().str("type", "error").str("error", "config").str("message", configError).toString());
    return E_CONFIG;
  }
  if (config == null) {
    // Buffers are planned for the compiled board's maximum sizes, so a later re-init never reallocates.
    frameBytes = c.cameraWidth * c.cameraHeight;
    frame = heap.alloc(<usize>frameBytes);
    hudBytes = (c.displayWidth * c.displayHeight * c.displayBpp + 7) >> 3;
    hud = heap.alloc(<usize>hudBytes);
  } else if (c.cameraWidth * c.cameraHeight > frameBytes ||
             ((c.displayWidth * c.displayHeight * c.displayBpp + 7) >> 3) > hudBytes) {
    return E_CONFIG;
  }
  memory.fill(hud, 0, hudBytes);
  config = c;
  pushEvent(new Json().str("type", "ready").int("camera_w", c.cameraWidth).int("camera_h", c.cameraHeight)
    .int("display_w", c.displayWidth).int("display_h", c.displayHeight).int("mtu", c.linkMtu).toString());
  return OK;
}

export function frameBuffer(): usize { return frame; }

/** A gray frame (w×h, row stride in bytes) has been written into frameBuffer(). */
export function onFrame(w: i32, h: i32, stride: i32, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  if (w <= 0 || h <= 0 || stride < w) return E_ARGS;
  if (w > config!.cameraWidth || h > config!.cameraHeight || <i64>stride * <i64>h > <i64>frameBytes) return E_TOO_LARGE;
  frames++;
  lastTick = tMs;
  return OK;
}

export function audioBuffer(): usize { return audio; }

/** n int16 mono samples at 16 kHz have been written into audioBuffer(). */
export function onAudio(n: i32, tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  if (n < 0) return E_ARGS;
  if (n > AUDIO_MAX_SAMPLES) return E_TOO_LARGE;
  samples += <u64>n;
  lastTick = tMs;
  return OK;
}

export function linkRxBuffer(): usize { return linkRx; }

/** n bytes from the phone link have been written into linkRxBuffer(). */
export function onLinkRx(n: i32): i32 {
  if (config == null) return E_NOT_INIT;
  if (n < 0) return E_ARGS;
  if (n > LINK_BUFFER) return E_TOO_LARGE;
  return OK;
}

export function linkTxBuffer(): usize { return linkTxArea; }
/** Pending outgoing link bytes in linkTxBuffer(); reading them (this call) empties the queue. */
export function linkTx(): i32 { const n = linkTxLen; linkTxLen = 0; return n; }

export function hudBuffer(): usize { return hud; }
export function hudDirty(): bool { const d = hudIsDirty; hudIsDirty = false; return d; }

export function onButton(id: i32): i32 {
  if (config == null) return E_NOT_INIT;
  pushEvent(new Json().str("type", "button").int("id", id).toString());
  return OK;
}

export function tick(tMs: i64): i32 {
  if (config == null) return E_NOT_INIT;
  lastTick = tMs;
  return OK;
}

export function eventBuffer(): usize { return eventOutPtr(); }
/** Length of the next event copied into eventBuffer(), or 0 when none is queued. */
export function nextEvent(): i32 { return popEvent(); }

/** Serialises persistent state into stateBlob(); returns its length. */
export function stateSave(): i32 { return stateSerialize(); }
export function stateBlob(): usize { return stateBlobPtr(); }
export function stateInBuffer(): usize { return stateIn; }
/** Loads a blob the host wrote into stateInBuffer(); a bad blob is refused whole. */
export function loadState(len: i32): i32 {
  if (len < 0 || len > STATE_BLOB_MAX) return E_TOO_LARGE;
  return stateLoad(stateIn, len);
}

export function framesSeen(): u32 { return frames; }
export function samplesSeen(): u64 { return samples; }
