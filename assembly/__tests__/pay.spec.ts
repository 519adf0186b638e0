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
