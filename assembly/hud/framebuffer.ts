// The HUD framebuffer at the board's display size: 1 bit per pixel on MCU boards (rows packed
// MSB-first, bit 7 = leftmost pixel, 1 = lit) or 8-bit gray elsewhere (0 = dark/transparent on an
// additive display, 255 = full brightness). Allocated once; drawing never allocates.
import { OK, E_ARGS, E_TOO_LARGE } from "../errors";

export class FrameBuffer {
  ptr: usize = 0;
  capacity: i32 = 0;
  width: i32 = 0;
  height: i32 = 0;
  bpp: i32 = 8;
  stride: i32 = 0;

  /** Bytes needed for a w×h display at bpp. */
  static bytesFor(w: i32, h: i32, bpp: i32): i32 { return (bpp == 1 ? (w + 7) >> 3 : w) * h; }

  /** Allocates the pixel store once (capacity bytes); later calls only reuse it. */
  allocate(capacity: i32): void {
    if (this.ptr != 0) return;
    this.ptr = heap.alloc(<usize>capacity);
    this.capacity = capacity;
  }

  /** Uses memory someone else owns (the device face's HUD buffer). */
  attach(ptr: usize, capacity: i32): void { this.ptr = ptr; this.capacity = capacity; }

  /** Sets the geometry; the store must already be large enough. */
  configure(w: i32, h: i32, bpp: i32): i32 {
    if (w <= 0 || h <= 0 || w > 4096 || h > 4096 || (bpp != 1 && bpp != 8)) return E_ARGS;
    if (FrameBuffer.bytesFor(w, h, bpp) > this.capacity) return E_TOO_LARGE;
    this.width = w; this.height = h; this.bpp = bpp;
    this.stride = bpp == 1 ? (w + 7) >> 3 : w;
    return OK;
  }

  get bytes(): i32 { return this.stride * this.height; }

  clear(v: i32): void {
    const b = this.bpp == 1 ? (v >= 128 ? 0xff : 0) : v & 0xff;
    memory.fill(this.ptr, <u8>b, <usize>this.bytes);
  }

  @inline set(x: i32, y: i32, v: i32): void {
    if (<u32>x >= <u32>this.width || <u32>y >= <u32>this.height) return;
    if (this.bpp == 8) { store<u8>(this.ptr + <usize>(y * this.stride + x), <u8>v); return; }
    const a = this.ptr + <usize>(y * this.stride + (x >> 3));
    const m = <u8>(<u32>0x80 >> <u32>(x & 7));
    const old = load<u8>(a);
    store<u8>(a, v >= 128 ? old | m : old & ~m);
  }

  /** 0..255 (1-bit pixels read as 0 or 255); 0 outside the display. */
  get(x: i32, y: i32): i32 {
    if (<u32>x >= <u32>this.width || <u32>y >= <u32>this.height) return 0;
    if (this.bpp == 8) return <i32>load<u8>(this.ptr + <usize>(y * this.stride + x));
    return (load<u8>(this.ptr + <usize>(y * this.stride + (x >> 3))) & (0x80 >> (x & 7))) != 0 ? 255 : 0;
  }

  fillRect(x: i32, y: i32, w: i32, h: i32, v: i32): void {
    let x0 = max(x, 0), y0 = max(y, 0);
    const x1 = min(x + w, this.width), y1 = min(y + h, this.height);
    if (x0 >= x1 || y0 >= y1) return;
    if (this.bpp == 8) {
      for (let yy = y0; yy < y1; yy++) memory.fill(this.ptr + <usize>(yy * this.stride + x0), <u8>v, <usize>(x1 - x0));
      return;
    }
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.set(xx, yy, v);
  }

  /** One-pixel-wide rectangle outline, t pixels thick. */
  strokeRect(x: i32, y: i32, w: i32, h: i32, t: i32, v: i32): void {
    this.fillRect(x, y, w, t, v);
    this.fillRect(x, y + h - t, w, t, v);
    this.fillRect(x, y, t, h, v);
    this.fillRect(x + w - t, y, t, h, v);
  }

  /** Number of lit pixels (value >= 128) in a rectangle (tests and self-checks). */
  countLit(x: i32, y: i32, w: i32, h: i32): i32 {
    let n = 0;
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) if (this.get(xx, yy) >= 128) n++;
    return n;
  }
}
