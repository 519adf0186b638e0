// Reed–Solomon over GF(256) with the QR polynomial x^8+x^4+x^3+x^2+1 (0x11D) and generator roots
// α^0..α^(n-1). Decoding: syndromes → Berlekamp–Massey → Chien search → Forney, then a syndrome re-check.
// All work arrays are static: nothing is allocated per call.

export const GF_EXP = new StaticArray<u8>(512);
export const GF_LOG = new StaticArray<u8>(256);

function initTables(): void {
  let x: i32 = 1;
  for (let i = 0; i < 255; i++) {
    unchecked(GF_EXP[i] = <u8>x);
    unchecked(GF_LOG[x] = <u8>i);
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) unchecked(GF_EXP[i] = GF_EXP[i - 255]);
}
initTables();

// @ts-ignore: decorator
@inline export function gfMul(a: i32, b: i32): i32 {
  if (a == 0 || b == 0) return 0;
  return <i32>unchecked(GF_EXP[<i32>unchecked(GF_LOG[a]) + <i32>unchecked(GF_LOG[b])]);
}
// @ts-ignore: decorator
@inline export function gfInv(a: i32): i32 { return <i32>unchecked(GF_EXP[255 - <i32>unchecked(GF_LOG[a])]); }
// @ts-ignore: decorator
@inline function gfDiv(a: i32, b: i32): i32 {
  if (a == 0) return 0;
  return <i32>unchecked(GF_EXP[<i32>unchecked(GF_LOG[a]) + 255 - <i32>unchecked(GF_LOG[b])]);
}

const MAXT = 70; // up to 68 EC codewords per block in QR (v40-H has 30; allow a margin)
const synd = new StaticArray<i32>(MAXT);
const lambda = new StaticArray<i32>(MAXT);
const prevB = new StaticArray<i32>(MAXT);
const tmp = new StaticArray<i32>(MAXT);
const omega = new StaticArray<i32>(MAXT);
const errPos = new StaticArray<i32>(MAXT);

/** Number of errors corrected by the last successful rsDecode. */
export let rsLastErrors: i32 = 0;

function syndromes(ptr: usize, n: i32, nsym: i32): bool {
  let nonzero = false;
  for (let i = 0; i < nsym; i++) {
    // Horner evaluation of r(α^i); codeword byte 0 is the highest power
    let s: i32 = 0;
    if (i == 0) {
      for (let k = 0; k < n; k++) s ^= <i32>load<u8>(ptr + k);
    } else {
      for (let k = 0; k < n; k++) {
        s = (s == 0 ? 0 : <i32>unchecked(GF_EXP[<i32>unchecked(GF_LOG[s]) + i])) ^ <i32>load<u8>(ptr + k);
      }
    }
    unchecked(synd[i] = s);
    if (s != 0) nonzero = true;
  }
  return nonzero;
}

/**
 * Corrects the codeword block at ptr (n bytes, of which the last nsym are EC) in place.
 * maxErrors caps the number of corrections accepted (misdecode protection for small versions).
 * Returns the number of corrected errors, or -1 when the block is uncorrectable.
 */
