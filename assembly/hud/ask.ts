// The confirmation screen of the spoken-code design: what is being confirmed (every term whole, wrapped
// over lines and paged when it does not fit one screen), the code to say as large arrows with their words,
// the page indicator and the countdown bar. Nothing is ever cut: a term with a character the font cannot
// draw, or more pages than MAX_PAGES, makes planAsk() refuse with a reason, and the session then does not
// ask. Boxes (layout.ts) record where the code and the terms were drawn, for tests.
import { FrameBuffer } from "./framebuffer";
import { drawText, hasGlyph, runWidth, textLength, CELL_H, CELL_W } from "./font";
import { LIT, DARK, renderCountdownAt, setBoxPublic, clearBoxesPublic, BOX_PAYEE, BOX_AMOUNT, BOX_PROMPT } from "./layout";

export const MAX_PAGES: i32 = 4;
/** The wearer sees each page this long before the next (the whole question cycles while listening). */
export const PAGE_MS: i32 = 3000;

/** One display row: text at a scale. */
class Row {
  constructor(public text: string, public scale: i32) {}
}

const rows = new Array<Row>();
let pages: i32 = 0;
let planReason: string = "";
let small: i32 = 1;
let large: i32 = 2;
let codeH: i32 = 0;
let margin: i32 = 2;

const starts = new Array<i32>();   // UTF-16 offset where each code point of the last codePoints() call starts

function codePoints(s: string): i32[] {
  const out = new Array<i32>();
  starts.length = 0;
  for (let i = 0; i < s.length; i++) {
    starts.push(i);
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000; i++; }
    }
    out.push(c);
  }
  return out;
}

/** Splits text into rows of at most `cols` code points, breaking after a space where one is near. */
function wrap(text: string, scale: i32, cols: i32): bool {
  const cps = codePoints(text);
  for (let i = 0; i < cps.length; i++) if (!hasGlyph(cps[i])) { planReason = "a character the HUD cannot draw (U+" + cps[i].toString(16) + ")"; return false; }
  if (cps.length == 0) { rows.push(new Row("", scale)); return true; }
  let at = 0;
  while (at < cps.length) {
    let end = min(cps.length, at + cols);
    if (end < cps.length) {
      // prefer to break at the last space in the second half of the row
      for (let k = end; k > at + cols / 2; k--) if (cps[k - 1] == 0x20) { end = k; break; }
    }
    rows.push(new Row(text.substring(starts[at], end < cps.length ? starts[end] : text.length), scale));
    at = end;
  }
  return true;
}

const pageStart = new Array<i32>();   // first row of each page (+ rows.length at the end)

/** Wraps and pages the lines at one pair of scales; the page count, or 0 when they cannot be laid out. */
function tryPlan(fb: FrameBuffer, lines: string[], largeLines: bool[], s: i32, l: i32): i32 {
  rows.length = 0;
  pageStart.length = 0;
  small = s;
  large = l;
  margin = max(2, s * 2);
  const avail = fb.width - 2 * margin;
  // code area: an arrow 1.5 text rows high at the large scale, its word below at the small scale
  codeH = CELL_H * large * 3 / 2 + CELL_H * small + 2 * s;
  const barH = max(2, s * 2);
  const termH = fb.height - 2 * margin - codeH - barH - 2 * s;
  for (let i = 0; i < lines.length; i++) {
    const sc = largeLines[i] ? large : small;
    const cols = (avail + 1) / (CELL_W * sc);
    if (cols < 8) { planReason = "display too narrow"; return 0; }
    if (!wrap(lines[i], sc, cols)) return 0;
  }
  // greedy pages by height
  let used = 0;
  pageStart.push(0);
  for (let i = 0; i < rows.length; i++) {
    const h = CELL_H * rows[i].scale + s;
    if (h > termH) { planReason = "display too small"; return 0; }
    if (used + h > termH) { pageStart.push(i); used = 0; }
    used += h;
  }
  pageStart.push(rows.length);
  return pageStart.length - 1;
}

/**
 * Lays out the terms (large[i]: draw line i at the large scale, e.g. the amount) for this display: the
 * largest scales that fit one page, else the fewest pages. Returns the page count, or 0 when the question
 * cannot be shown whole (askReason() says why).
 */
export function planAsk(fb: FrameBuffer, lines: string[], largeLines: bool[]): i32 {
  planReason = "";
  const base = max(1, min(fb.width / 128, fb.height / 64));
  let bestS = 0, bestL = 0, bestPages = 1 << 30;
  for (let s = base; s >= 1; s--) {
    for (let l = s + 1; l >= s; l--) {
      const n = tryPlan(fb, lines, largeLines, s, l);
      if (n == 0) { if (planReason.startsWith("a character")) return 0; continue; }
      if (n < bestPages) { bestPages = n; bestS = s; bestL = l; }
      if (n == 1) break;
    }
    if (bestPages == 1) break;
  }
  if (bestS == 0) { pages = 0; if (planReason.length == 0) planReason = "display too small"; return 0; }
  pages = tryPlan(fb, lines, largeLines, bestS, bestL);
  if (pages > MAX_PAGES) { planReason = "needs " + pages.toString() + " pages (at most " + MAX_PAGES.toString() + ")"; pages = 0; return 0; }
  planReason = "";
  return pages;
}

