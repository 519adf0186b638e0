// The result of parsing a payment QR payload, shared by the EMV, URL and UPI parsers.
import { Json, jsonEscape } from "../io/json";
import { E_PAYLOAD } from "../errors";
import { currencyExponent } from "./currency";

export const KIND_UNKNOWN = "unknown";
export const KIND_EMV = "emv-mpm";
export const KIND_ALIPAY = "alipay-url";
export const KIND_WECHAT = "wechat-url";
export const KIND_UPI = "upi-uri";

/** Longest payload accepted, in bytes (a version-40 QR holds at most 2,953 bytes). */
export const MAX_PAYLOAD_BYTES: i32 = 3000;
/**
 * Longest text the wearer is shown for a payee name or city, in UTF-8 bytes (as for mandates). A
 * longer field is refused at parse time: it could not be shown whole, and every event carrying it stays
 * well under the event record limit.
 */
export const MAX_DISPLAY_BYTES: i32 = 64;
/** Longest account identifier, in UTF-8 bytes: the longest EMV value (99), e.g. a Pix dynamic-QR location URL. */
export const MAX_ACCOUNT_BYTES: i32 = 99;

export class PayloadResult {
  valid: bool = false;
  kind: string = KIND_UNKNOWN;
  scheme: string | null = null;
  merchantName: string | null = null;
  merchantCity: string | null = null;
  /** Decimal string scaled to the currency exponent ("10." BRL -> "10.00"); null when absent. */
  amount: string | null = null;
  /** The amount in minor units as a decimal integer string; null when absent or not representable. */
  amountMinor: string | null = null;
  currency: string | null = null;
  error: string | null = null;
  /** Status code from errors.ts (OK when valid). */
  status: i32 = 0;
  warnings: string[] = [];
  // EMV extras
  tlvValid: i32 = -1;          // -1 = not applicable
  tlvError: string | null = null;
  structureValid: i32 = -1;
  crcValid: i32 = -1;
  crcGiven: string | null = null;
  crcComputed: string | null = null;
  crcValidIgnoringCase: bool = false;
  pointOfInitiation: string | null = null;
  merchantNameAlt: string | null = null;
  merchantCityAlt: string | null = null;
  language: string | null = null;
  /** UPI: the payee's virtual payment address (pa), the identity the money goes to. */
  payeeAddress: string | null = null;
  /**
   * The account the money goes to, shown to the wearer beside the name: the UPI address, or the EMV merchant
   * identifier of the first merchant account (template sub-tag 01, else its first sub-tag after the GUID, or a
   * primitive 02–25 value); null when the payload names none (Alipay/WeChat URLs).
   */
  account: string | null = null;
  /** Decoded fields, as serialised JSON in the shape of payloads.json "fields"; "" when none. */
  fieldsJson: string = "";
  /** Tag 58 as decoded (used for the scheme label). */
  fieldsCountry: string = "";

  /**
   * The name to show the wearer (protocols.md §1 rule 8: parsed fields only): tag 59, else the tag-64
   * alternate name, else the UPI address; "" when the wallet server alone knows the payee.
   */
  displayPayee(): string {
    if (!this.valid) return "";
    if (this.merchantName != null) return this.merchantName!;
    if (this.merchantNameAlt != null) return this.merchantNameAlt!;
    if (this.payeeAddress != null) return this.payeeAddress!;
    return "";
  }

  fail(status: i32, error: string): PayloadResult {
    this.valid = false;
    this.status = status;
    this.error = error;
    return this;
  }

  /** Full result as one JSON object. */
  toJson(): string {
    const j = new Json();
    j.bool("valid", this.valid);
    optStr(j, "scheme", this.scheme);
    optStr(j, "merchantName", this.merchantName);
    optStr(j, "merchantCity", this.merchantCity);
    optStr(j, "amount", this.amount);
    optStr(j, "currency", this.currency);
    optStr(j, "error", this.error);
    j.str("kind", this.kind);
    optStr(j, "amountMinor", this.amountMinor);
    if (this.pointOfInitiation != null) j.str("pointOfInitiation", this.pointOfInitiation!);
    if (this.merchantNameAlt != null) j.str("merchantNameAlt", this.merchantNameAlt!);
    if (this.merchantCityAlt != null) j.str("merchantCityAlt", this.merchantCityAlt!);
    if (this.language != null) j.str("language", this.language!);
    if (this.payeeAddress != null) j.str("payeeAddress", this.payeeAddress!);
    if (this.account != null) j.str("account", this.account!);
    if (this.tlvValid >= 0) j.bool("tlvValid", this.tlvValid == 1);
    if (this.tlvError != null) j.str("tlvError", this.tlvError!);
    if (this.structureValid >= 0) j.bool("structureValid", this.structureValid == 1);
    if (this.crcValid >= 0) j.bool("crcValid", this.crcValid == 1); else j.nul("crcValid");
    if (this.crcGiven != null) j.str("crcGiven", this.crcGiven!);
    if (this.crcComputed != null) j.str("crcComputed", this.crcComputed!);
    if (this.crcValidIgnoringCase) j.bool("crcValidIgnoringCase", true);
    const w: string[] = [];
    for (let i = 0; i < this.warnings.length; i++) w.push("\"" + jsonEscape(this.warnings[i]) + "\"");
    j.raw("warnings", "[" + w.join(",") + "]");
    j.raw("fields", this.fieldsJson.length > 0 ? this.fieldsJson : "{}");
    return j.toString();
  }
}

