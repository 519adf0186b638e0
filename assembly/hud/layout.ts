// HUD screens for the payment flow, laid out from the display size:
//   confirm:  payee name / amount with currency symbol / "say yes / no" / countdown bar
//   result:   a large verdict ("PAID", "CANCELLED", "FAILED") and one line of detail
// Every element's bounding box is recorded in `boxes` (x, y, w, h), so tests and the host can check
// what was drawn where. Rendering allocates nothing; the countdown can be redrawn on its own per tick.
import { FrameBuffer } from "./framebuffer";
import { drawText, textWidth, textLength, runWidth, CELL_H, CELL_W } from "./font";
import { currencyGlyphSymbol } from "../pay/currency";

export const BOX_PAYEE = 0;
export const BOX_AMOUNT = 1;
export const BOX_PROMPT = 2;
export const BOX_BAR = 3;        // the bar's outline
export const BOX_BAR_FILL = 4;   // the lit part (remaining time)
export const BOX_TITLE = 5;      // result verdict
export const BOX_DETAIL = 6;     // result detail
export const BOX_COUNT = 7;

export const RESULT_PAID = 0;
export const RESULT_CANCELLED = 1;
export const RESULT_FAILED = 2;

export const PROMPT = "say yes / no";
export const PROMPT_SHORT = "yes / no";         // for displays too narrow for PROMPT
export const AMOUNT_TOO_LONG = "too long";      // shown instead of an amount that cannot be drawn whole
export const LIT: i32 = 255;
export const DARK: i32 = 0;

/** x, y, w, h per box; w = 0 when the element is not on screen. */
export const boxes: usize = memory.data(BOX_COUNT * 16, 4);

function setBox(i: i32, x: i32, y: i32, w: i32, h: i32): void {
  const p = boxes + (<usize>i << 4);
  store<i32>(p, x); store<i32>(p, y, 4); store<i32>(p, w, 8); store<i32>(p, h, 12);
}
export function boxX(i: i32): i32 { return load<i32>(boxes + (<usize>i << 4)); }
export function boxY(i: i32): i32 { return load<i32>(boxes + (<usize>i << 4), 4); }
export function boxW(i: i32): i32 { return load<i32>(boxes + (<usize>i << 4), 8); }
export function boxH(i: i32): i32 { return load<i32>(boxes + (<usize>i << 4), 12); }
function clearBoxes(): void { memory.fill(boxes, 0, BOX_COUNT * 16); }

/** Geometry shared by the screens, derived from the display size. */
class Metrics {
  margin: i32 = 2;
  small: i32 = 1;    // scale of payee and prompt
  large: i32 = 2;    // scale of the amount
  barH: i32 = 2;
  gap: i32 = 1;
}
const m = new Metrics();

function measure(fb: FrameBuffer): void {
  const base = max(1, min(fb.width / 128, fb.height / 64));
  m.small = base;
  m.margin = max(2, base * 2);
  m.gap = max(1, base);
  m.barH = max(2, base * 2);
  // the amount gets one size up when four rows still fit the height
  m.large = base + 1;
  if (totalHeight() > fb.height) m.large = base;
  while (m.large > 1 && totalHeight() > fb.height) { m.large--; m.small = min(m.small, m.large); }
}

function totalHeight(): i32 {
  return 2 * m.margin + CELL_H * m.small * 2 + CELL_H * m.large + m.barH + 3 * m.gap;
}

/** Largest scale ≤ s (and ≥ s-2, ≥ 1) at which the text fits the width. */
function fitScale(t: string, s: i32, avail: i32): i32 {
  const floor = max(1, s - 2);
  while (s > floor && textWidth(t, s) > avail) s--;
  return s;
}

let barX: i32 = 0, barY: i32 = 0, barW: i32 = 0;

/**
 * The confirmation screen. `amount` null or "" shows "amount?"; currency is the ISO alpha code.
 * An amount is never cut: when symbol + amount cannot fit the width even at scale 1, the screen shows
 * "too long" instead and this returns false (the caller must not take a "yes" for that screen).
 */
