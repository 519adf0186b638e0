// QR Model 1 (the original 1994 symbol, ISO/IEC 18004:2000 Annex M): the same finders, timing patterns
// and format information as Model 2, but the format word is masked with 0x2825 instead of 0x5412, there
// are no alignment patterns (extension patterns on the right and bottom edges instead, which carry no
// data), and codewords are placed as rectangles of modules, not in a zigzag: 2x4 modules (2 wide, 4 tall)
// in the two right column pairs and the four left ones, 4x2 in the column quads between. Versions 1-12
// (21-65 modules) only: for 13 and 14 the published capacity table and this layout disagree by one or
// two codewords, and no symbol of those sizes is at hand to settle it.
import { grid } from "./grid";
import { maskBit } from "./mask";

/** Largest Model 1 version read here. */
export const M1_MAX_VERSION: i32 = 12;

// per version 1-12 and EC level L, M, Q, H: EC codewords per block, blocks, data codewords per block
// (ISO/IEC 18004:2000 Table M.2)
const M1_EC: StaticArray<u8> = [
  7, 1, 19,   10, 1, 16,   13, 1, 13,   17, 1, 9,
  10, 1, 36,  16, 1, 30,   22, 1, 24,   30, 1, 16,
  15, 1, 57,  28, 1, 44,   36, 1, 36,   48, 1, 24,
  20, 1, 80,  40, 1, 60,   50, 1, 50,   66, 1, 34,
  26, 1, 108, 52, 1, 82,   66, 1, 68,   44, 2, 23,
  34, 1, 136, 32, 2, 53,   42, 2, 43,   56, 2, 29,
  42, 1, 170, 40, 2, 66,   52, 2, 54,   46, 3, 24,
  24, 2, 104, 48, 2, 80,   64, 2, 64,   56, 3, 29,
  30, 2, 123, 60, 2, 93,   50, 3, 52,   68, 3, 34,
  34, 2, 145, 68, 2, 111,  58, 3, 61,   58, 4, 31,
  40, 2, 168, 40, 4, 64,   52, 4, 52,   54, 5, 29,
  46, 2, 192, 46, 4, 73,   58, 4, 61,   62, 5, 33,
];
/** EC codewords per block, blocks and data codewords per block of version v (1-12) at EC index ec (0-3 = L, M, Q, H). */
export function m1EcLen(v: i32, ec: i32): i32 { return <i32>unchecked(M1_EC[((v - 1) * 4 + ec) * 3]); }
export function m1Blocks(v: i32, ec: i32): i32 { return <i32>unchecked(M1_EC[((v - 1) * 4 + ec) * 3 + 1]); }
export function m1DataLen(v: i32, ec: i32): i32 { return <i32>unchecked(M1_EC[((v - 1) * 4 + ec) * 3 + 2]); }

/** Codewords in a Model 1 symbol of version v (1-12): what the version's L row adds up to, and the layout holds. */
export function m1Codewords(v: i32): i32 { return m1Blocks(v, 0) * (m1EcLen(v, 0) + m1DataLen(v, 0)); }

/**
 * One codeword: `wide` modules across (2 or 4) and 8 / wide rows up, starting at its bottom-right module
 * (row r, column c); the first bit is that module, then leftwards along the row, then the row above.
 */
function rect(r: i32, c: i32, wide: i32, dim: i32, mask: i32): i32 {
  let byte = 0;
  for (let b = 0; b < 8; b++) {
    const rr = r - b / wide, cc = c - b % wide;
    byte = (byte << 1) | (<i32>unchecked(grid[rr * dim + cc]) ^ (maskBit(mask, rr, cc) ? 1 : 0));
  }
  return byte;
}

/**
 * Reads the codewords of the sampled Model 1 grid (grid.ts `grid`, dim x dim) into out, unmasked.
 * Order: the right column pair (rows bottom to top, skipping the extension patterns at every other
 * place but the first and last), the next pair, then each 4-wide column quad right to left from the
 * bottom row to the top one (skipping the timing row; the bottom place of every other quad holds an
 * extension pattern, the last quad's excepted; the first quad stops under the top-right finder), then the
 * four left column pairs between the two left finders (the timing column skipped). Returns the count.
 */
export function readModel1(dim: i32, mask: i32, out: usize): i32 {
  const v = (dim - 17) >> 2;
  let n = 0;
  // right: two column pairs, rows dim-1 up to 9, codewords 4 rows tall
  const rightRows = v + 2;
  for (let j = 0; j < 2; j++) {
    for (let i = 0; i < rightRows; i++) {
      if (j == 0 && (i & 1) == 0 && i > 0 && i < rightRows - 1) continue;   // extension pattern
      store<u8>(out + <usize>n, <u8>rect(dim - 1 - 4 * i, dim - 1 - 2 * j, 2, dim, mask)); n++;
    }
  }
  // middle: column quads, codewords 2 rows tall from the bottom to the top (row 6, the timing row, skipped)
  const quads = dim / 4 - 3, places = dim / 2;
  for (let q = 0; q < quads; q++) {
    const c = dim - 5 - 4 * q;
    for (let i = 0; i < places; i++) {
      if (q == 0 && i >= places - 4) continue;                    // under the top-right finder and its format bits
      if (i == 0 && (q & 1) == 1 && q != quads - 1) continue;     // extension pattern
      const r = dim - 1 - 2 * i - (i >= places - 3 ? 1 : 0);
      store<u8>(out + <usize>n, <u8>rect(r, c, 4, dim, mask)); n++;
    }
  }
  // left: four column pairs (8-7, 5-4, 3-2, 1-0) between the left finders, rows dim-9 up to 9
  for (let k = 0; k < 4; k++) {
    const c = k == 0 ? 8 : 7 - 2 * k;
    for (let i = 0; i < v; i++) { store<u8>(out + <usize>n, <u8>rect(dim - 9 - 4 * i, c, 2, dim, mask)); n++; }
  }
  return n;
}
