// Image files → 8-bit gray frames: PNG (pngjs), JPEG (jpeg-js), PGM (P5 binary / P2 ASCII).
// Folders are walked for image files. Errors are thrown as ImageError with a clear message.
// Untrusted input: the declared size is checked against IMAGE_LIMITS before anything is allocated, and
// PNG image data is inflated with a cap derived from the header (a zlib bomb stops at the cap).
import { readFileSync, statSync, readdirSync } from "node:fs";
import path from "node:path";
import { inflateSync } from "node:zlib";
import { PNG } from "pngjs";
import jpeg from "jpeg-js";

/** Largest image accepted: 8,192 px per side and 40 megapixels (a 12 MP phone photo fits, a bomb does not). */
export const IMAGE_LIMITS = { maxSide: 8192, maxPixels: 40_000_000 };

/** Refuses a declared size over IMAGE_LIMITS (name "" when the caller prefixes the file name itself). */
function checkDimensions(name: string, format: string, w: number, h: number): void {
  const at = name ? `${name}: ` : "";
  if (!(w > 0 && h > 0)) throw new ImageError(`${at}${format} declares an empty image (${w}x${h})`);
  if (w > IMAGE_LIMITS.maxSide || h > IMAGE_LIMITS.maxSide || w * h > IMAGE_LIMITS.maxPixels)
    throw new ImageError(`${at}${format} declares ${w}x${h} (${(w * h / 1e6).toFixed(1)} MP), over the limit of ` +
      `${IMAGE_LIMITS.maxSide} px per side and ${IMAGE_LIMITS.maxPixels / 1e6} MP`);
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Checks a PNG's header and its image data before pngjs sees it: declared size within IMAGE_LIMITS, and
 * the IDAT stream inflating to no more than the header implies (Adam7 adds a filter byte per pass row).
 */
function checkPng(buf: Uint8Array, name: string): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 33 || dv.getUint32(12) !== 0x49484452) throw new ImageError(`${name}: corrupt PNG (no IHDR chunk first)`);
  const w = dv.getUint32(16), h = dv.getUint32(20), depth = buf[24], colorType = buf[25], interlace = buf[28];
  checkDimensions(name, "PNG", w, h);
  const channels = PNG_CHANNELS[colorType];
  if (!channels || ![1, 2, 4, 8, 16].includes(depth)) throw new ImageError(`${name}: corrupt PNG (colour type ${colorType}, bit depth ${depth})`);
  const rowBytes = Math.ceil((w * channels * depth) / 8);
  const limit = interlace ? (rowBytes + 7) * h + 7 * (h + 8) : (rowBytes + 1) * h;
  const idat: Uint8Array[] = [];
  for (let pos = 8; pos + 12 <= buf.length;) {
    const len = dv.getUint32(pos), type = dv.getUint32(pos + 4);
    if (pos + 12 + len > buf.length) break; // truncated: pngjs reports it
    if (type === 0x49444154) idat.push(buf.subarray(pos + 8, pos + 8 + len));
    if (type === 0x49454e44) break;
    pos += 12 + len;
  }
  try { inflateSync(Buffer.concat(idat), { maxOutputLength: limit + 1 }); }
  catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError)
      throw new ImageError(`${name}: PNG image data inflates beyond the ${limit} bytes its ${w}x${h} header implies (zlib bomb?)`);
    // other inflate errors: pngjs reports them as a corrupt PNG
  }
}

/** Reads a JPEG's frame header (SOFn) size before decoding; null when there is none before the scan. */
function jpegSize(buf: Uint8Array): { w: number; h: number } | null {
  let pos = 2;
  while (pos + 4 <= buf.length) {
    if (buf[pos] !== 0xff) return null;
    const m = buf[pos + 1];
    if (m === 0xff) { pos++; continue; }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { pos += 2; continue; }
    const len = (buf[pos + 2] << 8) | buf[pos + 3];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (pos + 9 > buf.length) return null;
      return { h: (buf[pos + 5] << 8) | buf[pos + 6], w: (buf[pos + 7] << 8) | buf[pos + 8] };
    }
    if (m === 0xda || m === 0xd9) return null;
    pos += 2 + len;
  }
  return null;
}

export interface GrayFrame { width: number; height: number; data: Uint8Array }
export class ImageError extends Error {}

const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg", ".pgm"]);

/**
 * An image file found by walkImageFiles. `fsPath` opens it (a Buffer when the name is not valid UTF-8, as
 * file names on Linux may be any bytes); `name` is for display (invalid bytes shown as U+FFFD).
 */
export interface ImageFile { name: string; fsPath: string | Buffer; nameNotUtf8: boolean }

