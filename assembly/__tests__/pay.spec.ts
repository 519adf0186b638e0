import { crc16, crc16Hex } from "../pay/crc16";
import { currencyIndexByNumeric, currencyIndexByAlpha, currencyAlpha, currencyExponent, currencySymbol, currencyIndexFromTag53, currencyCount, currencyNumeric } from "../pay/currency";
import { scaleAmount } from "../pay/payload_common";
import { parsePayload } from "../pay/payload";
import { E_PAYLOAD_CRC, E_PAYLOAD_STRUCTURE, E_PAYLOAD_FORMAT } from "../errors";

function crcOf(s: string): u32 {
  const b = String.UTF8.encode(s);
  return crc16(changetype<usize>(b), b.byteLength);
}

describe("crc16 (CCITT-FALSE)", () => {
  it("has the published check value", () => { expect(crcOf("123456789")).toBe(0x29b1); });
  it("of nothing is the initial value", () => { expect(crcOf("")).toBe(0xffff); });
  it("matches the PromptPay vector", () => {
    expect(crc16Hex(crcOf("00020101021129370016A000000677010111011300668012345675802TH53037646304"))).toBe("6197");
  });
});

describe("ISO 4217 table", () => {
  it("maps numeric codes to alpha and exponent", () => {
    expect(currencyAlpha(currencyIndexByNumeric(344))).toBe("HKD");
    expect(currencyAlpha(currencyIndexByNumeric(986))).toBe("BRL");
    expect(currencyExponent(currencyIndexByNumeric(392))).toBe(0);
    expect(currencyExponent(currencyIndexByNumeric(704))).toBe(0);
    expect(currencyExponent(currencyIndexByNumeric(48))).toBe(3);
    expect(currencyExponent(currencyIndexByNumeric(990))).toBe(4);
    expect(currencyExponent(currencyIndexByNumeric(360))).toBe(2);
  });
  it("rejects unknown and malformed tag-53 values", () => {
    expect(currencyIndexFromTag53("999")).toBe(-1);
    expect(currencyIndexFromTag53("98")).toBe(-1);
    expect(currencyIndexFromTag53("9a6")).toBe(-1);
    expect(currencyIndexByAlpha("XYZ")).toBe(-1);
  });
  it("has unique alpha and numeric codes", () => {
    const n = currencyCount();
    let dup = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      if (currencyAlpha(i) == currencyAlpha(j)) dup++;
      if (currencyNumeric(i) == currencyNumeric(j)) dup++;
    }
    expect(dup).toBe(0);
    for (let i = 0; i < n; i++) expect(currencyIndexByAlpha(currencyAlpha(i))).toBe(i);
  });
  it("gives symbols", () => {
    expect(currencySymbol("HKD")).toBe("HK$");
    expect(currencySymbol("EUR")).toBe("\u20AC");
    expect(currencySymbol("UZS")).toBe("UZS ");
  });
});

describe("amount scaling", () => {
  it("pads to the exponent", () => {
    expect(scaleAmount("10.", 2).decimal).toBe("10.00");
    expect(scaleAmount("0.9", 2).decimal).toBe("0.90");
    expect(scaleAmount("1500", 0).decimal).toBe("1500");
    expect(scaleAmount("007.5", 3).decimal).toBe("7.500");
    expect(scaleAmount("007.5", 3).minor!).toBe("7500");
  });
  it("never rounds", () => {
    const a = scaleAmount("999.123", 0);
    expect(a.ok).toBe(true);
    expect(a.tooPrecise).toBe(true);
    expect(a.minor).toBeNull();
    expect(scaleAmount("1.2300", 2).decimal).toBe("1.23");
  });
  it("rejects bad syntax", () => {
    expect(scaleAmount("", 2).ok).toBe(false);
    expect(scaleAmount(".5", 2).ok).toBe(false);
    expect(scaleAmount("1.2.3", 2).ok).toBe(false);
    expect(scaleAmount("-1", 2).ok).toBe(false);
    expect(scaleAmount("12345678901234", 2).ok).toBe(false);
  });
});

