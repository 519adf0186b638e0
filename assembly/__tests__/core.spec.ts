import { stateClear, stateSet, stateGet, stateSerialize, stateLoad, stateBlobPtr, stateSetSecret, STATE_CAPACITY, STATE_HEADER } from "../state/blob";
import { OK, E_STATE_CORRUPT, E_TRUNCATED, E_STATE_VERSION, E_TOO_LARGE, E_STATE_AUTH } from "../errors";
import { pushEvent, popEvent, eventOutPtr, eventsDropped, eventsReset } from "../device/events";
import { crc32 } from "../util/crc32";
import { hexToBytes, bytesToHex } from "../util/hex";
import { Json, jsonEscape } from "../io/json";
import { parseConfig, CONFIG_MAGIC } from "../board/config";

const SECRET = hexToBytes("4c6f6e67207465737420736563726574212121")!;

function blobCopy(): Uint8Array {
  stateSetSecret(SECRET.dataStart, SECRET.length);
  const n = stateSerialize();
  const out = new Uint8Array(n);
  memory.copy(out.dataStart, stateBlobPtr(), n);
  return out;
}

describe("crc32", () => {
  it("matches the published check value", () => {
    const s = String.UTF8.encode("123456789");
    expect(crc32(changetype<usize>(s), 9)).toBe(0xcbf43926);
  });
  it("of nothing is 0", () => { expect(crc32(0, 0)).toBe(0); });
});

describe("state blob", () => {
  it("round-trips sections and replaces one in place", () => {
    stateClear();
    const a = hexToBytes("0102030405")!, b = hexToBytes("aabb")!;
    expect(stateSet(1, a.dataStart, a.length)).toBe(OK);
    expect(stateSet(2, b.dataStart, b.length)).toBe(OK);
    expect(stateSet(1, b.dataStart, b.length)).toBe(OK);
    const blob = blobCopy();
    stateClear();
    expect(stateLoad(blob.dataStart, blob.length)).toBe(OK);
    const out = new Uint8Array(8);
    expect(stateGet(1, out.dataStart, 8)).toBe(2);
    expect(bytesToHex(out.slice(0, 2))).toBe("aabb");
    expect(stateGet(2, out.dataStart, 8)).toBe(2);
    expect(stateGet(3, out.dataStart, 8)).toBe(-1);
  });
  it("refuses every single-bit flip and keeps the live state", () => {
    stateClear();
    const a = hexToBytes("00112233")!;
    stateSet(9, a.dataStart, a.length);
    const blob = blobCopy();
    let refused = 0;
    for (let i = 0; i < blob.length * 8; i++) {
      blob[i >> 3] ^= <u8>((<i32>1) << (i & 7));
      if (stateLoad(blob.dataStart, blob.length) != OK) refused++;
      blob[i >> 3] ^= <u8>((<i32>1) << (i & 7));
    }
    // The generation word is not checked for sense, but it is under the CRC, so every flip is caught.
    expect(refused).toBe(blob.length * 8);
    const out = new Uint8Array(4);
    expect(stateGet(9, out.dataStart, 4)).toBe(4);
  });
  it("keeps the sections sealed: no plaintext in the blob, another secret cannot open it", () => {
    stateClear();
    const a = hexToBytes("5ec2e75ec2e75ec2e75ec2e75ec2e75e")!;
    stateSet(3, a.dataStart, a.length);
    const blob = blobCopy();
    let found = false;
    for (let i = 0; i + 4 <= blob.length; i++) if (blob[i] == 0x5e && blob[i + 1] == 0xc2 && blob[i + 2] == 0xe7 && blob[i + 3] == 0x5e) found = true;
    expect(found).toBe(false);
    const other = hexToBytes("00000000000000000000000000000000")!;
    stateSetSecret(other.dataStart, other.length);
    expect(stateLoad(blob.dataStart, blob.length)).toBe(E_STATE_AUTH);
    stateSetSecret(SECRET.dataStart, SECRET.length);
    expect(stateLoad(blob.dataStart, blob.length)).toBe(OK);
  });
  it("refuses an unsealed blob even with a valid checksum", () => {
    stateClear();
    const blob = blobCopy();
    blob[6] = 0;
    const end = blob.length - 4;
    store<u32>(blob.dataStart + end, crc32(blob.dataStart, end));
    expect(stateLoad(blob.dataStart, blob.length)).toBe(E_STATE_AUTH);
  });
  it("refuses truncation, trailing bytes and unknown versions", () => {
    stateClear();
    const blob = blobCopy();
    expect(stateLoad(blob.dataStart, blob.length - 1)).toBe(E_TRUNCATED);
    expect(stateLoad(blob.dataStart, 3)).toBe(E_TRUNCATED);
    const longer = new Uint8Array(blob.length + 1);
    longer.set(blob);
    expect(stateLoad(longer.dataStart, longer.length)).toBe(E_STATE_CORRUPT);
    blob[4] = 2;
    expect(stateLoad(blob.dataStart, blob.length)).toBe(E_STATE_VERSION);
  });
  it("refuses a section larger than the capacity", () => {
    stateClear();
    const big = new Uint8Array(STATE_CAPACITY);
    expect(stateSet(1, big.dataStart, 0x10000)).toBe(E_TOO_LARGE);
    expect(stateSet(1, big.dataStart, STATE_CAPACITY)).toBe(E_TOO_LARGE);
    expect(stateSet(1, big.dataStart, STATE_CAPACITY - 4)).toBe(OK);
    stateClear();
  });
});

