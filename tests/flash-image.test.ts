// The MCUboot image tool and the kit's boot rules. Layout is checked against MCUboot's documented offsets;
// the hash and signature are checked with node:crypto independently of the tool's own verifier.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPublicKey, verify } from "node:crypto";
import { statSync, readFileSync } from "node:fs";
import path from "node:path";
import { checkImage, parseImage, TLV } from "../host/flash/image.ts";
import { loadOrCreateSigningKey, publicKeyDer } from "../host/flash/keys.ts";
import { FlashStore } from "../host/devkit/flash-store.ts";
import { boot } from "../host/devkit/boot.ts";
import { devKey, image, tmp } from "./flash-fixtures.ts";

const body = Buffer.from("\0asm\x01\0\0\0 a pretend module body", "latin1");

describe("MCUboot image", () => {
  const key = devKey();
  const img = image(key, "1.2.3+4", "desktop", body);

  test("header fields sit at MCUboot's offsets (magic LE, hdr size @8, img size @12, version @20..27)", () => {
    assert.deepEqual([...img.subarray(0, 4)], [0x3d, 0xb8, 0xf3, 0x96]);
    assert.equal(img.readUInt16LE(8), 32);
    assert.equal(img.readUInt32LE(12), body.length);
    assert.deepEqual([img[20], img[21], img.readUInt16LE(22), img.readUInt32LE(24)], [1, 2, 3, 4]);
    assert.deepEqual(img.subarray(32, 32 + body.length), body);
  });

  test("the SHA-256 TLV covers header+body+protected TLVs, the signature verifies with node:crypto, the key hash names the key", () => {
    const protSize = img.readUInt16LE(10);
    const signed = img.subarray(0, 32 + body.length + protSize);
    assert.equal(img.readUInt16LE(signed.length), 0x6907);
    const p = parseImage(img);
    assert.deepEqual(p.hash, createHash("sha256").update(signed).digest());
    assert.ok(verify("sha256", signed, createPublicKey(key), p.signature!));
    assert.deepEqual(p.keyHash, createHash("sha256").update(publicKeyDer(key)).digest());
    assert.equal(p.board, "desktop");
    assert.equal(checkImage(p, key), null);
    assert.ok(TLV.ECDSA_SIG === 0x22 && TLV.SHA256 === 0x10);
  });

  test("a flipped body byte is caught by the hash; another key's image by the signature", () => {
    const bad = Buffer.from(img); bad[40] ^= 1;
    assert.match(checkImage(parseImage(bad), key)!, /corrupted/);
    assert.match(checkImage(parseImage(img), devKey())!, /bad signature/);
  });

  test("the board is signed: changing it breaks the hash", () => {
    const bad = Buffer.from(img);
    const at = bad.indexOf(Buffer.from("desktop"), 32 + body.length);
    bad.write("mcu-s3x", at);
    assert.match(checkImage(parseImage(bad), key)!, /corrupted/);
  });

  test("a dev key is made once, mode 0600, and reused", () => {
    const f = path.join(tmp("key"), "sub", "k.pem");
    const a = loadOrCreateSigningKey(f);
    assert.equal(a.created, true);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    const pem = readFileSync(f, "utf8");
    const b = loadOrCreateSigningKey(f);
    assert.equal(b.created, false);
    assert.equal(readFileSync(f, "utf8"), pem);
    assert.deepEqual(publicKeyDer(a.key), publicKeyDer(b.key));
  });
});

describe("the kit's boot step (MCUboot rules)", () => {
  const key = devKey();
  const v1 = image(key, "1.0.0", "desktop", body), v2 = image(key, "2.0.0", "desktop", body);
  const hashOf = (b: Buffer | null) => (b ? parseImage(b).hash!.toString("hex") : null);
  function kit(): FlashStore { const s = new FlashStore(tmp("boot")); s.writeSlot(0, v1); return s; }

  test("test image: swapped in on reset, reverted on the next reset unless confirmed", () => {
    const s = kit(); s.writeSlot(1, v2); s.setFlags({ pending: "test" });
    assert.equal(hashOf(boot(s, key, "desktop").bytes), hashOf(v2));
    assert.equal(hashOf(s.slot(1)), hashOf(v1));
    assert.equal(hashOf(boot(s, key, "desktop").bytes), hashOf(v1), "not confirmed: reverted");
    assert.deepEqual(s.flags(), { pending: "none", confirmed: true, testing: false });
  });

  test("confirmed test image stays", () => {
    const s = kit(); s.writeSlot(1, v2); s.setFlags({ pending: "test" });
    boot(s, key, "desktop");
    s.setFlags({ confirmed: true, testing: false });
    assert.equal(hashOf(boot(s, key, "desktop").bytes), hashOf(v2));
  });

  test("refused: bad signature, flipped byte, other board, downgrade; slot 0 keeps running", () => {
    const flipped = Buffer.from(v2); flipped[50] ^= 0x80;
    const cases: [Buffer, RegExp][] = [
      [image(devKey(), "2.0.0", "desktop", body), /bad signature/], [flipped, /corrupted/],
      [image(key, "2.0.0", "mcu-s3", body), /board 'mcu-s3'/], [image(key, "0.9.0", "desktop", body), /downgrade/],
    ];
    for (const [img, why] of cases) {
      const s = kit(); s.writeSlot(1, img); s.setFlags({ pending: "permanent" });
      const r = boot(s, key, "desktop");
      assert.equal(hashOf(r.bytes), hashOf(v1));
      assert.match(r.log.join("\n"), why);
      assert.equal(s.flags().pending, "none");
    }
  });
});