/** Expands files and folders (recursively, sorted by name bytes) into image files; no name is dropped. */
export function walkImageFiles(inputs: string[]): ImageFile[] {
  const out: ImageFile[] = [];
  const visit = (p: Buffer, top: boolean) => {
    const name = p.toString("utf8"), nameNotUtf8 = !Buffer.from(name, "utf8").equals(p);
    const file = { name, fsPath: nameNotUtf8 ? p : name, nameNotUtf8 };
    let st;
    // unreadable or vanished (a broken link): reported per file later, never dropped
    try { st = statSync(p); } catch { if (top || IMAGE_EXT.has(path.extname(name).toLowerCase())) out.push(file); return; }
    if (st.isDirectory()) {
      const names = (readdirSync(p, { encoding: "buffer" }) as Buffer[]).sort(Buffer.compare);
      for (const n of names) visit(Buffer.concat([p, Buffer.from(path.sep), n]), false);
    } else if (top || IMAGE_EXT.has(path.extname(name).toLowerCase())) out.push(file);
  };
  for (const i of inputs) visit(Buffer.from(i, "utf8"), true);
  return out;
}

/** walkImageFiles as display names (callers that open by name get a clear error for non-UTF-8 names). */
export function walkImages(inputs: string[]): string[] { return walkImageFiles(inputs).map((f) => f.name); }

function rgbaToGray(rgba: Uint8Array | Buffer, w: number, h: number): Uint8Array {
  const g = new Uint8Array(w * h);
  for (let i = 0, j = 0; i < w * h; i++, j += 4) {
    const a = rgba[j + 3];
    let y = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29 + 128) >> 8;
    if (a !== 255) y = (y * a + 255 * (255 - a) + 127) / 255 | 0; // composite over white
    g[i] = y;
  }
  return g;
}

export function decodePgm(buf: Uint8Array): GrayFrame {
  const text = (i: number) => String.fromCharCode(buf[i]);
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < buf.length && /\s/.test(text(pos))) pos++;
      if (pos < buf.length && text(pos) === "#") { while (pos < buf.length && buf[pos] !== 10) pos++; continue; }
      break;
    }
    let s = "";
    while (pos < buf.length && !/\s/.test(text(pos))) s += text(pos++);
    return s;
  };
  const magic = token();
  if (magic !== "P5" && magic !== "P2") throw new ImageError("not a PGM file (magic " + JSON.stringify(magic) + ")");
  const w = parseInt(token(), 10), h = parseInt(token(), 10), max = parseInt(token(), 10);
  if (!(w > 0 && h > 0 && max > 0 && max < 65536)) throw new ImageError("bad PGM header");
  checkDimensions("", "PGM", w, h);
  if (magic === "P5" && buf.length - pos - 1 < w * h * (max > 255 ? 2 : 1)) throw new ImageError(`truncated PGM: ${buf.length - pos - 1} of ${w * h * (max > 255 ? 2 : 1)} pixel bytes`);
  if (magic === "P2" && buf.length - pos < w * h) throw new ImageError(`truncated PGM (P2): ${w}x${h} samples cannot fit in ${buf.length - pos} bytes`);
  const data = new Uint8Array(w * h);
  if (magic === "P5") {
    pos++; // single whitespace after maxval
    const bpp = max > 255 ? 2 : 1;
    if (buf.length - pos < w * h * bpp) throw new ImageError(`truncated PGM: ${buf.length - pos} of ${w * h * bpp} pixel bytes`);
    for (let i = 0; i < w * h; i++) {
      const v = bpp === 1 ? buf[pos + i] : (buf[pos + 2 * i] << 8) | buf[pos + 2 * i + 1];
      data[i] = max === 255 ? v : Math.round((v * 255) / max);
    }
  } else {
    for (let i = 0; i < w * h; i++) {
      const t = token();
      if (t === "") throw new ImageError("truncated PGM (P2)");
      data[i] = Math.round((parseInt(t, 10) * 255) / max);
    }
  }
  return { width: w, height: h, data };
}

export function encodePgm(f: GrayFrame): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${f.width} ${f.height}\n255\n`), Buffer.from(f.data.buffer, f.data.byteOffset, f.width * f.height)]);
}

/** Decodes image bytes by content (PNG/JPEG/PGM signature). */
export function decodeImage(buf: Uint8Array, name = "image"): GrayFrame {
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) {
    checkPng(buf, name);
    let png;
    try { png = PNG.sync.read(Buffer.from(buf)); } catch (e) { throw new ImageError(`${name}: corrupt PNG (${(e as Error).message})`); }
    return { width: png.width, height: png.height, data: rgbaToGray(png.data, png.width, png.height) };
  }
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    const size = jpegSize(buf);
    if (size) checkDimensions(name, "JPEG", size.w, size.h);
    let img;
    try {
      img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: IMAGE_LIMITS.maxPixels / 1e6,
        maxMemoryUsageInMB: Math.ceil((IMAGE_LIMITS.maxPixels * 8) / 2 ** 20) });
    }
    catch (e) { throw new ImageError(`${name}: corrupt JPEG (${(e as Error).message})`); }
    return { width: img.width, height: img.height, data: rgbaToGray(img.data, img.width, img.height) };
  }
  if (buf.length >= 2 && buf[0] === 0x50 && (buf[1] === 0x35 || buf[1] === 0x32)) {
    try { return decodePgm(buf); } catch (e) { throw new ImageError(`${name}: ${(e as Error).message}`); }
  }
  throw new ImageError(`${name}: unknown image format (expected PNG, JPEG or PGM)`);
}

export function loadImage(file: string | Buffer, name = file.toString()): GrayFrame {
  let buf: Buffer;
  try { buf = readFileSync(file); } catch (e) { throw new ImageError(`${name}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  return decodeImage(buf, name);
}