describe("event queue", () => {
  it("is FIFO", () => {
    eventsReset();
    pushEvent("{\"a\":1}");
    pushEvent("{\"b\":2}");
    let n = popEvent();
    expect(String.UTF8.decodeUnsafe(eventOutPtr(), n)).toBe("{\"a\":1}");
    n = popEvent();
    expect(String.UTF8.decodeUnsafe(eventOutPtr(), n)).toBe("{\"b\":2}");
    expect(popEvent()).toBe(0);
  });
  it("drops the oldest when full and counts it", () => {
    eventsReset();
    const rec = "{\"pad\":\"" + "x".repeat(500) + "\"}";
    for (let i = 0; i < 40; i++) pushEvent(rec);
    expect(eventsDropped()).toBeGreaterThan(0);
    let count = 0;
    while (popEvent() > 0) count++;
    expect(count + <i32>eventsDropped()).toBe(40);
  });
});

describe("json and hex", () => {
  it("escapes control characters and quotes", () => {
    expect(jsonEscape("\"\\\n\t\u0002")).toBe("\\\"\\\\\\n\\t\\u0002");
    expect(new Json().str("k", "v").int("n", -3).bool("b", false).nul("z").toString()).toBe("{\"k\":\"v\",\"n\":-3,\"b\":false,\"z\":null}");
  });
  it("rejects odd-length and non-hex input", () => {
    expect(hexToBytes("0") == null).toBe(true);
    expect(hexToBytes("0g") == null).toBe(true);
    expect(bytesToHex(hexToBytes("00FFab")!)).toBe("00ffab");
  });
});

describe("board config record", () => {
  it("parses a good record and names a bad field", () => {
    const words: u32[] = [CONFIG_MAGIC, 1, 320, 240, 16000, 256, 128, 1, 128];
    const rec = new Uint8Array(words.length * 4);
    for (let i = 0; i < words.length; i++) store<u32>(rec.dataStart + i * 4, words[i]);
    const c = parseConfig(rec.dataStart, rec.length);
    expect(c != null).toBe(true);
    expect(c!.cameraWidth).toBe(320);
    store<u32>(rec.dataStart + 28, 4); // bpp 4
    expect(parseConfig(rec.dataStart, rec.length) == null).toBe(true);
    expect(parseConfig(rec.dataStart, 8) == null).toBe(true);
  });
});
