// The board this module was built for. Numbers come from boards/<id>.json through `asc --use NAME=value`
// (scripts/build.ts); a build without them (unit tests) gets the desktop defaults below.
// The board id travels as four little-endian i32 words of ASCII because --use only carries integers.

// @ts-ignore: compile-time constants from --use
export const CAMERA_WIDTH: i32 = isDefined(BOARD_CAMERA_W) ? BOARD_CAMERA_W : 1920;
// @ts-ignore
export const CAMERA_HEIGHT: i32 = isDefined(BOARD_CAMERA_H) ? BOARD_CAMERA_H : 1440;
// @ts-ignore
export const MIC_RATE: i32 = isDefined(BOARD_MIC_RATE) ? BOARD_MIC_RATE : 16000;
// @ts-ignore: live audio through the streaming spotter (voice/kws-stream.ts) rather than whole windows
export const KWS_STREAMING: bool = isDefined(BOARD_KWS_STREAM) ? BOARD_KWS_STREAM != 0 : false;
// @ts-ignore
export const DISPLAY_WIDTH: i32 = isDefined(BOARD_DISPLAY_W) ? BOARD_DISPLAY_W : 640;
// @ts-ignore
export const DISPLAY_HEIGHT: i32 = isDefined(BOARD_DISPLAY_H) ? BOARD_DISPLAY_H : 400;
// @ts-ignore
export const DISPLAY_BPP: i32 = isDefined(BOARD_DISPLAY_BPP) ? BOARD_DISPLAY_BPP : 8;
// @ts-ignore
export const LINK_MTU: i32 = isDefined(BOARD_LINK_MTU) ? BOARD_LINK_MTU : 244;
// @ts-ignore
export const MAX_MEMORY_PAGES: i32 = isDefined(BOARD_MAX_PAGES) ? BOARD_MAX_PAGES : 1024;
// @ts-ignore
const ID0: i32 = isDefined(BOARD_ID0) ? BOARD_ID0 : 0x6b736564; // "desk"
// @ts-ignore
const ID1: i32 = isDefined(BOARD_ID1) ? BOARD_ID1 : 0x00706f74; // "top"
// @ts-ignore
const ID2: i32 = isDefined(BOARD_ID2) ? BOARD_ID2 : 0;
// @ts-ignore
const ID3: i32 = isDefined(BOARD_ID3) ? BOARD_ID3 : 0;

function wordChars(w: i32): string {
  let s = "";
  for (let i = 0; i < 4; i++) {
    const c = (w >>> (8 * i)) & 0xff;
    if (c == 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

export function boardId(): string { return wordChars(ID0) + wordChars(ID1) + wordChars(ID2) + wordChars(ID3); }

/**
 * The runtime config the host passes to the device face's init(): little-endian u32 words.
 * Every size must be within the compiled board's limits (the buffers were planned for those).
 */
export class RuntimeConfig {
  cameraWidth: i32 = CAMERA_WIDTH;
  cameraHeight: i32 = CAMERA_HEIGHT;
  micRate: i32 = MIC_RATE;
  displayWidth: i32 = DISPLAY_WIDTH;
  displayHeight: i32 = DISPLAY_HEIGHT;
  displayBpp: i32 = DISPLAY_BPP;
  linkMtu: i32 = LINK_MTU;
}

export const CONFIG_MAGIC: u32 = 0x44524247; // "GBRD"
export const CONFIG_VERSION: u32 = 1;
export const CONFIG_WORDS: i32 = 9; // magic, version, 7 fields

/** Parses a config record; returns null and sets `configError` when a field is out of range. */
export let configError: string = "";
export function parseConfig(ptr: usize, len: i32): RuntimeConfig | null {
  if (len < CONFIG_WORDS * 4) { configError = "config record shorter than " + (CONFIG_WORDS * 4).toString() + " bytes"; return null; }
  if (load<u32>(ptr) != CONFIG_MAGIC) { configError = "config magic is not GBRD"; return null; }
  if (load<u32>(ptr, 4) != CONFIG_VERSION) { configError = "config version " + load<u32>(ptr, 4).toString() + " unsupported"; return null; }
  const c = new RuntimeConfig();
  c.cameraWidth = load<i32>(ptr, 8);
  c.cameraHeight = load<i32>(ptr, 12);
  c.micRate = load<i32>(ptr, 16);
  c.displayWidth = load<i32>(ptr, 20);
  c.displayHeight = load<i32>(ptr, 24);
  c.displayBpp = load<i32>(ptr, 28);
  c.linkMtu = load<i32>(ptr, 32);
  if (c.cameraWidth < 21 || c.cameraWidth > CAMERA_WIDTH) { configError = "camera.width out of range"; return null; }
  if (c.cameraHeight < 21 || c.cameraHeight > CAMERA_HEIGHT) { configError = "camera.height out of range"; return null; }
  if (c.micRate != 16000) { configError = "mic.rate must be 16000 (the host resamples)"; return null; }
  if (c.displayWidth < 64 || c.displayWidth > DISPLAY_WIDTH) { configError = "display.width out of range"; return null; }
  if (c.displayHeight < 32 || c.displayHeight > DISPLAY_HEIGHT) { configError = "display.height out of range"; return null; }
  if (c.displayBpp != 1 && c.displayBpp != 8) { configError = "display.bpp must be 1 or 8"; return null; }
  if (c.linkMtu < 20 || c.linkMtu > 512) { configError = "link.mtu out of range"; return null; }
  return c;
}
