// Unit tests for the crypto engine's arithmetic edge cases (field, scalar, points) and encoders.
// External-vector and cross-implementation tests live in tests/crypto-*.test.ts.
import { feAdd, feSub, feMul, feSqr, feInv, feNeg, feSqrt, feFromBytes, feToBytes, feEqMask, feIsZeroMask, feSetOne,
  feSetZero, FE } from "../crypto/p256/field";
import { scFromBytes, scToBytes, scAdd, scNeg, scReduce, scInvModN, scMulModN, scIsHighMask, scIsZeroMask } from "../crypto/p256/scalar";
import { decodePoint, encodePoint, onCurve, jDouble, jToAffine, PT_AFF, PT_JAC } from "../crypto/p256/point";
import { baseMul, varMulCT } from "../crypto/p256/mult";
import { derEncodeSig, derDecodeSig } from "../crypto/der";
import { coseKeyFromSec1 } from "../crypto/cose";
import { deviceSignDigest, ecdsaSignDigest, ecdsaVerifyDigest, publicFromPrivate, DEVICE_SIGNS_LOW_S } from "../crypto/ecdsa";
import { sha256, shaInit, shaUpdate, shaFinal, SHA_CTX_BYTES } from "../crypto/sha256";
import { hexToBytes, bytesToHex, toHex } from "../util/hex";

const P_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
const N_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const G_HEX = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

const A: usize = memory.data(36, 16);
const B: usize = memory.data(36, 16);
const C: usize = memory.data(36, 16);
const OUT: usize = memory.data(80, 16);
const S1: usize = memory.data(32, 16);
const S2: usize = memory.data(32, 16);
const S3: usize = memory.data(32, 16);
const PA: usize = memory.data(72, 16);
const PB: usize = memory.data(72, 16);
const PJ: usize = memory.data(108, 16);

function be(hex: string): usize { const b = hexToBytes(hex)!; return b.dataStart; }
function fe(r: usize, hex: string): bool { return feFromBytes(r, be(hex)); }
function feHex(a: usize): string { feToBytes(OUT, a); return toHex(OUT, 32); }
function sc(r: usize, hex: string): bool { return scFromBytes(r, be(hex)); }
function scHex(a: usize): string { scToBytes(OUT, a); return toHex(OUT, 32); }
function hex32(v: i32): string { let s = v.toString(16); while (s.length < 64) s = "0" + s; return s; }
const PM1 = "ffffffff00000001000000000000000000000000fffffffffffffffffffffffe";
const NM1 = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550";

