// Writes the HUD framebuffer as a PNG (pngjs): 8-bit gray as is, 1-bit (MSB-first rows) expanded to
// 0/255. Optional integer upscaling makes small MCU displays readable in a viewer.
import { writeFileSync, readFileSync } from "node:fs";
import { PNG } from "pngjs";

export interface Framebuffer {
  data: Uint8Array;   // stride * height bytes
  width: number;
  height: number;
  bpp: 1 | 8;
  stride?: number;    // default: ceil(width/8) for 1 bpp, width for 8 bpp
}

export function strideOf(fb: Framebuffer): number {
  return fb.stride ?? (fb.bpp === 1 ? (fb.width + 7) >> 3 : fb.width);
}

/** Gray value 0..255 of pixel (x, y). */
export function pixel(fb: Framebuffer, x: number, y: number): number {
  const s = strideOf(fb);
  if (fb.bpp === 8) return fb.data[y * s + x];
  return fb.data[y * s + (x >> 3)] & (0x80 >> (x & 7)) ? 255 : 0;
}

/** One 8-bit gray plane (width*height) from any framebuffer format. */
export function toGray(fb: Framebuffer): Uint8Array {
  const out = new Uint8Array(fb.width * fb.height);
  for (let y = 0; y < fb.height; y++) for (let x = 0; x < fb.width; x++) out[y * fb.width + x] = pixel(fb, x, y);
  return out;
}

export function framebufferToPng(fb: Framebuffer, opts: { scale?: number } = {}): Buffer {
  const scale = Math.max(1, Math.floor(opts.scale ?? 1));
  if (fb.bpp !== 1 && fb.bpp !== 8) throw new Error(`unsupported bpp ${fb.bpp}`);
  if (fb.data.length < strideOf(fb) * fb.height) throw new Error("framebuffer data shorter than stride × height");
  const W = fb.width * scale, H = fb.height * scale;
  const png = new PNG({ width: W, height: H, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const gray = toGray(fb);
  const out = Buffer.alloc(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = gray[Math.floor(y / scale) * fb.width + Math.floor(x / scale)];
  png.data = out;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}

export function writeFramebufferPng(file: string, fb: Framebuffer, opts: { scale?: number } = {}): void {
  writeFileSync(file, framebufferToPng(fb, opts));
}

/** Reads a PNG back as an 8-bit gray framebuffer (for tests and golden comparisons). */
export function readPngGray(file: string): Framebuffer {
  const png = PNG.sync.read(readFileSync(file));
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[i * 4]; // RGBA after decoding; gray in R
  return { data, width: png.width, height: png.height, bpp: 8 };
}

/** Copies the HUD out of a device (any engine) given its pointer and geometry. */
export async function readDeviceHud(dev: { read(ptr: number, len: number): Promise<Uint8Array> }, ptr: number,
                                    width: number, height: number, bpp: 1 | 8): Promise<Framebuffer> {
  const stride = bpp === 1 ? (width + 7) >> 3 : width;
  return { data: await dev.read(ptr, stride * height), width, height, bpp, stride };
}