export function renderConfirm(fb: FrameBuffer, payee: string, amount: string | null, currency: string,
                              remainingMs: i32, totalMs: i32): bool {
  clearBoxes();
  fb.clear(DARK);
  measure(fb);
  const W = fb.width, avail = W - 2 * m.margin;
  // free height is spread evenly between the rows
  const used = CELL_H * m.small * 2 + CELL_H * m.large + m.barH;
  const slack = max(0, fb.height - 2 * m.margin - used);
  const step = slack / 4;
  let y = m.margin + step / 2;

  // payee, centred; a long name first shrinks (at most two steps), then is cut with "…"
  const ps = fitScale(payee, m.small, avail);
  const pw = min(textWidth(payee, ps), avail);
  const px = (W - pw) / 2;
  const py = y + (CELL_H * m.small - CELL_H * ps) / 2;
  const drawn = drawText(fb, px, py, payee, ps, LIT, avail);
  setBox(BOX_PAYEE, px, py, runWidth(drawn, ps), CELL_H * ps);
  y += CELL_H * m.small + step;

  // amount with the currency symbol (or "CODE " when it has none); shrinks to fit the width
  const sym = currencyGlyphSymbol(currency);
  const symLen = sym.length > 0 ? textLength(sym) : currency.length + 1;
  const hasAmount = amount != null && amount.length > 0;
  const amt = hasAmount ? amount! : "amount?";
  const n = symLen + textLength(amt);
  let as = m.large;
  while (as > 1 && runWidth(n, as) > avail) as--;
  const complete = runWidth(n, as) <= avail;
  if (complete) {
    const aw = runWidth(n, as);
    const ax = (W - aw) / 2;
    const ay = y + (CELL_H * m.large - CELL_H * as) / 2;
    let k = 0;
    if (sym.length > 0) k = drawText(fb, ax, ay, sym, as, LIT);
    else k = drawText(fb, ax, ay, currency, as, LIT) + 1;
    const k2 = drawText(fb, ax + k * CELL_W * as, ay, amt, as, LIT);
    setBox(BOX_AMOUNT, ax, ay, runWidth(k + k2, as), CELL_H * as);
  } else {
    const ts = fitScale(AMOUNT_TOO_LONG, m.large, avail);
    const tw = min(textWidth(AMOUNT_TOO_LONG, ts), avail);
    const ty = y + (CELL_H * m.large - CELL_H * ts) / 2;
    const k = drawText(fb, (W - tw) / 2, ty, AMOUNT_TOO_LONG, ts, LIT, avail);
    setBox(BOX_AMOUNT, (W - tw) / 2, ty, runWidth(k, ts), CELL_H * ts);
  }
  y += CELL_H * m.large + step;

  // prompt (a shorter one on very narrow displays)
  const prompt = textWidth(PROMPT, 1) <= avail ? PROMPT : PROMPT_SHORT;
  const qs = fitScale(prompt, m.small, avail);
  const qw = textWidth(prompt, qs);
  const qx = (W - qw) / 2;
  drawText(fb, qx, y, prompt, qs, LIT, avail);
  setBox(BOX_PROMPT, qx, y, qw, CELL_H * qs);
  y += CELL_H * m.small + step;

  // countdown bar along the bottom
  barX = m.margin; barW = avail; barY = min(y, fb.height - m.margin - m.barH);
  renderCountdown(fb, remainingMs, totalMs);
  return complete;
}

/** Redraws only the countdown bar (cheap; call on every tick). */
export function renderCountdown(fb: FrameBuffer, remainingMs: i32, totalMs: i32): void {
  const h = m.barH;
  fb.fillRect(barX, barY, barW, h, DARK);
  const r = totalMs <= 0 ? 0 : <i32>(<i64>barW * <i64>max(0, min(remainingMs, totalMs)) / <i64>totalMs);
  // outline: a dim baseline under the whole bar (gray displays) or its two end ticks (1-bit)
  if (fb.bpp == 8) fb.fillRect(barX, barY + h - 1, barW, 1, 64);
  else { fb.fillRect(barX, barY, 1, h, LIT); fb.fillRect(barX + barW - 1, barY, 1, h, LIT); }
  fb.fillRect(barX, barY, r, h, LIT);
  setBox(BOX_BAR, barX, barY, barW, h);
  setBox(BOX_BAR_FILL, barX, barY, r, h);
}

/** The countdown bar at a given place (the spoken-code screen, hud/ask.ts); later ticks redraw it in place. */
export function renderCountdownAt(fb: FrameBuffer, x: i32, y: i32, w: i32, h: i32, remainingMs: i32, totalMs: i32): void {
  barX = x; barY = y; barW = w; m.barH = h;
  renderCountdown(fb, remainingMs, totalMs);
}

/** Records an element's box (for screens drawn outside this file). Clears the others first when first is set. */
export function setBoxPublic(i: i32, x: i32, y: i32, w: i32, h: i32): void { setBox(i, x, y, w, h); }
export function clearBoxesPublic(): void { clearBoxes(); }

/** The result screen. */
export function renderResult(fb: FrameBuffer, kind: i32, detail: string): void {
  clearBoxes();
  fb.clear(DARK);
  measure(fb);
  const W = fb.width, avail = W - 2 * m.margin;
  const title = kind == RESULT_PAID ? "PAID \u2713" : kind == RESULT_CANCELLED ? "CANCELLED" : "FAILED";
  let ts = m.large;
  while (ts > 1 && textWidth(title, ts) > avail) ts--;
  const tw = textWidth(title, ts);
  const th = CELL_H * ts, dh = CELL_H * m.small;
  const top = max(m.margin, (fb.height - th - m.gap * 2 - dh) / 2);
  drawText(fb, (W - tw) / 2, top, title, ts, LIT);
  setBox(BOX_TITLE, (W - tw) / 2, top, tw, th);
  if (detail.length > 0) {
    const ds = fitScale(detail, m.small, avail);
    const dw = min(textWidth(detail, ds), avail);
    const dx = (W - dw) / 2, dy = top + th + m.gap * 2;
    const k = drawText(fb, dx, dy, detail, ds, LIT, avail);
    setBox(BOX_DETAIL, dx, dy, runWidth(k, ds), CELL_H * ds);
  }
}
