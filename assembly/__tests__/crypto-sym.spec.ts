// Known-answer unit tests for the symmetric primitives (published vectors: FIPS 197, RFC 8439,
// RFC 4231, RFC 4493, RFC 5869) and the sealing helper's statuses.
import { aesSetKey, aesEncryptBlock, aesEncrypt4 } from "../crypto/aes";
import { chachaPolySeal, chachaPolyOpen, poly1305 } from "../crypto/chacha20poly1305";
import { hmacSha256, hmacVerify } from "../crypto/hmac";
import { hkdf } from "../crypto/hkdf";
import { aesCmac } from "../crypto/aescmac";
import { sealBytes, openBytes, SEAL_OVERHEAD } from "../crypto/seal";
import { hexToBytes, toHex } from "../util/hex";
import { OK, E_TRUNCATED, E_STATE_AUTH, E_ARGS } from "../errors";

const OUT: usize = memory.data(256, 16);
function b(hex: string): Uint8Array { return hexToBytes(hex)!; }
function utf8(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }

describe("AES (computed S-box, and the bitsliced 4-block path)", () => {
  it("FIPS 197 C.1 AES-128 and C.3 AES-256", () => {
    const pt = b("00112233445566778899aabbccddeeff");
    expect(aesSetKey(b("000102030405060708090a0b0c0d0e0f").dataStart, 16)).toBe(true);
    aesEncryptBlock(OUT, pt.dataStart);
    expect(toHex(OUT, 16)).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    aesSetKey(b("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").dataStart, 32);
    aesEncryptBlock(OUT, pt.dataStart);
    expect(toHex(OUT, 16)).toBe("8ea2b7ca516745bfeafc49904b496089");
  });
  it("the bitsliced path equals the single-block path on 4 different blocks", () => {
    aesSetKey(b("2b7e151628aed2a6abf7158809cf4f3c").dataStart, 16);
    const four = b("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
    aesEncrypt4(OUT, four.dataStart);
    for (let i = 0; i < 4; i++) {
      aesEncryptBlock(OUT + 64, four.dataStart + i * 16);
      expect(toHex(OUT + i * 16, 16)).toBe(toHex(OUT + 64, 16));
    }
    expect(toHex(OUT, 16)).toBe("3ad77bb40d7a3660a89ecaf32466ef97"); // SP 800-38A F.1.1 ECB-AES128 block 1
  });
  it("AES-CMAC RFC 4493 example 2 (16-byte message)", () => {
    const key = b("2b7e151628aed2a6abf7158809cf4f3c"), m = b("6bc1bee22e409f96e93d7e117393172a");
    expect(aesCmac(OUT, key.dataStart, 16, m.dataStart, 16)).toBe(OK);
    expect(toHex(OUT, 16)).toBe("070a16b46b4d4144f79bdd9dd04a287c");
    expect(aesCmac(OUT, key.dataStart, 15, m.dataStart, 16)).toBe(E_ARGS);
  });
});

describe("ChaCha20-Poly1305 (RFC 8439)", () => {
  it("Poly1305 §2.5.2", () => {
    const key = b("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
    const m = utf8("Cryptographic Forum Research Group");
    poly1305(OUT, key.dataStart, m.dataStart, m.length);
    expect(toHex(OUT, 16)).toBe("a8061dc1305136c6c22b8baf0c0127a9");
  });
  it("AEAD §2.8.2: ciphertext start and tag; open round-trips; a flipped bit is refused", () => {
    const key = b("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const nonce = b("070000004041424344454647"), aad = b("50515253c0c1c2c3c4c5c6c7");
    const pt = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const ct = new Uint8Array(pt.length + 16);
    expect(chachaPolySeal(ct.dataStart, key.dataStart, nonce.dataStart, 12, aad.dataStart, aad.length, pt.dataStart, pt.length)).toBe(OK);
    expect(toHex(ct.dataStart, 16)).toBe("d31a8d34648e60db7b86afbc53ef7ec2");
    expect(toHex(ct.dataStart + pt.length, 16)).toBe("1ae10b594f09e26a7e902ecbd0600691");
    const back = new Uint8Array(pt.length);
    expect(chachaPolyOpen(back.dataStart, key.dataStart, nonce.dataStart, 12, aad.dataStart, aad.length, ct.dataStart, pt.length,
      ct.dataStart + pt.length, 16)).toBe(OK);
    expect(toHex(back.dataStart, pt.length)).toBe(toHex(pt.dataStart, pt.length));
    ct[3] ^= 1;
    expect(chachaPolyOpen(back.dataStart, key.dataStart, nonce.dataStart, 12, aad.dataStart, aad.length, ct.dataStart, pt.length,
      ct.dataStart + pt.length, 16)).not.toBe(OK);
    expect(chachaPolySeal(ct.dataStart, key.dataStart, nonce.dataStart, 8, 0, 0, pt.dataStart, 1)).toBe(E_ARGS);
  });
});

describe("HMAC / HKDF", () => {
  it("HMAC-SHA-256 RFC 4231 test case 1, and a truncated tag", () => {
    const key = b("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), m = utf8("Hi There");
    hmacSha256(OUT, key.dataStart, key.length, m.dataStart, m.length);
    expect(toHex(OUT, 32)).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect(hmacVerify(key.dataStart, key.length, m.dataStart, m.length, OUT, 16)).toBe(true);
    expect(hmacVerify(key.dataStart, key.length, m.dataStart, m.length, OUT, 8)).toBe(false); // too short: refused
  });
  it("HKDF RFC 5869 A.1, and L > 255*32 refused", () => {
    const ikm = b("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), salt = b("000102030405060708090a0b0c"), info = b("f0f1f2f3f4f5f6f7f8f9");
    expect(hkdf(OUT, 42, salt.dataStart, salt.length, ikm.dataStart, ikm.length, info.dataStart, info.length)).toBe(OK);
    expect(toHex(OUT, 42)).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    expect(hkdf(OUT, 255 * 32 + 1, 0, 0, ikm.dataStart, ikm.length, 0, 0)).toBe(E_ARGS);
  });
});

describe("sealed state", () => {
  it("round-trips and refuses tampered and truncated blobs", () => {
    const secret = b("4c6f6e67207465737420736563726574212121212121");
    const pt = utf8("signCount=42");
    const s = sealBytes(secret, pt);
    expect(s.status).toBe(OK);
    expect(s.data.length).toBe(pt.length + SEAL_OVERHEAD);
    const o = openBytes(secret, s.data);
    expect(o.status).toBe(OK);
    expect(toHex(o.data.dataStart, o.data.length)).toBe(toHex(pt.dataStart, pt.length));
    const t = s.data.slice(0); t[t.length - 1] ^= 0x80;
    expect(openBytes(secret, t).status).toBe(E_STATE_AUTH);
    expect(openBytes(secret, s.data.slice(0, SEAL_OVERHEAD - 1)).status).toBe(E_TRUNCATED);
    expect(openBytes(secret, s.data.slice(0, s.data.length - 1)).status).toBe(E_STATE_AUTH);
  });
});
