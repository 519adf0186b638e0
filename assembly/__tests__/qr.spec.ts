// QR engine unit tests: GF(256) Reed–Solomon (every correctable error count, beyond-capacity failure),
// BCH format/version decoding with bit errors, each segment mode, and clean failure on frames with no code.
import { rsDecode, rsEncode, gfMul, gfInv } from "../qr/rs";
import { formatBits, versionBits, decodeFormat2, decodeVersion2, ecIndexFromBits, ecBitsFromIndex } from "../qr/format";
import { parseSegments, payLen, payBuf, firstEci, saIndex, saTotal, saParity, fnc1 } from "../qr/modes";
import { textBuf, textLen } from "../qr/charset";
import { allocFrames, grayPtr } from "../qr/frame";
import { decodeFrame, symbolRawCodewords } from "../qr/decoder";

const buf = new StaticArray<u8>(300);
const ptr = changetype<usize>(buf);

let seed: u32 = 12345;
function rnd(): u32 { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed; }

function textIs(s: string): bool {
  const e = String.UTF8.encode(s);
  if (e.byteLength != textLen) return false;
  const p = changetype<usize>(e);
  for (let i = 0; i < textLen; i++) if (load<u8>(p + i) != load<u8>(textBuf + i)) return false;
  return true;
}

// bit writer for segment tests
const bits = new StaticArray<u8>(256);
let bitPos: i32 = 0;
function bw(v: i32, n: i32): void {
  for (let i = n - 1; i >= 0; i--) {
    const b = (v >> i) & 1;
    const idx = bitPos >> 3;
    if (b) bits[idx] = <u8>(<i32>bits[idx] | (0x80 >> (bitPos & 7)));
    bitPos++;
  }
}
function bwReset(): void { for (let i = 0; i < 256; i++) bits[i] = 0; bitPos = 0; }
function parse(version: i32): bool { return parseSegments(changetype<usize>(bits), (bitPos + 7) >> 3, version); }

describe("GF(256)", () => {
  it("multiplies and inverts", () => {
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInv(a))).toBe(1);
    expect(gfMul(0x53, 0xca)).toBe(gfMul(0xca, 0x53));
    expect(gfMul(2, 0x80)).toBe(0x1d);
  });
});

describe("Reed–Solomon", () => {
  it("corrects up to nsym/2 errors for every QR block shape", () => {
    const shapes: i32[] = [19, 7, 16, 10, 13, 13, 9, 17, 116, 30, 15, 28, 43, 24, 45, 30, 122, 30];
    for (let s = 0; s < shapes.length; s += 2) {
      const k = shapes[s], nsym = shapes[s + 1];
      for (let errs = 0; errs <= nsym / 2; errs++) {
        for (let i = 0; i < k; i++) buf[i] = <u8>(rnd() & 255);
        rsEncode(ptr, k, nsym);
        const orig = new StaticArray<u8>(k + nsym);
        for (let i = 0; i < k + nsym; i++) orig[i] = buf[i];
        // distinct positions
        let placed = 0;
        while (placed < errs) {
          const p = <i32>(rnd() % <u32>(k + nsym));
          if (buf[p] != orig[p]) continue;
          buf[p] = buf[p] ^ <u8>(1 + (rnd() % 255));
          placed++;
        }
        expect(rsDecode(ptr, k + nsym, nsym, nsym / 2)).toBe(errs);
        for (let i = 0; i < k + nsym; i++) expect(buf[i]).toBe(orig[i]);
      }
    }
  });
  it("fails cleanly (no miscorrection reported as success) beyond capacity most of the time", () => {
    let refused = 0;
    for (let t = 0; t < 50; t++) {
      const k = 19, nsym = 7;
      for (let i = 0; i < k; i++) buf[i] = <u8>(rnd() & 255);
      rsEncode(ptr, k, nsym);
      for (let e = 0; e < 6; e++) { const p = <i32>(rnd() % 26); buf[p] = buf[p] ^ <u8>(1 + (rnd() % 255)); }
      if (rsDecode(ptr, k + nsym, nsym, 2) < 0) refused++;
    }
    expect(refused).toBeGreaterThan(45);
  });
  it("respects the misdecode-protection cap", () => {
    for (let i = 0; i < 19; i++) buf[i] = <u8>i;
    rsEncode(ptr, 19, 7);
    buf[0] ^= 1; buf[5] ^= 2; buf[9] ^= 4;
    expect(rsDecode(ptr, 26, 7, 2)).toBe(-1);
  });
});