export function askReason(): string { return planReason; }
export function askPages(): i32 { return pages; }

function strokeLine(fb: FrameBuffer, x0: i32, y0: i32, x1: i32, y1: i32, t: i32): void {
  const n = max(abs(x1 - x0), abs(y1 - y0));
  for (let i = 0; i <= n; i++) {
    const px = x0 + (x1 - x0) * i / max(1, n), py = y0 + (y1 - y0) * i / max(1, n);
    fb.fillRect(px - t / 2, py - t / 2, t, t, LIT);
  }
}

/** Draws one of the code's symbols in a size×size box: arrows for up/down/left/right, a check mark for yes, a disc otherwise (on). */
function drawSymbol(fb: FrameBuffer, x: i32, y: i32, size: i32, word: string): void {
  const h = size / 2;
  if (word == "up" || word == "down") {
    for (let r = 0; r < h; r++) {       // triangle head
      const yy = word == "up" ? y + r : y + size - 1 - r;
      fb.fillRect(x + h - r, yy, 2 * r + 1, 1, LIT);
    }
    const sx = x + h - size / 8, sy = word == "up" ? y + h : y;
    fb.fillRect(sx, sy, max(1, size / 4), size - h, LIT);
  } else if (word == "left" || word == "right") {
    for (let c = 0; c < h; c++) {
      const xx = word == "left" ? x + c : x + size - 1 - c;
      fb.fillRect(xx, y + h - c, 1, 2 * c + 1, LIT);
    }
    const sy = y + h - size / 8, sx = word == "left" ? x + h : x;
    fb.fillRect(sx, sy, size - h, max(1, size / 4), LIT);
  } else if (word == "yes") {
    // a check mark: two thick strokes
    const t = max(1, size / 7);
    const mx = x + size * 2 / 5, my = y + size * 17 / 20;
    strokeLine(fb, x + size / 10, y + size / 2, mx, my, t);
    strokeLine(fb, mx, my, x + size * 9 / 10, y + size / 8, t);
  } else {
    // a filled disc
    for (let r = 0; r < size; r++) {
      const dy = r - h;
      let w = 0;
      while ((w + 1) * (w + 1) + dy * dy <= h * h) w++;
      fb.fillRect(x + h - w, y + r, 2 * w + 1, 1, LIT);
    }
  }
}

/**
 * Draws page `page` (mod the page count) of the planned question with the code's words. planAsk() first.
 * Boxes: BOX_PAYEE = the terms area drawn, BOX_PROMPT = the code area, BOX_AMOUNT = the page indicator.
 */
export function renderAsk(fb: FrameBuffer, code: string[], page: i32, remainingMs: i32, totalMs: i32): void {
  clearBoxesPublic();
  fb.clear(DARK);
  if (pages <= 0) return;
  const p = page % pages;
  const avail = fb.width - 2 * margin;
  const base = small;
  let y = margin;
  const first = pageStart[p], last = pageStart[p + 1];
  let maxW = 0;
  for (let i = first; i < last; i++) {
    const r = rows[i];
    const w = runWidth(textLength(r.text), r.scale);
    drawText(fb, margin, y, r.text, r.scale, LIT);
    maxW = max(maxW, min(w, avail));
    y += CELL_H * r.scale + base;
  }
  setBoxPublic(BOX_PAYEE, margin, margin, maxW, y - margin);
  if (pages > 1) {
    const ind = (p + 1).toString() + "/" + pages.toString();
    const iw = runWidth(ind.length, small);
    drawText(fb, fb.width - margin - iw, margin, ind, small, LIT);
    setBoxPublic(BOX_AMOUNT, fb.width - margin - iw, margin, iw, CELL_H * small);
  }
  // the code: one cell per word, arrows large, word below
  const barH = max(2, base * 2);
  const cy = fb.height - margin - barH - base - codeH;
  const cell = avail / max(1, code.length);
  const sym = min(CELL_H * large * 3 / 2, cell - 2 * base);
  for (let i = 0; i < code.length; i++) {
    const cx = margin + i * cell;
    drawSymbol(fb, cx + (cell - sym) / 2, cy, sym, code[i]);
    const ww = runWidth(code[i].length, small);
    drawText(fb, cx + (cell - ww) / 2, cy + CELL_H * large * 3 / 2 + base, code[i], small, LIT);
  }
  setBoxPublic(BOX_PROMPT, margin, cy, avail, codeH);
  renderCountdownAt(fb, margin, fb.height - margin - barH, avail, barH, remainingMs, totalMs);
}

/** The planned rows (tests: what the wearer will read, in order). */
export function askRowCount(): i32 { return rows.length; }
export function askRowText(i: i32): string { return rows[i].text; }
