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
export let framePtr: usize = 0;    // the host's frame (grayPtr points at a reduced copy during pyramid passes)
export let halfPtr: usize = 0;     // the frame reduced 2x (and 4x, in place), for codes with large modules

// @ts-ignore: compile-time constants from the board build
const PYRAMID: bool = (isDefined(BOARD_CAMERA_W) ? BOARD_CAMERA_W : 1920) * (isDefined(BOARD_CAMERA_H) ? BOARD_CAMERA_H : 1440) >= 640 * 480;

/** Points the engine at the reduced frame (true) or back at the host's frame (false). */
export function useReduced(on: bool): void { grayPtr = on ? halfPtr : framePtr; }

/** Allocates the buffers for frames up to maxW x maxH. Only the first call allocates; returns false if too big. */
export function allocFrames(maxW: i32, maxH: i32): bool {
  if (grayPtr != 0) return true;
  if (maxW < 21 || maxH < 21 || maxW > 8192 || maxH > 8192) return false;
  capW = maxW; capH = maxH; capPixels = maxW * maxH;
  grayPtr = heap.alloc(<usize>capPixels);
  framePtr = grayPtr;
  // cameras of VGA and more see screens and posters up close: modules of 20-40 px are read on a reduced copy
  if (PYRAMID) halfPtr = heap.alloc(<usize>((maxW >> 1) * (maxH >> 1)));
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
