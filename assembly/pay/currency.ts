// ISO 4217 currencies: alpha code, numeric code, minor-unit exponent, and the symbol the HUD draws.
// Table: one 8-character record per currency, "AAANNNE " (alpha, numeric, exponent, space).
// Active codes as of the 2025 list (including XCG, ZWG, VED, SLE) plus the fund codes that EMV
// terminals may carry. Scanning 170 records is cheap and needs no allocation except the result.

const TABLE =
  "AED7842 AFN9712 ALL0082 AMD0512 AOA9732 ARS0322 AUD0362 AWG5332 AZN9442 BAM9772 " +
  "BBD0522 BDT0502 BGN9752 BHD0483 BIF1080 BMD0602 BND0962 BOB0682 BOV9842 BRL9862 " +
  "BSD0442 BTN0642 BWP0722 BYN9332 BZD0842 CAD1242 CDF9762 CHE9472 CHF7562 CHW9482 " +
  "CLF9904 CLP1520 CNY1562 COP1702 COU9702 CRC1882 CUP1922 CVE1322 CZK2032 DJF2620 " +
  "DKK2082 DOP2142 DZD0122 EGP8182 ERN2322 ETB2302 EUR9782 FJD2422 FKP2382 GBP8262 " +
  "GEL9812 GHS9362 GIP2922 GMD2702 GNF3240 GTQ3202 GYD3282 HKD3442 HNL3402 HTG3322 " +
  "HUF3482 IDR3602 ILS3762 INR3562 IQD3683 IRR3642 ISK3520 JMD3882 JOD4003 JPY3920 " +
  "KES4042 KGS4172 KHR1162 KMF1740 KPW4082 KRW4100 KWD4143 KYD1362 KZT3982 LAK4182 " +
  "LBP4222 LKR1442 LRD4302 LSL4262 LYD4343 MAD5042 MDL4982 MGA9692 MKD8072 MMK1042 " +
  "MNT4962 MOP4462 MRU9292 MUR4802 MVR4622 MWK4542 MXN4842 MXV9792 MYR4582 MZN9432 " +
  "NAD5162 NGN5662 NIO5582 NOK5782 NPR5242 NZD5542 OMR5123 PAB5902 PEN6042 PGK5982 " +
  "PHP6082 PKR5862 PLN9852 PYG6000 QAR6342 RON9462 RSD9412 RUB6432 RWF6460 SAR6822 " +
  "SBD0902 SCR6902 SDG9382 SEK7522 SGD7022 SHP6542 SLE9252 SOS7062 SRD9682 SSP7282 " +
  "STN9302 SVC2222 SYP7602 SZL7482 THB7642 TJS9722 TMT9342 TND7883 TOP7762 TRY9492 " +
  "TTD7802 TWD9012 TZS8342 UAH9802 UGX8000 USD8402 USN9972 UYI9400 UYU8582 UYW9274 " +
  "UZS8602 VED9262 VES9282 VND7040 VUV5480 WST8822 XAF9500 XCD9512 XCG5322 XOF9520 " +
  "XPF9530 YER8862 ZAR7102 ZMW9672 ZWG9242 ";

const REC = 8;

function digitsAt(s: string, at: i32, n: i32): i32 {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(at + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Index of the record for a 3-digit numeric code, or -1. */
export function currencyIndexByNumeric(numeric: i32): i32 {
  const n = TABLE.length / REC;
  for (let i = 0; i < n; i++) if (digitsAt(TABLE, i * REC + 3, 3) == numeric) return i;
  return -1;
}

/** Index of the record for an alpha code (upper-case, exactly 3 letters), or -1. */
export function currencyIndexByAlpha(alpha: string): i32 {
  if (alpha.length != 3) return -1;
  const n = TABLE.length / REC;
  const a0 = alpha.charCodeAt(0), a1 = alpha.charCodeAt(1), a2 = alpha.charCodeAt(2);
  for (let i = 0; i < n; i++) {
    const o = i * REC;
    if (TABLE.charCodeAt(o) == a0 && TABLE.charCodeAt(o + 1) == a1 && TABLE.charCodeAt(o + 2) == a2) return i;
  }
  return -1;
}

export function currencyCount(): i32 { return TABLE.length / REC; }
export function currencyAlpha(idx: i32): string { return TABLE.substr(idx * REC, 3); }
export function currencyNumeric(idx: i32): i32 { return digitsAt(TABLE, idx * REC + 3, 3); }
export function currencyExponent(idx: i32): i32 { return TABLE.charCodeAt(idx * REC + 6) - 48; }

/** Parses a tag-53 value ("986"): the record index, or -1 when not 3 digits or unknown. */
export function currencyIndexFromTag53(v: string): i32 {
  if (v.length != 3) return -1;
  const n = digitsAt(v, 0, 3);
  if (n < 0) return -1;
  return currencyIndexByNumeric(n);
}

/**
 * The symbol drawn before an amount. Every non-ASCII symbol here has a glyph in hud/font.
 * Currencies without a well-known symbol fall back to the alpha code and a space ("UZS ").
 */
export function currencySymbol(alpha: string): string {
  const s = currencyGlyphSymbol(alpha);
  return s.length > 0 ? s : alpha + " ";
}

/** The symbol when the currency has one (a static string, no allocation); "" otherwise. */
export function currencyGlyphSymbol(alpha: string): string {
  if (alpha == "USD") return "$";
  if (alpha == "EUR") return "\u20AC";
  if (alpha == "GBP") return "\u00A3";
  if (alpha == "JPY" || alpha == "CNY") return "\u00A5";
  if (alpha == "HKD") return "HK$";
  if (alpha == "INR") return "\u20B9";
  if (alpha == "BRL") return "R$";
  if (alpha == "SGD") return "S$";
  if (alpha == "AUD") return "A$";
  if (alpha == "CAD") return "C$";
  if (alpha == "NZD") return "NZ$";
  if (alpha == "TWD") return "NT$";
  if (alpha == "MXN") return "MX$";
  if (alpha == "THB") return "\u0E3F";
  if (alpha == "VND") return "\u20AB";
  if (alpha == "IDR") return "Rp";
  if (alpha == "MYR") return "RM";
  if (alpha == "KHR") return "\u17DB";
  if (alpha == "NGN") return "\u20A6";
  if (alpha == "KRW") return "\u20A9";
  if (alpha == "PHP") return "\u20B1";
  if (alpha == "LAK") return "\u20AD";
  if (alpha == "ILS") return "\u20AA";
  if (alpha == "TRY") return "\u20BA";
  if (alpha == "RUB") return "\u20BD";
  if (alpha == "UAH") return "\u20B4";
  if (alpha == "KZT") return "\u20B8";
  if (alpha == "PKR" || alpha == "LKR" || alpha == "NPR") return "Rs";
  if (alpha == "ZAR") return "R";
  return "";
}
