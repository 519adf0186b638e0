// Kernel exports for host tests: render HUD screens into a framebuffer allocated once.
//   hudFbInit(w, h, bpp) -> status; hudFbBuffer()/hudFbStride()/hudFbBytes(): the pixels;
//   hudTextBuffer(): UTF-8 strings the render calls read; hudBoxes(): i32 x,y,w,h per element.
import { OK, E_ARGS, E_TOO_LARGE } from "../errors";
import { FrameBuffer } from "./framebuffer";
import { renderConfirm, renderCountdown, renderResult, boxes, BOX_COUNT } from "./layout";
import { textWidth, glyphIndex, hasGlyph } from "./font";
import { FONT_GLYPHS } from "./fontdata";
import { DISPLAY_WIDTH, DISPLAY_HEIGHT, DISPLAY_BPP } from "../board/config";

const fb = new FrameBuffer();
const text: usize = memory.data(2048, 8);

/** Sizes the HUD (≤ the board's display, or 640×400 gray when larger); allocates once. */
export function hudFbInit(w: i32, h: i32, bpp: i32): i32 {
  fb.allocate(max(FrameBuffer.bytesFor(DISPLAY_WIDTH, DISPLAY_HEIGHT, DISPLAY_BPP), FrameBuffer.bytesFor(640, 400, 8)));
  const s = fb.configure(w, h, bpp);
  if (s != OK) return s;
  fb.clear(0);
  return OK;
}
export function hudFbBuffer(): usize { return fb.ptr; }
export function hudFbStride(): i32 { return fb.stride; }
export function hudFbBytes(): i32 { return fb.bytes; }
export function hudTextBuffer(): usize { return text; }
export function hudBoxes(): usize { return boxes; }
export function hudBoxCount(): i32 { return BOX_COUNT; }
export function hudGlyphs(): i32 { return FONT_GLYPHS; }
export function hudHasGlyph(cp: i32): i32 { return hasGlyph(cp) ? 1 : 0; }

function str(off: i32, len: i32): string { return String.UTF8.decodeUnsafe(text + <usize>off, <usize>len); }

/**
 * Text buffer holds payee, amount and currency back to back (UTF-8). amountLen < 0: no amount.
 * Returns OK, or E_TOO_LARGE when the amount could not be drawn whole ("too long" is shown).
 */
export function hudRenderConfirm(payeeLen: i32, amountLen: i32, currencyLen: i32, remainingMs: i32, totalMs: i32): i32 {
  if (fb.width == 0) return E_ARGS;
  if (payeeLen < 0 || currencyLen < 0 || payeeLen + max(amountLen, 0) + currencyLen > 2048) return E_TOO_LARGE;
  const payee = str(0, payeeLen);
  const amount: string | null = amountLen < 0 ? null : str(payeeLen, amountLen);
  const cur = str(payeeLen + max(amountLen, 0), currencyLen);
  return renderConfirm(fb, payee, amount, cur, remainingMs, totalMs) ? OK : E_TOO_LARGE;
}

export function hudRenderCountdown(remainingMs: i32, totalMs: i32): i32 {
  if (fb.width == 0) return E_ARGS;
  renderCountdown(fb, remainingMs, totalMs);
  return OK;
}

export function hudRenderResult(kind: i32, detailLen: i32): i32 {
  if (fb.width == 0) return E_ARGS;
  if (kind < 0 || kind > 2) return E_ARGS;
  if (detailLen < 0 || detailLen > 2048) return E_TOO_LARGE;
  renderResult(fb, kind, str(0, detailLen));
  return OK;
}

/** Width in pixels of the text buffer's first len bytes at a scale. */
export function hudTextWidth(len: i32, scale: i32): i32 { return textWidth(str(0, len), scale); }
export function hudPixel(x: i32, y: i32): i32 { return fb.get(x, y); }
export function hudGlyphIndex(cp: i32): i32 { return glyphIndex(cp); }

/** Allocation probe for tests (see linkHeapProbe): equal before and after means nothing was allocated. */
export function hudHeapProbe(): usize { const p = heap.alloc(1); heap.free(p); return p; }
