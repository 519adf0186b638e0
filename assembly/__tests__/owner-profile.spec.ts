// Whether the glasses count an owner as enrolled (device/mic.ts micHasProfile → sensors.ts ownerProfileStored):
// only a stored profile this firmware can score counts. A profile of an older speaker model (v3, plain
// cepstra; v4, no word templates) with an intact checksum must not, so that the paired phone can have the owner
// enrol again.
import { stateClear, stateSet } from "../state/blob";
import { SECTION_VOICE } from "../pay/sections";
import { micHasProfile } from "../device/mic";
import { enrolBegin, enrolAdd, enrolFinish, profileBufferPtr, profileChecksum, PROFILE_BYTES } from "../voice/speaker";

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
    // the same record as a v3 profile ("VSP3", version 3) with its checksum made good
    const old = new StaticArray<u8>(PROFILE_BYTES);
    const q = changetype<usize>(old);
    memory.copy(q, p, PROFILE_BYTES);
    store<u32>(q, 0x33505356);
    store<u32>(q, 3, 4);
    store<u32>(q + <usize>(PROFILE_BYTES - 4), profileChecksum(q, PROFILE_BYTES - 4));
    expect(stateSet(SECTION_VOICE, q, PROFILE_BYTES)).toBe(0);
    expect(micHasProfile()).toBe(false);
    // a v4 profile: the same head and means without the word templates (3,096 bytes), checksum made good
    const V4_BYTES = 3096;
    const v4 = new StaticArray<u8>(V4_BYTES);
    const r = changetype<usize>(v4);
    memory.copy(r, p, V4_BYTES - 4);
    store<u32>(r, 0x34505356);
    store<u32>(r, 4, 4);
    store<u32>(r + <usize>(V4_BYTES - 4), profileChecksum(r, V4_BYTES - 4));
    expect(stateSet(SECTION_VOICE, r, V4_BYTES)).toBe(0);
    expect(micHasProfile()).toBe(false);
    stateClear();
  });
});