describe("format and version information", () => {
  it("decodes every format word with up to 3 bit errors", () => {
    for (let d = 0; d < 32; d++) {
      const w = formatBits(d);
      expect(decodeFormat2(w, 0)).toBe(d);
      const e = w ^ (1 << (d % 15)) ^ (1 << ((d + 5) % 15)) ^ (1 << ((d + 11) % 15));
      expect(decodeFormat2(e, e)).toBe(d);
    }
    expect(decodeFormat2(0x5412 ^ 0x7fff, 0x0f0f)).toBeLessThan(32);
  });
  it("rejects words 4+ bits from every code", () => {
    // 0b000000000000000 xor mask is valid (data 0); flip 4 bits in a known-far word
    let rejected = 0;
    for (let w = 0; w < 32768; w += 97) if (decodeFormat2(w, w) < 0) rejected++;
    expect(rejected).toBeGreaterThan(0);
  });
  it("EC level bits round-trip", () => {
    for (let i = 0; i < 4; i++) expect(ecIndexFromBits(ecBitsFromIndex(i))).toBe(i);
  });
  it("decodes version words 7..40 with up to 3 bit errors", () => {
    for (let v = 7; v <= 40; v++) {
      const w = versionBits(v);
      expect(decodeVersion2(w ^ 0x7, w ^ 0x30001)).toBe(v);
    }
    expect(versionBits(7)).toBe(0x07c94);
  });
  it("raw codeword counts", () => {
    expect(symbolRawCodewords(1)).toBe(26);
    expect(symbolRawCodewords(7)).toBe(196);
    expect(symbolRawCodewords(40)).toBe(3706);
  });
});

describe("segment modes", () => {
  it("numeric", () => {
    bwReset(); bw(1, 4); bw(8, 10); bw(12, 10); bw(345, 10); bw(67, 7); bw(0, 4);
    expect(parse(1)).toBe(true);
    expect(textIs("01234567")).toBe(true);
  });
  it("alphanumeric", () => {
    bwReset(); bw(2, 4); bw(5, 9); bw(17 * 45 + 14, 11); bw(21 * 45 + 21, 11); bw(24, 6); bw(0, 4);
    expect(parse(1)).toBe(true);
    expect(textIs("HELLO")).toBe(true);
  });
  it("byte (UTF-8 guessed) and ECI 26", () => {
    bwReset(); bw(4, 4); bw(3, 8); bw(0x63, 8); bw(0xc3, 8); bw(0xa9, 8); bw(0, 4);
    expect(parse(1)).toBe(true);
    expect(textIs("cé")).toBe(true);
    bwReset(); bw(7, 4); bw(26, 8); bw(4, 4); bw(2, 8); bw(0xc3, 8); bw(0xa9, 8); bw(0, 4);
    expect(parse(1)).toBe(true);
    expect(textIs("é")).toBe(true);
    expect(firstEci).toBe(26);
  });
  it("byte with ECI 3 (ISO-8859-1) and long counts in version 10+", () => {
    bwReset(); bw(7, 4); bw(3, 8); bw(4, 4); bw(1, 16); bw(0xe9, 8); bw(0, 4);
    expect(parse(10)).toBe(true);
    expect(textIs("é")).toBe(true);
  });
  it("kanji", () => {
    // 点 = Shift_JIS 0x935F → 0x935F-0x8140 = 0x121F → 0x12*0xC0 + 0x1F = 0xD9F
    bwReset(); bw(8, 4); bw(1, 8); bw(0xd9f, 13); bw(0, 4);
    expect(parse(1)).toBe(true);
    expect(textIs("点")).toBe(true);
    expect(payLen).toBe(2);
    expect(load<u8>(payBuf)).toBe(0x93);
  });
  it("structured append and FNC1 are reported", () => {
    bwReset(); bw(3, 4); bw(0x13, 8); bw(0x5a, 8); bw(5, 4); bw(2, 4); bw(1, 9); bw(38, 6); bw(0, 4);
    expect(parse(1)).toBe(true);
    expect(saIndex).toBe(1);
    expect(saTotal).toBe(4);
    expect(saParity).toBe(0x5a);
    expect(fnc1).toBe(1);
    expect(textLen).toBe(1);       // "%" in FNC1 mode is GS (0x1D)
    expect(load<u8>(textBuf)).toBe(0x1d);
  });
  it("rejects truncated and reserved segments", () => {
    bwReset(); bw(1, 4); bw(9, 10); bw(12, 10);
    expect(parse(1)).toBe(false);
    bwReset(); bw(0xf, 4); bw(0, 8);
    expect(parse(1)).toBe(false);
    bwReset(); bw(1, 4); bw(3, 10); bw(1000, 10); bw(0, 4);
    expect(parse(1)).toBe(false);
  });
});

