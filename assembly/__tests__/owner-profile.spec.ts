// Whether the glasses count an owner as enrolled (device/mic.ts micHasProfile → sensors.ts ownerProfileStored):
// only a stored profile this firmware can score counts. A profile of an older speaker model (v3, plain
// cepstra; v4, no word templates; v5, no noise model; v6, the older layout) with an intact checksum must not, so
// that the paired phone can have the owner enrol again.
import { stateClear, stateSet } from "../state/blob";
import { SECTION_VOICE } from "../pay/sections";
import { micHasProfile } from "../device/mic";
import { enrolBegin, enrolAdd, enrolFinish, profileBufferPtr, profileChecksum, PROFILE_BYTES } from "../voice/speaker";

/**
 * Stores the current profile at p, cut or zero-padded, as an older record ("VSP" + version, `bytes` long, its checksum
 * made good) in the sealed state; returns whether the glasses then count an owner as enrolled.
 */
function storeOlder(p: usize, version: u32, bytes: i32): bool {
  const old = new StaticArray<u8>(bytes);
  const q = changetype<usize>(old);
  memory.copy(q, p, min(bytes, PROFILE_BYTES) - 4);           // a longer record's tail stays zero
  store<u32>(q, 0x30505356 + (version << 24));
  store<u32>(q, version, 4);
  store<u32>(q + <usize>(bytes - 4), profileChecksum(q, bytes - 4));
  expect(stateSet(SECTION_VOICE, q, bytes)).toBe(0);
  return micHasProfile();
}

describe("owner profile in the sealed state", () => {
  it("counts a current profile, not a missing, truncated or older one", () => {
    stateClear();
    expect(micHasProfile()).toBe(false);
    const n = 16000;
    const a = new StaticArray<i16>(n);
    enrolBegin();
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < n; i++) a[i] = <i16>(6000 * Math.sin(2 * Math.PI * (150 + 10 * k) * <f64>i / 16000) * (i > 4000 && i < 12000 ? 1.0 : 0.02));
      enrolAdd(changetype<usize>(a), n, k);
    }
    const len = enrolFinish(0.3, 0);
    expect(len).toBe(PROFILE_BYTES);
    const p = profileBufferPtr();
    expect(stateSet(SECTION_VOICE, p, len)).toBe(0);
    expect(micHasProfile()).toBe(true);
    expect(stateSet(SECTION_VOICE, p, len - 1)).toBe(0);
    expect(micHasProfile()).toBe(false);
    // the helper itself: the current version rewritten this way still counts (so a refusal below is the record's)
    expect(storeOlder(p, 7, PROFILE_BYTES)).toBe(true);
    // older records with their checksums made good, at their own sizes: v4 (the head and means without the word
    // templates, 3,096 bytes), v5 (one owner model, no noise model: 3,608 bytes), v6 (a noise threshold in the
    // head and 8 template slots: 6,684 bytes); these are refused by their length
    expect(storeOlder(p, 4, 3096)).toBe(false);
    expect(storeOlder(p, 5, 3608)).toBe(false);
    expect(storeOlder(p, 6, 6684)).toBe(false);
    // and every older version at the current size (v3 had it), refused by its magic and version
    for (let v: u32 = 3; v < 7; v++) expect(storeOlder(p, v, PROFILE_BYTES)).toBe(false);
    stateClear();
  });
});