describe("P-256 field", () => {
  it("parses 0 and p-1, refuses p and 2^256-1", () => {
    expect(fe(A, hex32(0))).toBe(true);
    expect(fe(A, PM1)).toBe(true);
    expect(fe(A, P_HEX)).toBe(false);
    expect(fe(A, "ff".repeat(32))).toBe(false);
  });
  it("round-trips bytes through the Montgomery form", () => {
    fe(A, PM1); expect(feHex(A)).toBe(PM1);
    fe(A, hex32(1)); expect(feHex(A)).toBe(hex32(1));
    fe(A, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    expect(feHex(A)).toBe("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  });
  it("wraps at p: (p-1) + 1 = 0, 0 - 1 = p-1, -0 = 0", () => {
    fe(A, PM1); fe(B, hex32(1)); feAdd(C, A, B); expect(feIsZeroMask(C)).toBe(0xffffffff);
    feSetZero(A); feSub(C, A, B); expect(feHex(C)).toBe(PM1);
    feNeg(C, A); expect(feIsZeroMask(C)).toBe(0xffffffff);
    fe(A, PM1); feAdd(C, A, A); expect(feHex(C)).toBe("ffffffff00000001000000000000000000000000fffffffffffffffffffffffd");
  });
  it("(p-1)^2 = 1 and squaring equals multiplying", () => {
    fe(A, PM1); feMul(C, A, A); expect(feHex(C)).toBe(hex32(1));
    fe(A, "7fffffff800000008000000000000000000000007fffffffffffffffffffffff");
    feMul(B, A, A); feSqr(C, A); expect(feEqMask(B, C)).toBe(0xffffffff);
  });
  it("inverts: a * a^-1 = 1 for 1, 2, p-1 and a large value; 0^-1 = 0", () => {
    const vals = [hex32(1), hex32(2), PM1, "d0b5ba1f8c1b8e5a1e7c55d6f2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"];
    for (let i = 0; i < vals.length; i++) {
      fe(A, vals[i]); feInv(B, A); feMul(C, A, B); expect(feHex(C)).toBe(hex32(1));
    }
    feSetZero(A); feInv(B, A); expect(feIsZeroMask(B)).toBe(0xffffffff);
  });
  it("square root of 4 is ±2", () => {
    fe(A, hex32(4)); feSqrt(B, A); const r = feHex(B);
    expect(r == hex32(2) || r == "ffffffff00000001000000000000000000000000fffffffffffffffffffffffd").toBe(true);
  });
  it("an element is FE = 36 bytes", () => { expect(<i32>FE).toBe(36); });
});

describe("P-256 scalars mod n", () => {
  it("parses n-1, refuses n", () => {
    expect(sc(S1, NM1)).toBe(true);
    expect(sc(S1, N_HEX)).toBe(false);
  });
  it("(n-1) + 1 = 0, -0 = 0, -1 = n-1", () => {
    sc(S1, NM1); sc(S2, hex32(1)); scAdd(S3, S1, S2); expect(scIsZeroMask(S3)).toBe(0xffffffff);
    sc(S1, hex32(0)); scNeg(S3, S1); expect(scIsZeroMask(S3)).toBe(0xffffffff);
    scNeg(S3, S2); expect(scHex(S3)).toBe(NM1);
  });
  it("reduces 2^256 - 1 to 2^256 - 1 - n", () => {
    sc(S1, "ff".repeat(32)); scReduce(S2, S1);
    expect(scHex(S2)).toBe("00000000ffffffff00000000000000004319055258e8617b0c46353d039cdaae");
  });
  it("(n-1)^2 = 1, (n-1)^-1 = n-1, 2 * 2^-1 = 1, 0^-1 = 0", () => {
    sc(S1, NM1); scMulModN(S2, S1, S1); expect(scHex(S2)).toBe(hex32(1));
    scInvModN(S2, S1); expect(scHex(S2)).toBe(NM1);
    sc(S1, hex32(2)); scInvModN(S2, S1); scMulModN(S3, S1, S2); expect(scHex(S3)).toBe(hex32(1));
    sc(S1, hex32(0)); scInvModN(S2, S1); expect(scIsZeroMask(S2)).toBe(0xffffffff);
  });
  it("high-S boundary is (n-1)/2", () => {
    sc(S1, "7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8");
    expect(scIsHighMask(S1)).toBe(0);
    sc(S1, "7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a9");
    expect(scIsHighMask(S1)).toBe(0xffffffff);
  });
});

describe("P-256 points", () => {
  it("G decodes, is on the curve, re-encodes; its compressed form decodes to G", () => {
    expect(decodePoint(PA, be(G_HEX), 65)).toBe(0);
    expect(onCurve(PA)).toBe(true);
    encodePoint(OUT, PA); expect(toHex(OUT, 65)).toBe(G_HEX);
    expect(decodePoint(PB, be("03" + G_HEX.slice(2, 66)), 33)).toBe(0);
    encodePoint(OUT, PB); expect(toHex(OUT, 65)).toBe(G_HEX);
  });
  it("refuses (0,0), coordinates >= p, bad prefixes and lengths", () => {
    expect(decodePoint(PA, be("04" + "00".repeat(64)), 65)).toBe(2);
    expect(decodePoint(PA, be("04" + P_HEX + G_HEX.slice(66)), 65)).toBe(2);
    expect(decodePoint(PA, be("05" + G_HEX.slice(2)), 65)).toBe(1);
    expect(decodePoint(PA, be(G_HEX), 64)).toBe(1);
    expect(decodePoint(PA, be("00"), 1)).toBe(1);
  });
  it("1*G = G, (n-1)*G = -G, 2*G = double(G)", () => {
    sc(S1, hex32(1)); baseMul(PA, S1); encodePoint(OUT, PA); expect(toHex(OUT, 65)).toBe(G_HEX);
    sc(S1, NM1); baseMul(PA, S1); encodePoint(OUT, PA);
    expect(toHex(OUT, 33)).toBe(G_HEX.slice(0, 66));
    expect(toHex(OUT + 33, 32)).not.toBe(G_HEX.slice(66));
    decodePoint(PB, be(G_HEX), 65);
    memory.copy(PJ, PB, PT_AFF); feSetOne(PJ + 72);
    jDouble(PJ, PJ); jToAffine(PB, PJ);
    sc(S1, hex32(2)); baseMul(PA, S1);
    expect(feEqMask(PA, PB) & feEqMask(PA + 36, PB + 36)).toBe(0xffffffff);
  });
  it("k*G computed with the fixed-base table equals k*G with the variable-base ladder", () => {
    decodePoint(PB, be(G_HEX), 65);
    const ks = [hex32(3), "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", NM1,
      "8000000000000000000000000000000000000000000000000000000000000000"];
    for (let i = 0; i < ks.length; i++) {
      sc(S1, ks[i]);
      baseMul(PA, S1);
      varMulCT(OUT, PB, S1);
      expect(feEqMask(PA, OUT) & feEqMask(PA + 36, OUT + 36)).toBe(0xffffffff);
    }
  });
});

describe("DER and COSE encoders", () => {
  it("encodes minimal integers and decodes them back", () => {
    const rs = hexToBytes("00000000000000000000000000000000000000000000000000000000000000018000000000000000000000000000000000000000000000000000000000000000")!;
    const n = derEncodeSig(OUT, rs.dataStart);
    expect(toHex(OUT, n)).toBe("3026020101022100" + "80" + "00".repeat(31));
    expect(derDecodeSig(S1, OUT, n)).toBe(true);
  });
  it("refuses BER and malformed encodings", () => {
    const bad = [
      "308126020101022100" + "80" + "00".repeat(31),         // long-form length
      "3027020101022100" + "80" + "00".repeat(31),           // length mismatch
      "302702020001022100" + "80" + "00".repeat(31),         // non-minimal r
      "3025020101022080" + "00".repeat(31),                  // negative s
      "3026020101022100" + "80" + "00".repeat(31) + "00",    // trailing byte
      "3006020100020101",                                    // r = 0 is well-formed DER ...
    ];
    for (let i = 0; i < bad.length - 1; i++) {
      const b = hexToBytes(bad[i])!;
      expect(derDecodeSig(PA, b.dataStart, b.length)).toBe(false);
    }
    const z = hexToBytes(bad[bad.length - 1])!;
    expect(derDecodeSig(PA, z.dataStart, z.length)).toBe(true); // ... range checks happen in verify
  });
  it("COSE_Key of G is the 77-byte EC2/ES256/P-256 map", () => {
    const g = hexToBytes(G_HEX)!;
    expect(coseKeyFromSec1(OUT, g.dataStart, 65)).toBe(77);
    expect(toHex(OUT, 10)).toBe("a5010203262001215820");
    expect(coseKeyFromSec1(OUT, g.dataStart, 64)).toBe(-1);
  });
  it("SHA-256 streamed in pieces of every size 1..70 equals the one-shot digest (1000 bytes)", () => {
    const msg = new Uint8Array(1000);
    for (let i = 0; i < 1000; i++) msg[i] = <u8>(i * 31 + 7);
    sha256(OUT, msg.dataStart, 1000);
    const want = toHex(OUT, 32);
    const ctx = memory.data(<i32>SHA_CTX_BYTES, 16);
    for (let piece = 1; piece <= 70; piece++) {
      shaInit(ctx);
      for (let off = 0; off < 1000; off += piece) shaUpdate(ctx, msg.dataStart + off, <usize>min(piece, 1000 - off));
      shaFinal(ctx, OUT + 40);
      expect(toHex(OUT + 40, 32)).toBe(want);
    }
  });
  it("SHA-256('abc')", () => {
    const m = String.UTF8.encode("abc");
    sha256(OUT, changetype<usize>(m), 3);
    expect(toHex(OUT, 32)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("device signature policy (low-S)", () => {
  // 64 digests (SHA-256 of 0..63) with a fixed key: about half of RFC 6979's raw signatures are high-S, so the
  // policy is exercised both ways; every device signature must be low-S, verify, and be RFC 6979's r with s or n-s.
  it("every deviceSignDigest signature is low-S, verifies, and is the RFC 6979 signature or its low-S twin", () => {
    expect(DEVICE_SIGNS_LOW_S).toBe(true);
    const priv = hexToBytes("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")!;
    const pub = new Uint8Array(65);
    expect(publicFromPrivate(pub.dataStart, priv.dataStart)).toBe(0);
    const msg = new Uint8Array(1);
    const digest = new Uint8Array(32);
    const dev = new Uint8Array(64);
    const raw = new Uint8Array(64);
    let highRaw = 0;
    for (let i = 0; i < 64; i++) {
      msg[0] = <u8>i;
      sha256(digest.dataStart, msg.dataStart, 1);
      expect(deviceSignDigest(dev.dataStart, priv.dataStart, digest.dataStart)).toBe(0);
      expect(ecdsaSignDigest(raw.dataStart, priv.dataStart, digest.dataStart, false)).toBe(0);
      scFromBytes(S1, dev.dataStart + 32);
      expect(scIsHighMask(S1)).toBe(0);
      expect(ecdsaVerifyDigest(pub.dataStart, 65, digest.dataStart, dev.dataStart)).toBe(0);
      expect(toHex(dev.dataStart, 32)).toBe(toHex(raw.dataStart, 32));           // same r: same RFC 6979 nonce
      scFromBytes(S2, raw.dataStart + 32);
      if (scIsHighMask(S2) != 0) {
        highRaw++;
        scNeg(S3, S2);
        expect(scHex(S3)).toBe(scHex(S1));                                          // s = n - s_raw
      } else {
        expect(scHex(S2)).toBe(scHex(S1));                                          // already low: unchanged
      }
    }
    expect(highRaw).toBeGreaterThan(8);   // the sample really contains high-S raw signatures
    expect(highRaw).toBeLessThan(56);
  });
});
