// Amounts as the glasses handle them: minor units (i64) inside, decimal strings with the currency's
// ISO 4217 exponent on the wire ("25.00" HKD, "3000" JPY).
import { currencyIndexByAlpha, currencyExponent } from "./currency";
import { scaleAmountFor } from "./payload_common";

/** "2500" minor HKD → "25.00"; "" for an unknown currency or a negative amount. */
export function formatMinor(minor: i64, currency: string): string {
  const idx = currencyIndexByAlpha(currency);
  if (idx < 0 || minor < 0) return "";
  const e = currencyExponent(idx);
  let digits = minor.toString();
  if (e == 0) return digits;
  while (digits.length <= e) digits = "0" + digits;
  return digits.slice(0, digits.length - e) + "." + digits.slice(digits.length - e);
}

/** "25.00" HKD → 2500; -1 when the text is not a plain decimal, has more decimals than the currency, or is too long. */
export function parseMinor(decimal: string, currency: string): i64 {
  const idx = currencyIndexByAlpha(currency);
  if (idx < 0) return -1;
  const a = scaleAmountFor(decimal, idx, 15);
  if (!a.ok || a.minor == null) return -1;
  return I64.parseInt(a.minor!);
}
