// The eight data-mask patterns (ISO/IEC 18004 8.8.1; Model 1 symbols use the same eight): whether the module
// at row r, column c is inverted under mask m.
// @ts-ignore
@inline export function maskBit(m: i32, r: i32, c: i32): bool {
  switch (m) {
    case 0: return ((r + c) & 1) == 0;
    case 1: return (r & 1) == 0;
    case 2: return c % 3 == 0;
    case 3: return (r + c) % 3 == 0;
    case 4: return ((r / 2 + c / 3) & 1) == 0;
    case 5: return ((r * c) & 1) + (r * c) % 3 == 0;
    case 6: return ((((r * c) & 1) + (r * c) % 3) & 1) == 0;
    default: return ((((r + c) & 1) + (r * c) % 3) & 1) == 0;
  }
}