/** Integer-factor box downscale so the frame fits maxW x maxH. Returns the factor used (1 = unchanged). */
export function fitFrame(f: GrayFrame, maxW: number, maxH: number): { frame: GrayFrame; factor: number } {
  let k = 1;
  while (Math.ceil(f.width / k) > maxW || Math.ceil(f.height / k) > maxH) k++;
  return { frame: downscale(f, k), factor: k };
}

/** Box average over k x k blocks (integer arithmetic, rounded); k = 1 returns the frame itself. */
export function downscale(f: GrayFrame, k: number): GrayFrame {
  if (k <= 1) return f;
  const w = Math.floor(f.width / k), h = Math.floor(f.height / k), n = k * k, half = n >> 1;
  const out = new Uint8Array(w * h), acc = new Uint32Array(w), src = f.data, W = f.width;
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let dy = 0; dy < k; dy++) {
      let p = (y * k + dy) * W;
      for (let x = 0; x < w; x++) { let s = 0; for (let dx = 0; dx < k; dx++) s += src[p++]; acc[x] += s; }
    }
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = ((acc[x] + half) / n) | 0;
  }
  return { width: w, height: h, data: out };
}

/**
 * Area-average resize so the frame fits maxW x maxH (any factor; never enlarges), then centred on a
 * maxW x maxH mid-gray canvas when pad is set: a photo as a camera of that size would deliver it.
 */
export function fitToCamera(f: GrayFrame, maxW: number, maxH: number, pad = true): GrayFrame {
  const s = Math.min(1, maxW / f.width, maxH / f.height);
  let g = f;
  if (s < 1) {
    const w = Math.max(1, Math.floor(f.width * s)), h = Math.max(1, Math.floor(f.height * s));
    const xs = Array.from({ length: w + 1 }, (_, i) => Math.min(f.width, Math.round(i / s)));
    const ys = Array.from({ length: h + 1 }, (_, i) => Math.min(f.height, Math.round(i / s)));
    const out = new Uint8Array(w * h), col = new Uint32Array(f.width);
    for (let y = 0; y < h; y++) {
      col.fill(0);
      const y0 = ys[y], y1 = Math.max(y0 + 1, ys[y + 1]);
      for (let yy = y0; yy < y1; yy++) { const r = yy * f.width; for (let x = 0; x < f.width; x++) col[x] += f.data[r + x]; }
      for (let x = 0; x < w; x++) {
        const x0 = xs[x], x1 = Math.max(x0 + 1, xs[x + 1]);
        let sum = 0; for (let xx = x0; xx < x1; xx++) sum += col[xx];
        out[y * w + x] = Math.round(sum / ((x1 - x0) * (y1 - y0)));
      }
    }
    g = { width: w, height: h, data: out };
  }
  if (!pad || (g.width === maxW && g.height === maxH)) return g;
  const out = new Uint8Array(maxW * maxH).fill(128);
  const ox = (maxW - g.width) >> 1, oy = (maxH - g.height) >> 1;
  for (let y = 0; y < g.height; y++) out.set(g.data.subarray(y * g.width, (y + 1) * g.width), (y + oy) * maxW + ox);
  return { width: maxW, height: maxH, data: out };
}

/** The w x h window of f at (x, y) (inside f). */
export function cropFrame(f: GrayFrame, x: number, y: number, w: number, h: number): GrayFrame {
  const out = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) out.set(f.data.subarray((y + r) * f.width + x, (y + r) * f.width + x + w), r * w);
  return { width: w, height: h, data: out };
}

/** Rotates a gray frame by 90°·q clockwise. */
export function rotateFrame(f: GrayFrame, q: number): GrayFrame {
  q = ((q % 4) + 4) % 4;
  if (q === 0) return f;
  const { width: w, height: h, data } = f;
  const W = q === 2 ? w : h, H = q === 2 ? h : w;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = data[y * w + x];
    let nx, ny;
    if (q === 1) { nx = h - 1 - y; ny = x; } else if (q === 2) { nx = w - 1 - x; ny = h - 1 - y; } else { nx = y; ny = w - 1 - x; }
    out[ny * W + nx] = v;
  }
  return { width: W, height: H, data: out };
}