function tooLong(v: string | null, max: i32 = MAX_DISPLAY_BYTES): bool {
  return v != null && String.UTF8.byteLength(v!) > max;
}

/** Refuses a valid result whose shown fields could not be shown whole (see MAX_DISPLAY_BYTES). */
export function capDisplayFields(r: PayloadResult): PayloadResult {
  if (!r.valid) return r;
  const limit = " longer than " + MAX_DISPLAY_BYTES.toString() + " bytes";
  if (tooLong(r.merchantName)) return r.fail(E_PAYLOAD, "payee name" + limit);
  if (tooLong(r.merchantNameAlt)) return r.fail(E_PAYLOAD, "alternate payee name" + limit);
  if (tooLong(r.merchantCity) || tooLong(r.merchantCityAlt)) return r.fail(E_PAYLOAD, "merchant city" + limit);
  const accountLimit = " longer than " + MAX_ACCOUNT_BYTES.toString() + " bytes";
  if (tooLong(r.payeeAddress, MAX_ACCOUNT_BYTES)) return r.fail(E_PAYLOAD, "payee address" + accountLimit);
  if (tooLong(r.account, MAX_ACCOUNT_BYTES)) return r.fail(E_PAYLOAD, "payee account" + accountLimit);
  return r;
}

function optStr(j: Json, k: string, v: string | null): void {
  if (v == null) j.nul(k); else j.str(k, v);
}

/** Incremental JSON object writer that keeps insertion order (for the "fields" objects). */
export class JsonObj {
  body: string = "";
  str(k: string, v: string): JsonObj { this.sep(); this.body += "\"" + jsonEscape(k) + "\":\"" + jsonEscape(v) + "\""; return this; }
  raw(k: string, v: string): JsonObj { this.sep(); this.body += "\"" + jsonEscape(k) + "\":" + v; return this; }
  bool(k: string, v: bool): JsonObj { this.sep(); this.body += "\"" + jsonEscape(k) + "\":" + (v ? "true" : "false"); return this; }
  private sep(): void { if (this.body.length > 0) this.body += ","; }
  toString(): string { return "{" + this.body + "}"; }
}

/** The result of scaling a decimal amount string to a currency exponent. */
export class Amount {
  ok: bool = false;        // syntax valid
  decimal: string = "";    // scaled decimal string (or the exact value when not representable)
  minor: string | null = null;
  zero: bool = false;
  tooPrecise: bool = false;
}

/**
 * Parses `^\d+(\.\d*)?$` (also accepts ".5"-free forms only) and scales to `exponent` decimals.
 * Extra fractional digits are dropped only when they are zeros; otherwise `tooPrecise` is set, the
 * exact value is kept in `decimal` and `minor` is null (the caller must not sign such an amount).
 */
export function scaleAmount(s: string, exponent: i32, maxLen: i32 = 13): Amount {
  const r = new Amount();
  const n = s.length;
  if (n == 0 || n > maxLen) return r;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 46) { if (dot >= 0) return r; dot = i; continue; }
    if (c < 48 || c > 57) return r;
  }
  if (dot == 0) return r;              // ".5" is not allowed by the EMV format
  const intEnd = dot < 0 ? n : dot;
  // integer part without leading zeros (keep one digit)
  let a = 0;
  while (a < intEnd - 1 && s.charCodeAt(a) == 48) a++;
  const intPart = s.substring(a, intEnd);
  let frac = dot < 0 ? "" : s.substring(dot + 1);
  // drop trailing zeros beyond the exponent
  let fracLen = frac.length;
  while (fracLen > exponent && frac.charCodeAt(fracLen - 1) == 48) fracLen--;
  frac = frac.substring(0, fracLen);
  r.ok = true;
  let allZero = true;
  for (let i = 0; i < intPart.length; i++) if (intPart.charCodeAt(i) != 48) allZero = false;
  for (let i = 0; i < frac.length; i++) if (frac.charCodeAt(i) != 48) allZero = false;
  r.zero = allZero;
  if (frac.length > exponent) {
    r.tooPrecise = true;
    r.decimal = intPart + "." + frac;
    return r;
  }
  let padded = frac;
  while (padded.length < exponent) padded += "0";
  r.decimal = exponent > 0 ? intPart + "." + padded : intPart;
  // minor units: digits of intPart followed by padded, without leading zeros
  let m = intPart + padded;
  let b = 0;
  while (b < m.length - 1 && m.charCodeAt(b) == 48) b++;
  r.minor = m.substring(b);
  return r;
}

/** Convenience for a currency record index. */
export function scaleAmountFor(s: string, currencyIdx: i32, maxLen: i32 = 13): Amount {
  return scaleAmount(s, currencyIdx >= 0 ? currencyExponent(currencyIdx) : 2, maxLen);
}

/**
 * True when text shown to the wearer holds characters that could hide or reorder what is displayed:
 * C0/C1 controls, DEL, zero-width and bidirectional formatting characters, BOM.
 */
export function hasUnsafeDisplayChars(t: string): bool {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return true;
    if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff || c == 0x061c) return true;
  }
  return false;
}
