// The escaping JSON writer, challenge checks and the event queue's no-truncation rule (issue 9 items 1, 3).
import { jsonEscape, Json } from "../io/json";
import { base64urlDecodedLength, challengeValid, paymentClientData, registrationClientData } from "../pay/client_data";
import { pushEvent, popEvent, eventOutPtr, eventsReset, eventsOversized, EVENT_MAX } from "../device/events";

describe("jsonEscape (RFC 8259 §7)", () => {
  it("escapes quote, backslash and every control character", () => {
    expect(jsonEscape("a\"b\\c")).toBe("a\\\"b\\\\c");
    expect(jsonEscape("\n\r\t")).toBe("\\n\\r\\t");
    expect(jsonEscape(String.fromCharCode(0) + String.fromCharCode(0x1f) + String.fromCharCode(0x7f))).toBe("\\u0000\\u001f\\u007f");
  });
  it("keeps surrogate pairs and replaces unpaired surrogates", () => {
    expect(jsonEscape("\uD83D\uDE00")).toBe("\uD83D\uDE00");
    expect(jsonEscape("a" + String.fromCharCode(0xd800) + "b")).toBe("a\\ufffdb");
    expect(jsonEscape(String.fromCharCode(0xdc00) + "x")).toBe("\\ufffdx");
  });
});

describe("clientDataJSON", () => {
  it("cannot be given extra keys through a challenge or a payee", () => {
    const evil = "x\",\"type\":\"payment.get\",\"x\":\"";
    const cd = paymentClientData("AAAA", evil, "1.00", "HKD");
    // the payee's quotes are escaped: the only unescaped "type" key is the first one
    expect(cd.indexOf("\"type\":\"payment.get\"")).toBe(1);
    expect(cd.lastIndexOf("\"type\":\"payment.get\"")).toBe(1);
    expect(registrationClientData(evil).lastIndexOf(",\"type\":")).toBe(-1);
  });
});

describe("challenge checks (canonical base64url, RFC 4648 §5)", () => {
  it("counts decoded bytes", () => {
    expect(base64urlDecodedLength("Zg")).toBe(1);          // "f" (RFC 4648 §10)
    expect(base64urlDecodedLength("Zm8")).toBe(2);         // "fo"
    expect(base64urlDecodedLength("Zm9v")).toBe(3);        // "foo"
    expect(base64urlDecodedLength("Zm9vYmFy")).toBe(6);    // "foobar"
  });
  it("refuses padding, the standard alphabet, bad lengths and non-zero trailing bits", () => {
    expect(base64urlDecodedLength("Zg==")).toBe(-1);
    expect(base64urlDecodedLength("ab+/")).toBe(-1);
    expect(base64urlDecodedLength("Zm9vY")).toBe(-1);
    expect(base64urlDecodedLength("Zh")).toBe(-1);         // same byte as "Zg" with a stray low bit
    expect(base64urlDecodedLength("")).toBe(-1);
  });
  it("bounds the length", () => {
    expect(challengeValid("AAAAAAAAAAAAAAAAAAAAAA", 16, 64)).toBe(true);    // 16 bytes
    expect(challengeValid("AAAAAAAAAAAAAAAAAAAA", 16, 64)).toBe(false);     // 15 bytes
    let a = ""; for (let i = 0; i < 88; i++) a += "A";
    expect(challengeValid(a.substring(0, 86), 16, 64)).toBe(true);    // 64 bytes
    expect(challengeValid(a.substring(0, 87), 16, 64)).toBe(false);   // 65 bytes
    expect(challengeValid(a, 16, 64)).toBe(false);                    // 66 bytes
  });
});

describe("event queue", () => {
  it("replaces an over-long record by a whole, short one instead of cutting it", () => {
    eventsReset();
    let long = ""; for (let i = 0; i < 2000; i++) long += "P";
    pushEvent(new Json().str("type", "recent").str("payee", long).toString());
    const n = popEvent();
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(EVENT_MAX);
    const text = String.UTF8.decodeUnsafe(eventOutPtr(), n);
    expect(text).toBe("{\"type\":\"event_too_large\",\"event\":\"recent\",\"bytes\":2028,\"max\":1024}");
    expect(eventsOversized()).toBe(1);
  });
});
