// SHA-256 (FIPS 180-4). Streaming context in caller-owned memory (SHA_CTX_BYTES), no allocation.
// Layout: state H0..H7 (32 B) | block buffer (64 B) | buffered length u32 | pad | total bytes u64.
export const SHA_CTX_BYTES: usize = 112;
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const WS: usize = memory.data(256, 16);
const ONESHOT: usize = memory.data(112, 16);

export function shaInit(ctx: usize): void {
  memory.copy(ctx, IV, 32);
  store<u32>(ctx, 0, 96);
  store<u64>(ctx, 0, 104);
}

/** Processes `blocks` 64-byte blocks at p into the state at ctx. */
function compress(ctx: usize, p: usize, blocks: usize): void {
  let h0 = load<u32>(ctx, 0), h1 = load<u32>(ctx, 4), h2 = load<u32>(ctx, 8), h3 = load<u32>(ctx, 12);
  let h4 = load<u32>(ctx, 16), h5 = load<u32>(ctx, 20), h6 = load<u32>(ctx, 24), h7 = load<u32>(ctx, 28);
  while (blocks > 0) {
    for (let i: usize = 0; i < 64; i += 4) store<u32>(WS + i, bswap<u32>(load<u32>(p + i)));
    for (let i: usize = 64; i < 256; i += 4) {
      const w15 = load<u32>(WS + i - 60), w2 = load<u32>(WS + i - 8);
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
      store<u32>(WS + i, load<u32>(WS + i - 64) + s0 + load<u32>(WS + i - 28) + s1);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i: usize = 0; i < 256; i += 4) {
      const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = h + S1 + ch + load<u32>(K + i) + load<u32>(WS + i);
      const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
      const mj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = S0 + mj;
      h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h;
    p += 64; blocks--;
  }
  store<u32>(ctx, h0, 0); store<u32>(ctx, h1, 4); store<u32>(ctx, h2, 8); store<u32>(ctx, h3, 12);
  store<u32>(ctx, h4, 16); store<u32>(ctx, h5, 20); store<u32>(ctx, h6, 24); store<u32>(ctx, h7, 28);
}

export function shaUpdate(ctx: usize, p: usize, len: usize): void {
  store<u64>(ctx, load<u64>(ctx, 104) + <u64>len, 104);
  let have = <usize>load<u32>(ctx, 96);
  if (have > 0) {
    const take = len < 64 - have ? len : 64 - have;
    memory.copy(ctx + 32 + have, p, take);
    have += take; p += take; len -= take;
    if (have < 64) { store<u32>(ctx, <u32>have, 96); return; }
    compress(ctx, ctx + 32, 1);
    have = 0;
  }
  const blocks = len >> 6;
  if (blocks > 0) { compress(ctx, p, blocks); p += blocks << 6; len &= 63; }
  if (len > 0) memory.copy(ctx + 32, p, len);
  store<u32>(ctx, <u32>len, 96);
}

export function shaFinal(ctx: usize, out: usize): void {
  const total = load<u64>(ctx, 104);
  let have = <usize>load<u32>(ctx, 96);
  store<u8>(ctx + 32 + have, 0x80);
  have++;
  if (have > 56) {
    memory.fill(ctx + 32 + have, 0, 64 - have);
    compress(ctx, ctx + 32, 1);
    have = 0;
  }
  memory.fill(ctx + 32 + have, 0, 56 - have);
  store<u64>(ctx + 32 + 56, bswap<u64>(total << 3));
  compress(ctx, ctx + 32, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(ctx + i)));
}

/** out (32 bytes) = SHA-256(p[0..len)) */
export function sha256(out: usize, p: usize, len: usize): void {
  shaInit(ONESHOT);
  shaUpdate(ONESHOT, p, len);
  shaFinal(ONESHOT, out);
}
