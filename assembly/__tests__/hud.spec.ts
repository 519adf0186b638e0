import { FrameBuffer } from "../hud/framebuffer";
import { glyphIndex, hasGlyph, textWidth, drawText, REPLACEMENT } from "../hud/font";
import { renderConfirm, renderCountdown, boxX, boxY, boxW, boxH, BOX_AMOUNT, BOX_BAR_FILL, BOX_BAR } from "../hud/layout";
import { FONT_GLYPHS } from "../hud/fontdata";
import { OK, E_TOO_LARGE } from "../errors";

const fb = new FrameBuffer();
fb.allocate(640 * 400);

describe("framebuffer", () => {
  it("packs 1-bit pixels MSB first", () => {
    expect(fb.configure(256, 128, 1)).toBe(OK);
    fb.clear(0);
    fb.set(0, 0, 255); fb.set(9, 1, 255);
    expect(load<u8>(fb.ptr)).toBe(0x80);
    expect(load<u8>(fb.ptr + 32 + 1)).toBe(0x40);
    expect(fb.get(9, 1)).toBe(255);
    expect(fb.get(8, 1)).toBe(0);
    expect(fb.get(-1, 0)).toBe(0);
  });
  it("clips rectangles and refuses oversize geometry", () => {
    expect(fb.configure(640, 400, 8)).toBe(OK);
    fb.clear(0);
    fb.fillRect(630, 390, 50, 50, 200);
    expect(fb.countLit(0, 0, 640, 400)).toBe(100);
    expect(fb.configure(2048, 2048, 8)).toBe(E_TOO_LARGE);
  });
});

describe("font", () => {
  it("covers ASCII and the currency symbols", () => {
    for (let c = 32; c < 127; c++) expect(hasGlyph(c)).toBe(true);
    expect(hasGlyph(0x20ac)).toBe(true);
    expect(hasGlyph(0x00a5)).toBe(true);
    expect(hasGlyph(0x20b9)).toBe(true);
    expect(hasGlyph(0x4e2d)).toBe(false);
    expect(glyphIndex(0x4e2d)).toBe(FONT_GLYPHS - 1);
    expect(glyphIndex(REPLACEMENT)).toBe(FONT_GLYPHS - 1);
  });
  it("measures and draws", () => {
    expect(textWidth("HK$", 1)).toBe(17);
    expect(textWidth("", 3)).toBe(0);
    expect(fb.configure(128, 64, 1)).toBe(OK);
    fb.clear(0);
    expect(drawText(fb, 0, 0, "1", 1, 255)).toBe(1);
    expect(fb.countLit(0, 0, 6, 9)).toBe(10);   // the "1" glyph has 10 lit pixels
  });
});

describe("layout", () => {
  it("fills the countdown in proportion to the time left", () => {
    expect(fb.configure(256, 128, 1)).toBe(OK);
    renderConfirm(fb, "Luckin Coffee", "25.00", "HKD", 7500, 30000);
    expect(boxW(BOX_BAR_FILL)).toBe(boxW(BOX_BAR) / 4);
    expect(boxW(BOX_AMOUNT)).toBeGreaterThan(0);
    renderCountdown(fb, 30000, 30000);
    expect(boxW(BOX_BAR_FILL)).toBe(boxW(BOX_BAR));
    expect(fb.countLit(boxX(BOX_BAR_FILL), boxY(BOX_BAR_FILL), boxW(BOX_BAR_FILL), boxH(BOX_BAR_FILL))).toBe(boxW(BOX_BAR_FILL) * boxH(BOX_BAR_FILL));
  });
});

import { planAsk, askReason, askRowCount, askRowText, renderAsk, MAX_PAGES } from "../hud/ask";
import { BOX_PROMPT, BOX_PAYEE } from "../hud/layout";

describe("spoken-code question", () => {
  it("wraps a long payee name over rows without losing a character (256×128, 1-bit)", () => {
    expect(fb.configure(256, 128, 1)).toBe(OK);
    const name = "Sri Venkateswara Tiffin Centre and Family Restaurant, Banjara Hil";   // 64 bytes
    const lines = ["Pay", name, "to merchant.account.0042@okhdfcbank", "\u20b925.00"];
    const pages = planAsk(fb, lines, [false, false, false, true]);
    expect(pages).toBe(1);
    let all = "";
    for (let i = 1; i < askRowCount() - 2; i++) all += askRowText(i);
    expect(all).toBe(name);
    expect(askRowCount()).toBeGreaterThan(4);   // the name took more than one row
    renderAsk(fb, ["up", "left", "on"], 0, 15000, 15000);
    expect(boxW(BOX_PROMPT)).toBeGreaterThan(0);
    expect(fb.countLit(boxX(BOX_PROMPT), boxY(BOX_PROMPT), boxW(BOX_PROMPT), boxH(BOX_PROMPT))).toBeGreaterThan(100);
    expect(boxH(BOX_PAYEE)).toBeGreaterThan(0);
  });
  it("refuses text the font cannot draw, and questions longer than the page limit", () => {
    expect(fb.configure(256, 128, 1)).toBe(OK);
    expect(planAsk(fb, ["Pay", "\u5de5\u5546\u94f6\u884c", "\u00a525.00"], [false, false, true])).toBe(0);
    expect(askReason().startsWith("a character the HUD cannot draw")).toBe(true);
    const many = new Array<string>();
    const big = new Array<bool>();
    for (let i = 0; i < 40; i++) { many.push("payee number " + i.toString() + " with a fairly long trading name here"); big.push(false); }
    expect(planAsk(fb, many, big)).toBe(0);
    expect(askReason().startsWith("needs")).toBe(true);
    expect(MAX_PAGES).toBe(4);
  });
  it("pages a mandate's eight payees on the MCU display", () => {
    expect(fb.configure(256, 128, 1)).toBe(OK);
    const lines = ["Let an agent pay?", "agent: Shopping agent (key 0a1b2c3d)", "each up to HK$50.00", "budget HK$80.00",
      "until 2027-06-04 12:00 UTC", "payees (8):"];
    const big = [false, false, true, true, false, false];
    for (let i = 0; i < 8; i++) { lines.push("- Payee " + i.toString() + " Trading Company Limited"); big.push(false); }
    const pages = planAsk(fb, lines, big);
    expect(pages).toBeGreaterThan(1);
    expect(pages).toBeLessThanOrEqual(MAX_PAGES);
  });
});