describe("frames without a code", () => {
  it("blank, noise and stripes give no result and do not trap", () => {
    expect(allocFrames(320, 240)).toBe(true);
    for (let i = 0; i < 320 * 240; i++) store<u8>(grayPtr + i, 200);
    expect(decodeFrame(320, 240)).toBe(0);
    for (let i = 0; i < 320 * 240; i++) store<u8>(grayPtr + i, <u8>(rnd() & 255));
    expect(decodeFrame(320, 240)).toBe(0);
    for (let y = 0; y < 240; y++) for (let x = 0; x < 320; x++) store<u8>(grayPtr + y * 320 + x, ((x / 3) & 1) ? 20 : 230);
    expect(decodeFrame(320, 240)).toBe(0);
    for (let i = 0; i < 21 * 21; i++) store<u8>(grayPtr + i, <u8>(rnd() & 255));
    expect(decodeFrame(21, 21)).toBe(0);
  });
});

import { blockStats, thresholdBlocks, setNegative, setFlatMode } from "../qr/binarize";
import { binPtr } from "../qr/frame";
import { isUtf8 } from "../io/args";

describe("binarization passes share block statistics", () => {
  it("the negative pass from shared statistics equals thresholding the inverted frame", () => {
    allocFrames(320, 240);
    const w = 200, h = 120, n = w * h;
    const copy = new StaticArray<u8>(200 * 120);
    seed = 777;
    for (let i = 0; i < n; i++) {
      // blocks of flat paper, gradients and texture
      const x = i % w, y = i / w;
      const v = x < 64 ? 180 + (y & 3) : (x < 128 ? <i32>(rnd() & 255) : ((x >> 3) + (y >> 3)) & 1 ? 30 : 220);
      store<u8>(grayPtr + <usize>i, <u8>v);
    }
    for (let mode = 0; mode < 2; mode++) {
      setFlatMode(mode);
      // statistics of the frame, negative levels derived from them
      blockStats(w, h); setNegative(true); thresholdBlocks(w, h); setNegative(false);
      for (let i = 0; i < n; i++) copy[i] = load<u8>(binPtr + <usize>i);
      // the frame itself inverted, thresholded as a positive
      for (let i = 0; i < n; i++) store<u8>(grayPtr + <usize>i, <u8>(255 - <i32>load<u8>(grayPtr + <usize>i)));
      blockStats(w, h); thresholdBlocks(w, h);
      let diff = 0;
      for (let i = 0; i < n; i++) if (copy[i] != load<u8>(binPtr + <usize>i)) diff++;
      expect(diff).toBe(0);
      for (let i = 0; i < n; i++) store<u8>(grayPtr + <usize>i, <u8>(255 - <i32>load<u8>(grayPtr + <usize>i)));
    }
  });
});

describe("command-line arguments", () => {
  it("tells well-formed UTF-8 from other bytes", () => {
    const ok = String.UTF8.encode("café 支付 ✓ 😀");
    expect(isUtf8(changetype<usize>(ok), ok.byteLength)).toBe(true);
    const bad = new StaticArray<u8>(8);
    const p = changetype<usize>(bad);
    // Latin-1 "café": 0xE9 starts a 3-byte sequence that never continues
    store<u8>(p, 0x63); store<u8>(p, 0x61, 1); store<u8>(p, 0x66, 2); store<u8>(p, 0xe9, 3);
    expect(isUtf8(p, 4)).toBe(false);
    store<u8>(p, 0xc0); store<u8>(p, 0x80, 1);                      // overlong NUL
    expect(isUtf8(p, 2)).toBe(false);
    store<u8>(p, 0xed); store<u8>(p, 0xa0, 1); store<u8>(p, 0x80, 2); // a UTF-16 surrogate
    expect(isUtf8(p, 3)).toBe(false);
    store<u8>(p, 0xe2); store<u8>(p, 0x9c, 1);                      // truncated ✓
    expect(isUtf8(p, 2)).toBe(false);
  });
});