describe("parsePayload", () => {
  it("accepts a PromptPay code and scales THB", () => {
    const r = parsePayload("00020101021229370016A000000677010111011300660000000005802TH530376454044.226304" +
      crc16Hex(crcOf("00020101021229370016A000000677010111011300660000000005802TH530376454044.226304")));
    expect(r.valid).toBe(true);
    expect(r.scheme!).toBe("TH-PromptPay");
    expect(r.currency!).toBe("THB");
    expect(r.amount!).toBe("4.22");
  });
  it("rejects a wrong CRC", () => {
    const r = parsePayload("00020101021129370016A000000677010111011300668012345675802TH53037646304ABCD");
    expect(r.valid).toBe(false);
    expect(r.status).toBe(E_PAYLOAD_CRC);
  });
  it("reports TLV errors with their position", () => {
    const r = parsePayload("000201010211299");
    expect(r.status).toBe(E_PAYLOAD_STRUCTURE);
    expect(r.error!).toBe("truncated id/len at 12");
  });
  it("parses UPI and rejects unknown text", () => {
    const u = parsePayload("upi://pay?pa=shop@okaxis&pn=Tea%20Stall&am=20");
    expect(u.valid).toBe(true);
    expect(u.amount!).toBe("20.00");
    expect(u.merchantName!).toBe("Tea Stall");
    expect(u.payeeAddress!).toBe("shop@okaxis");
    expect(u.displayPayee()).toBe("Tea Stall");
    expect(parsePayload("upi://pay?pa=shop@okaxis").displayPayee()).toBe("shop@okaxis");
    expect(parsePayload("https://qr.alipay.com/bax123").displayPayee()).toBe("");
    expect(parsePayload("hello").status).toBe(E_PAYLOAD_FORMAT);
  });
});

import { ConsentLedger, DAILY_FAILURE_LIMIT } from "../pay/policy";
import { decodeChallenge, validPhoneName } from "../pay/messages";
import { formatDate } from "../device/terms";

describe("consent ledger", () => {
  it("turns quick pay off at the fifth failure of a day, counts days apart, and survives a round trip", () => {
    const l = new ConsentLedger();
    for (let i = 0; i < DAILY_FAILURE_LIMIT - 1; i++) expect(l.fail(20000)).toBe(false);
    expect(l.fail(20001)).toBe(false);          // a new day starts the count again
    expect(l.failures).toBe(1);
    for (let i = 0; i < 3; i++) l.fail(20001);
    expect(l.fail(20001)).toBe(true);
    expect(l.locked).toBe(true);
    const b = l.serialize();
    const r = ConsentLedger.deserialize(b.dataStart, b.length);
    expect(r.locked).toBe(true);
    expect(r.failures).toBe(5);
    expect(r.day).toBe(20001);
    r.clearLockout();
    expect(r.locked).toBe(false);
  });
});

describe("registration challenge", () => {
  it("accepts only canonical unpadded base64url of 16-64 bytes", () => {
    expect(decodeChallenge("AAAAAAAAAAAAAAAAAAAAAA")).not.toBeNull();                // 16 bytes
    expect(decodeChallenge("AAAAAAAAAAAAAAAAAAAAAB")).toBeNull();                    // non-zero pad bits
    expect(decodeChallenge("AAAAAAAAAAAAAAAAAAAA")).toBeNull();                      // 15 bytes
    expect(decodeChallenge("x\",\"type\":\"payment.get")).toBeNull();
    expect(decodeChallenge("AAAAAAAAAAAAAAAAAAAAAA==")).toBeNull();
    const c = decodeChallenge("_-8AAQIDBAUGBwgJCgsMDQ4PEA")!;                      // ff ef 00 01 … 10
    expect(c.length).toBe(19);
    expect(c[0]).toBe(0xff);
    expect(c[1]).toBe(0xef);
    expect(c[18]).toBe(0x10);
    expect(validPhoneName("Alice's phone")).toBe(true);
    expect(validPhoneName("")).toBe(false);
    expect(validPhoneName("bell\u0007")).toBe(false);
  });
  it("formats mandate expiry dates (UTC)", () => {
    expect(formatDate(0)).toBe("1970-01-01 00:00 UTC");
    expect(formatDate(1800000000000)).toBe("2027-01-15 08:00 UTC");
    expect(formatDate(951782400000)).toBe("2000-02-29 00:00 UTC");
  });
});
