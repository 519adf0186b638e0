// Working buffers of the QR engine, allocated once (qrInit / first use) and reused for every frame.
// gray: the 8-bit frame the host writes; bin: 1 = dark, 0 = light; blk: per-8x8-block statistics.

export let capW: i32 = 0;
export let capH: i32 = 0;
export let capPixels: i32 = 0;
export let grayPtr: usize = 0;
export let binPtr: usize = 0;
export let blkPtr: usize = 0;      // i32 per block: threshold level of the current pass
export let blkStatPtr: usize = 0;  // 2 x i32 per block: pixel sum, min | max << 8 (shared by every pass)
export let blkCap: i32 = 0;

/** Allocates the buffers for frames up to maxW x maxH. Only the first call allocates; returns false if too big. */
export function allocFrames(maxW: i32, maxH: i32): bool {
  if (grayPtr != 0) return true;
  if (maxW < 21 || maxH < 21 || maxW > 8192 || maxH > 8192) return false;
  capW = maxW; capH = maxH; capPixels = maxW * maxH;
  grayPtr = heap.alloc(<usize>capPixels);
  binPtr = heap.alloc(<usize>capPixels);
  // blocks are 8x8; any frame with w*h <= capPixels and w,h <= 8192 fits in this many blocks
  blkCap = (capPixels >> 6) + ((maxW > maxH ? 8192 : 8192) >> 3) * 2 + 64;
  blkPtr = heap.alloc(<usize>blkCap << 2);
  blkStatPtr = heap.alloc(<usize>blkCap << 3);
  return true;
}

/** True when a w x h frame fits the allocated buffers. */
export function frameFits(w: i32, h: i32): bool {
  if (grayPtr == 0) return false;
  if (w < 21 || h < 21 || w > 8192 || h > 8192) return false;
  if (<i64>w * <i64>h > <i64>capPixels) return false;
  const bw = (w + 7) >> 3, bh = (h + 7) >> 3;
  return bw * bh <= blkCap;
}