import { clearPoints, addPoint, fitHomography, HM, project, outX, outY } from "../qr/grid";
import { measureFinders, fitFinders, timingFraction, estDim } from "../qr/locate";

// module (u, v) of the true map → image, and back (the 2x2 solve of insideSymbol in decoder.ts)
const TH = new StaticArray<f64>(8);
function toModule(x: f64, y: f64): StaticArray<f64> {
  const a = TH[0], b = TH[1], c = TH[2], d = TH[3], e = TH[4], f = TH[5], g = TH[6], h = TH[7];
  const a11 = a - g * x, a12 = b - h * x, b1 = x - c, a21 = d - g * y, a22 = e - h * y, b2 = y - f;
  const det = a11 * a22 - a12 * a21;
  const r = new StaticArray<f64>(2);
  r[0] = (b1 * a22 - a12 * b2) / det; r[1] = (a11 * b2 - b1 * a21) / det;
  return r;
}
function trueX(u: f64, v: f64): f64 { return (TH[0] * u + TH[1] * v + TH[2]) / (TH[6] * u + TH[7] * v + 1); }
function trueY(u: f64, v: f64): f64 { return (TH[3] * u + TH[4] * v + TH[5]) / (TH[6] * u + TH[7] * v + 1); }
/** Finder patterns and timing patterns of a dim x dim symbol (no data: light), 1 = dark. */
function moduleDark(u: f64, v: f64, dim: i32): bool {
  const d = <f64>dim;
  if (u < 0 || v < 0 || u >= d || v >= d) return false;
  const cs: f64[] = [3.5, 3.5, d - 3.5, 3.5, 3.5, d - 3.5];
  for (let k = 0; k < 6; k += 2) {
    const r = Math.max(Math.abs(u - cs[k]), Math.abs(v - cs[k + 1]));
    if (r < 3.5) return r < 1.5 || r >= 2.5;
  }
  const iu = <i32>Math.floor(u), iv = <i32>Math.floor(v);
  if (iv == 6 && iu >= 8 && iu < dim - 8) return (iu & 1) == 0;
  if (iu == 6 && iv >= 8 && iv < dim - 8) return (iv & 1) == 0;
  return false;
}

describe("perspective from the finders (locate.ts)", () => {
  it("estimates the dimension and fits the grid under a strong keystone", () => {
    allocFrames(320, 240);
    const w = 320, h = 240, dim = 37, d = <f64>dim;
    // the symbol's corners: the bottom edge 2.2x the top edge
    clearPoints();
    addPoint(0, 0, 120, 20); addPoint(d, 0, 210, 20); addPoint(d, d, 310, 230); addPoint(0, d, 12, 230);
    expect(fitHomography()).toBe(true);
    for (let i = 0; i < 8; i++) TH[i] = HM[i];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const m = toModule(<f64>x + 0.5, <f64>y + 0.5);
      store<u8>(binPtr + <usize>(y * w + x), moduleDark(m[0], m[1], dim) ? 1 : 0);
    }
    const c = d - 3.5;
    expect(measureFinders(w, h, trueX(3.5, 3.5), trueY(3.5, 3.5), trueX(c, 3.5), trueY(c, 3.5), trueX(3.5, c), trueY(3.5, c))).toBe(true);
    // (the arithmetic mean of the near and far module sizes would give too few modules)
    expect(Math.abs(estDim - d)).toBeLessThan(1.5);
    expect(fitFinders(dim)).toBe(true);
    expect(timingFraction(dim, w, h)).toBeGreaterThan(0.9);
    // the fourth corner, which no finder marks, within a pixel of the truth
    project(c, c);
    expect(Math.abs(outX - trueX(c, c))).toBeLessThan(1.0);
    expect(Math.abs(outY - trueY(c, c))).toBeLessThan(1.0);
    // the neighbouring dimensions do not read the timing patterns
    expect(fitFinders(dim - 4)).toBe(true);
    expect(timingFraction(dim - 4, w, h)).toBeLessThan(0.8);
    expect(fitFinders(dim + 4)).toBe(true);
    expect(timingFraction(dim + 4, w, h)).toBeLessThan(0.8);
  });
});