export function rsDecode(ptr: usize, n: i32, nsym: i32, maxErrors: i32): i32 {
  rsLastErrors = 0;
  if (n <= nsym || n > 255 || nsym <= 0 || nsym >= MAXT) return -1;
  if (!syndromes(ptr, n, nsym)) return 0;
  // Berlekamp–Massey
  for (let i = 0; i < MAXT; i++) { unchecked(lambda[i] = 0); unchecked(prevB[i] = 0); }
  unchecked(lambda[0] = 1); unchecked(prevB[0] = 1);
  let L: i32 = 0, m: i32 = 1, b: i32 = 1;
  for (let r = 0; r < nsym; r++) {
    let d = unchecked(synd[r]);
    for (let i = 1; i <= L; i++) d ^= gfMul(unchecked(lambda[i]), unchecked(synd[r - i]));
    if (d == 0) { m++; continue; }
    const coef = gfDiv(d, b);
    if (2 * L <= r) {
      for (let i = 0; i < MAXT; i++) unchecked(tmp[i] = lambda[i]);
      for (let i = 0; i + m < MAXT; i++) unchecked(lambda[i + m] ^= gfMul(coef, prevB[i]));
      L = r + 1 - L;
      for (let i = 0; i < MAXT; i++) unchecked(prevB[i] = tmp[i]);
      b = d; m = 1;
    } else {
      for (let i = 0; i + m < MAXT; i++) unchecked(lambda[i + m] ^= gfMul(coef, prevB[i]));
      m++;
    }
  }
  if (L == 0 || L > maxErrors || 2 * L > nsym) return -1;
  // Chien search: error at array index k ⇔ Λ(α^{-(n-1-k)}) = 0
  let found: i32 = 0;
  for (let k = 0; k < n; k++) {
    const j = n - 1 - k;                 // power of x for byte k
    const xinv = (255 - j) % 255;        // log of α^{-j}
    let s: i32 = unchecked(lambda[0]);
    for (let i = 1; i <= L; i++) {
      const li = unchecked(lambda[i]);
      if (li != 0) s ^= <i32>unchecked(GF_EXP[(<i32>unchecked(GF_LOG[li]) + xinv * i) % 255]);
    }
    if (s == 0) {
      if (found >= L) return -1;
      unchecked(errPos[found] = k);
      found++;
    }
  }
  if (found != L) return -1;
  // Ω(x) = S(x)Λ(x) mod x^nsym
  for (let i = 0; i < nsym; i++) {
    let v: i32 = 0;
    const top = i < L ? i : L;
    for (let j = 0; j <= top; j++) v ^= gfMul(unchecked(lambda[j]), unchecked(synd[i - j]));
    unchecked(omega[i] = v);
  }
  // Forney (first consecutive root 0): e = X · Ω(X^-1) / Λ'(X^-1)
  for (let e = 0; e < found; e++) {
    const k = unchecked(errPos[e]);
    const j = n - 1 - k;
    const X = <i32>unchecked(GF_EXP[j]);
    const xinvLog = (255 - j) % 255;
    let num: i32 = 0;
    for (let i = 0; i < nsym; i++) {
      const o = unchecked(omega[i]);
      if (o != 0) num ^= <i32>unchecked(GF_EXP[(<i32>unchecked(GF_LOG[o]) + xinvLog * i) % 255]);
    }
    // formal derivative: odd terms only
    let den: i32 = 0;
    for (let i = 1; i <= L; i += 2) {
      const li = unchecked(lambda[i]);
      if (li != 0) den ^= <i32>unchecked(GF_EXP[(<i32>unchecked(GF_LOG[li]) + xinvLog * (i - 1)) % 255]);
    }
    if (den == 0) return -1;
    const mag = gfMul(X, gfDiv(num, den));
    store<u8>(ptr + k, load<u8>(ptr + k) ^ <u8>mag);
  }
  if (syndromes(ptr, n, nsym)) return -1; // the correction must yield a codeword
  rsLastErrors = found;
  return found;
}

/** Systematic encoder (used by tests and synthetic-case tools): fills the nsym EC bytes after k data bytes. */
const gen = new StaticArray<i32>(MAXT);
export function rsEncode(ptr: usize, k: i32, nsym: i32): void {
  for (let i = 0; i < MAXT; i++) unchecked(gen[i] = 0);
  unchecked(gen[0] = 1);
  for (let r = 0; r < nsym; r++) {
    // multiply by (x - α^r): gen coefficients, gen[0] highest
    for (let i = r + 1; i > 0; i--) unchecked(gen[i] = gen[i] ^ gfMul(gen[i - 1], <i32>GF_EXP[r]));
  }
  for (let i = 0; i < nsym; i++) store<u8>(ptr + k + i, 0);
  for (let i = 0; i < k; i++) {
    const f = <i32>load<u8>(ptr + i) ^ <i32>load<u8>(ptr + k);
    for (let j = 0; j < nsym - 1; j++) store<u8>(ptr + k + j, <u8>(<i32>load<u8>(ptr + k + j + 1) ^ gfMul(f, unchecked(gen[j + 1]))));
    store<u8>(ptr + k + nsym - 1, <u8>gfMul(f, unchecked(gen[nsym])));
  }
}
