// What the wearer sees: the HUD framebuffer (the device face's hudBuffer()) drawn with hud/ screens as the
// session moves. The host reads it when hudDirty() says it changed.
import { FrameBuffer } from "../hud/framebuffer";
import { renderConfirm, renderCountdown, renderResult, RESULT_PAID, RESULT_CANCELLED, RESULT_FAILED, LIT, DARK } from "../hud/layout";
import { drawText, textWidth, CELL_H } from "../hud/font";
import { planAsk, renderAsk, askReason, PAGE_MS } from "../hud/ask";

const fb = new FrameBuffer();
let dirty: bool = false;
let ready: bool = false;
let lastBar: i32 = -1;

export function displayInit(ptr: usize, w: i32, h: i32, bpp: i32): i32 {
  fb.attach(ptr, FrameBuffer.bytesFor(w, h, bpp));
  const st = fb.configure(w, h, bpp);
  ready = st == 0;
  return st;
}

export function displayTakeDirty(): bool { const d = dirty; dirty = false; return d; }

function centred(text: string, y: i32, scale: i32): void {
  let s = scale;
  while (s > 1 && textWidth(text, s) > fb.width - 4) s--;
  drawText(fb, (fb.width - textWidth(text, s)) / 2, y, text, s, LIT, fb.width - 4);
}

/** "Look at the payment code" while scanning. */
export function showScanning(): void {
  if (!ready) return;
  fb.clear(DARK);
  const s = max(1, min(fb.width / 128, fb.height / 64));
  centred("look at the", fb.height / 2 - CELL_H * s - 2, s);
  centred("payment code", fb.height / 2 + 2, s);
  dirty = true;
}

/**
 * Payee, amount with its symbol, the prompt and a full countdown bar. False when the amount cannot be
 * shown whole on this display: then nobody may be asked to confirm it.
 */
export function showConfirm(payee: string, amount: string, currency: string, remainingMs: i32, totalMs: i32): bool {
  if (!ready) return false;
  const whole = renderConfirm(fb, payee, amount, currency, remainingMs, totalMs);
  lastBar = -1;
  dirty = true;
  return whole;
}

let askCode: string[] = [];
let askPage: i32 = -1;

/**
 * Plans the spoken-code question (each term whole, wrapped and paged); "" when it can be shown, else the
 * reason it cannot (then nobody may be asked).
 */
export function planQuestion(lines: string[], large: bool[]): string {
  if (!ready) return "no display";
  return planAsk(fb, lines, large) > 0 ? "" : askReason();
}

/** Draws the planned question with the code (first page); later pages follow with showAskTick(). */
export function showAsk(code: string[], remainingMs: i32, totalMs: i32): void {
  if (!ready) return;
  askCode = code;
  askPage = 0;
  renderAsk(fb, askCode, 0, remainingMs, totalMs);
  lastBar = -1;
  dirty = true;
}

/** While asking: turns the page every PAGE_MS and keeps the countdown current. */
export function showAskTick(elapsedMs: i32, remainingMs: i32, totalMs: i32): void {
  if (!ready || askPage < 0) return;
  const p = elapsedMs / PAGE_MS;
  if (p != askPage) {
    askPage = p;
    renderAsk(fb, askCode, p, remainingMs, totalMs);
    lastBar = -1;
    dirty = true;
  }
  showCountdown(remainingMs, totalMs);
}

export function askDone(): void { askPage = -1; }

/** Redraws the countdown bar when it moved by at least a tenth. */
export function showCountdown(remainingMs: i32, totalMs: i32): void {
  if (!ready || totalMs <= 0) return;
  const tenth = remainingMs * 10 / totalMs;
  if (tenth == lastBar) return;
  lastBar = tenth;
  renderCountdown(fb, remainingMs, totalMs);
  dirty = true;
}

export const SHOW_PAID: i32 = RESULT_PAID;
export const SHOW_CANCELLED: i32 = RESULT_CANCELLED;
export const SHOW_FAILED: i32 = RESULT_FAILED;

export function showResult(kind: i32, detail: string): void {
  if (!ready) return;
  askPage = -1;
  renderResult(fb, kind, detail);
  dirty = true;
}

/** Two centred lines (pairing mode, no link, disabled). */
export function showMessage(a: string, b: string): void {
  if (!ready) return;
  askPage = -1;
  fb.clear(DARK);
  const s = max(1, min(fb.width / 128, fb.height / 64));
  centred(a, fb.height / 2 - CELL_H * s - 2, s);
  centred(b, fb.height / 2 + 2, s);
  dirty = true;
}

/** The wallet's recent payments, one line each ("HK$25.00 Luckin Coffee"), newest first. */
export function showRecent(rows: string[]): void {
  if (!ready) return;
  fb.clear(DARK);
  const s = max(1, min(fb.width / 256, fb.height / 128));
  const line = CELL_H * s + 2;
  centred("recent payments", 2, s);
  for (let i = 0; i < rows.length && 2 + (i + 2) * line <= fb.height; i++) {
    drawText(fb, 4, 2 + (i + 1) * line + 2, rows[i], s, LIT, fb.width - 8);
  }
  dirty = true;
}
