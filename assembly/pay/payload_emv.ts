// EMV QRCPS Merchant-Presented Mode: TLV walk, structure, CRC-16/CCITT-FALSE, then field rules.
// Lengths count characters (code points); the CRC covers the UTF-8 bytes (protocols.md §1).
// The walk runs over a fixed code-point buffer; only the decoded field strings are allocated.
import { E_PAYLOAD, E_PAYLOAD_CRC, E_PAYLOAD_STRUCTURE } from "../errors";
import { crc16, crc16Hex } from "./crc16";
import { currencyAlpha, currencyIndexFromTag53 } from "./currency";
import { PayloadResult, JsonObj, scaleAmountFor, hasUnsafeDisplayChars, KIND_EMV, MAX_PAYLOAD_BYTES } from "./payload_common";

// code points and the byte offset where each starts (+1 entry for the end)
const cps: usize = memory.data((MAX_PAYLOAD_BYTES + 1) * 4, 4);
const offs: usize = memory.data((MAX_PAYLOAD_BYTES + 1) * 4, 4);
let nCp: i32 = 0;
let base: usize = 0;   // UTF-8 bytes of the payload being parsed

@inline function cp(i: i32): i32 { return load<i32>(cps + (<usize>i << 2)); }
@inline function off(i: i32): i32 { return load<i32>(offs + (<usize>i << 2)); }

/** Decodes strict UTF-8 into the code-point buffer. Returns false on malformed input. */
export function loadUtf8(ptr: usize, len: i32): bool {
  base = ptr; nCp = 0;
  let i = 0;
  while (i < len) {
    const b0 = <i32>load<u8>(ptr + <usize>i);
    let c = 0, n = 0;
    if (b0 < 0x80) { c = b0; n = 1; }
    else if (b0 >= 0xc2 && b0 <= 0xdf) { c = b0 & 0x1f; n = 2; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { c = b0 & 0x0f; n = 3; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { c = b0 & 0x07; n = 4; }
    else return false;
    if (i + n > len) return false;
    for (let k = 1; k < n; k++) {
      const b = <i32>load<u8>(ptr + <usize>(i + k));
      if ((b & 0xc0) != 0x80) return false;
      c = (c << 6) | (b & 0x3f);
    }
    if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (n == 4 && (c < 0x10000 || c > 0x10ffff))) return false;
    store<i32>(cps + (<usize>nCp << 2), c);
    store<i32>(offs + (<usize>nCp << 2), i);
    nCp++;
    i += n;
  }
  store<i32>(offs + (<usize>nCp << 2), len);
  return true;
}

export function codePointCount(): i32 { return nCp; }

/** The text of code points [a, b). */
function text(a: i32, b: i32): string {
  return String.UTF8.decodeUnsafe(base + <usize>off(a), <usize>(off(b) - off(a)));
}

function digit(i: i32): i32 { const c = cp(i) - 48; return c >= 0 && c <= 9 ? c : -1; }
function two(i: i32): i32 {
  const a = digit(i), b = digit(i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** One TLV level: ids, value starts and lengths, in code points. Fixed capacity per level. */
const MAX_OBJ = 100;
class Level {
  n: i32 = 0;
  id: StaticArray<i32> = new StaticArray<i32>(MAX_OBJ);
  at: StaticArray<i32> = new StaticArray<i32>(MAX_OBJ);
  len: StaticArray<i32> = new StaticArray<i32>(MAX_OBJ);
  start: StaticArray<i32> = new StaticArray<i32>(MAX_OBJ);
  error: string = "";
  /** Walks [a, b). Positions in errors are relative to `rel`. Returns false on a malformed walk. */
  walk(a: i32, b: i32, rel: i32): bool {
    this.n = 0; this.error = "";
    let p = a;
    while (p < b) {
      if (this.n == MAX_OBJ) { this.error = "too many data objects at " + (p - rel).toString(); return false; }
      if (p + 4 > b) { this.error = "truncated id/len at " + (p - rel).toString(); return false; }
      const id = two(p), l = two(p + 2);
      if (id < 0 || l < 0) { this.error = "non-numeric id/len at " + (p - rel).toString(); return false; }
      if (p + 4 + l > b) { this.error = "value overruns payload at " + (p - rel).toString(); return false; }
      unchecked(this.id[this.n] = id);
      unchecked(this.at[this.n] = p + 4);
      unchecked(this.len[this.n] = l);
      unchecked(this.start[this.n] = p);
      this.n++;
      p += 4 + l;
    }
    return true;
  }
  find(id: i32): i32 {
    for (let i = 0; i < this.n; i++) if (unchecked(this.id[i]) == id) return i;
    return -1;
  }
  value(i: i32): string { return text(unchecked(this.at[i]), unchecked(this.at[i]) + unchecked(this.len[i])); }
  dupId(): i32 {
    for (let i = 0; i < this.n; i++) for (let k = i + 1; k < this.n; k++)
      if (unchecked(this.id[i]) == unchecked(this.id[k])) return unchecked(this.id[i]);
    return -1;
  }
}

// Allocated once (module start), reused for every parse.
const top = new Level();
const sub = new Level();

function id2(id: i32): string { return id < 10 ? "0" + id.toString() : id.toString(); }


function letters2(s: string): bool {
  if (s.length != 2) return false;
  for (let i = 0; i < 2; i++) { const c = s.charCodeAt(i); if (c < 65 || c > 90) return false; }
  return true;
}

function allDigits(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

const AD_NAMES: string[] = [
  "", "billNumber", "mobileNumber", "storeLabel", "loyaltyNumber", "referenceLabel", "customerLabel",
  "terminalLabel", "purposeOfTransaction", "additionalConsumerDataRequest", "merchantTaxId", "merchantChannel",
];

/** Scheme label from merchant-account GUIDs and the country (labels as in payloads.json). */
function classify(guids: string[], prims: i32[], country: string): string {
  let sgqr = false, alipay = false;
  for (let i = 0; i < guids.length; i++) {
    const g = guids[i].toUpperCase();
    if (g == "SG.SGQR") sgqr = true;
    if (g == "COM.ALIPAY") alipay = true;
  }
  if (sgqr) return alipay ? "SG-SGQR+Alipay" : "SG-SGQR";
  for (let i = 0; i < guids.length; i++) {
    const g = guids[i].toUpperCase();
    if (g == "BR.GOV.BCB.PIX") return "BR-Pix";
    if (g == "A000000727") return "VN-VietQR";
    if (g.startsWith("A00000067701011")) return "TH-PromptPay";
    if (g == "SG.PAYNOW") return "SG-PayNow";
    if (g == "ID.CO.QRIS.WWW") return "ID-QRIS";
    if (g == "HK.COM.HKICL") return "HK-FPS";
    if (g == "A0000006150001") return "MY-DuitNow";
    if (g == "KH.GOV.NBC") return "KH-KHQR";
    if (g == "A000000524") return "IN-BharatQR";
    if (g == "NG.COM.NIBSS-PLC.QR") return "NG-NQR";
    if (g == "QR-ONLINE.UZ") return "UZ-QR";
  }
  if (guids.length == 0 && prims.length == 1 && prims[0] == 5) return "Mastercard-SQR";
  if (country == "KH") return "KH-generic";
  return "EMV-MPM-generic";
}

/** Parses the code points already loaded by loadUtf8 (byteLen bytes at base). */
export function parseEmv(r: PayloadResult, byteLen: i32): PayloadResult {
  r.kind = KIND_EMV;
  r.scheme = "EMV-MPM";
  const n = nCp;
  // CRC fields are reported whenever the payload ends in "6304" + 4 characters.
  let crcOk = false;
  if (n >= 8 && cp(n - 8) == 54 && cp(n - 7) == 51 && cp(n - 6) == 48 && cp(n - 5) == 52) {
    const crc = crc16(base, off(n - 4));
    r.crcComputed = crc16Hex(crc);
    r.crcGiven = text(n - 4, n);
    crcOk = r.crcGiven! == r.crcComputed!;
    r.crcValidIgnoringCase = !crcOk && r.crcGiven!.toUpperCase() == r.crcComputed!;
  }
  r.crcValid = crcOk ? 1 : 0;

  // 1. TLV walk over the whole string.
  if (!top.walk(0, n, 0)) {
    r.tlvValid = 0; r.structureValid = 0;
    r.tlvError = top.error;
    return r.fail(E_PAYLOAD_STRUCTURE, top.error);
  }
  r.tlvValid = 1;
  // 2. Structure: 00 first, 63 last with length 4, no repeated top-level id.
  let structErr = "";
  if (top.n == 0 || unchecked(top.id[0]) != 0) structErr = "first data object is not 00 (payload format indicator)";
  else if (unchecked(top.id[top.n - 1]) != 63 || unchecked(top.len[top.n - 1]) != 4) structErr = "last data object is not 63 with length 04 (CRC)";
  else {
    const d = top.dupId();
    if (d >= 0) structErr = "duplicate tag " + id2(d);
  }
  r.structureValid = structErr.length == 0 ? 1 : 0;

  // Decode fields (reported even when the CRC fails, never trusted then).
  const guids: string[] = [];
  const prims: i32[] = [];
  const semErr = decodeFields(r, guids, prims);

  if (structErr.length > 0) { clearTrusted(r); return r.fail(E_PAYLOAD_STRUCTURE, structErr); }
  // 3. CRC before trusting anything.
  if (!crcOk) {
    clearTrusted(r);
    if (r.crcGiven == null) return r.fail(E_PAYLOAD_CRC, "crc missing");
    if (r.crcValidIgnoringCase) return r.fail(E_PAYLOAD_CRC, "crc hex is lower-case");
    return r.fail(E_PAYLOAD_CRC, "crc mismatch");
  }
  r.scheme = classify(guids, prims, r.fieldsCountry);
  // 4. Field rules.
  if (semErr.length > 0) {
    clearTrusted(r);
    return r.fail(E_PAYLOAD, semErr);
  }
  r.valid = true;
  r.status = 0;
  return r;
}

function clearTrusted(r: PayloadResult): void {
  r.merchantName = null; r.merchantCity = null; r.amount = null; r.amountMinor = null; r.currency = null;
  r.merchantNameAlt = null; r.merchantCityAlt = null; r.language = null; r.pointOfInitiation = null;
  r.account = null;
}

/**
 * Builds r.fieldsJson from the top level and applies the field rules. Sets the trusted output fields
 * (cleared again by the caller when the payload is rejected). Returns "" or the first rule violation.
 */
function decodeFields(r: PayloadResult, guids: string[], prims: i32[]): string {
  let err = "";
  const f = new JsonObj();
  const accounts = new JsonObj();
  let nAccounts = 0;
  const others = new JsonObj();
  let nOthers = 0;
  let currencyIdx = -1;
  let amountRaw: string | null = null;
  let tipInd: string | null = null;
  let feeFixed: string | null = null, feePct: string | null = null;
  let country = "";
  let addJson = "", langJson = "";
  let poi: string | null = null;
  let pfi = "";
  for (let i = 0; i < top.n; i++) {
    const id = unchecked(top.id[i]);
    const v = top.value(i);
    const vLen = unchecked(top.len[i]);
    if (id == 0) { pfi = v; }
    else if (id == 1) { poi = v; }
    else if (id >= 2 && id <= 25) {
      accounts.raw(id2(id), new JsonObj().str("primitive", v).toString());
      if (r.account == null && vLen > 0) r.account = v;
      prims.push(id);
      nAccounts++;
      if (vLen == 0 && err.length == 0) err = "merchant account " + id2(id) + " is empty";
    } else if (id >= 26 && id <= 51) {
      nAccounts++;
      const at = unchecked(top.at[i]);
      if (!sub.walk(at, at + vLen, at)) {
        accounts.raw(id2(id), new JsonObj().str("raw", v).bool("parseError", true).toString());
        if (err.length == 0) err = "merchant account template " + id2(id) + ": " + sub.error;
      } else {
        const t = new JsonObj();
        const s = new JsonObj();
        let hasGuid = false;
        for (let k = 0; k < sub.n; k++) {
          const sid = unchecked(sub.id[k]);
          if (sid == 0 && !hasGuid) { t.str("guid", sub.value(k)); guids.push(sub.value(k)); hasGuid = true; }
          else s.str(id2(sid), sub.value(k));
        }
        t.raw("sub", s.toString());
        accounts.raw(id2(id), t.toString());
        if (r.account == null) {
          let pick = sub.find(1);
          for (let k = 0; k < sub.n && pick < 0; k++) if (unchecked(sub.id[k]) != 0) pick = k;
          if (pick >= 0 && unchecked(sub.len[pick]) > 0) r.account = sub.value(pick);
        }
        if (err.length == 0) {
          if (!hasGuid) err = "merchant account template " + id2(id) + " has no globally unique identifier (00)";
          else if (sub.dupId() >= 0) err = "merchant account template " + id2(id) + " repeats sub-tag " + id2(sub.dupId());
          else if (sub.len[sub.find(0)] == 0 || sub.len[sub.find(0)] > 32) err = "merchant account template " + id2(id) + " has a bad identifier length";
        }
      }
    } else if (id == 52) {
      f.str("mcc", v);
      if (err.length == 0 && (vLen != 4 || !allDigits(v))) err = "merchant category code (52) is not 4 digits";
    } else if (id == 53) {
      f.str("currency", v);
      currencyIdx = currencyIndexFromTag53(v);
      if (err.length == 0 && currencyIdx < 0) err = "unknown transaction currency (53) " + v;
    } else if (id == 54) { f.str("amount", v); amountRaw = v; }
    else if (id == 55) { f.str("tipOrConvenienceIndicator", v); tipInd = v; }
    else if (id == 56) { f.str("convenienceFeeFixed", v); feeFixed = v; }
    else if (id == 57) { f.str("convenienceFeePercentage", v); feePct = v; }
    else if (id == 58) {
      f.str("country", v); country = v;
      if (err.length == 0 && !letters2(v)) err = "country code (58) is not 2 letters";
    } else if (id == 59) {
      f.str("merchantName", v); r.merchantName = v;
      if (err.length == 0 && vLen == 0) err = "merchant name (59) is empty";
      if (err.length == 0 && hasUnsafeDisplayChars(v)) err = "merchant name (59) contains control or bidi-format characters";
      if (vLen > 25) r.warnings.push("merchant name (59) longer than 25 characters");
    } else if (id == 60) {
      f.str("merchantCity", v); r.merchantCity = v;
      if (err.length == 0 && vLen == 0) err = "merchant city (60) is empty";
      if (err.length == 0 && hasUnsafeDisplayChars(v)) err = "merchant city (60) contains control or bidi-format characters";
      if (vLen > 15) r.warnings.push("merchant city (60) longer than 15 characters");
    } else if (id == 61) { f.str("postalCode", v); }
    else if (id == 62) {
      const at = unchecked(top.at[i]);
      const a = new JsonObj();
      if (!sub.walk(at, at + vLen, at)) {
        addJson = new JsonObj().str("raw", v).bool("parseError", true).toString();
        if (err.length == 0) err = "additional data template (62): " + sub.error;
      } else {
        for (let k = 0; k < sub.n; k++) {
          const sid = unchecked(sub.id[k]);
          a.str(sid >= 1 && sid <= 11 ? AD_NAMES[sid] : id2(sid), sub.value(k));
        }
        addJson = a.toString();
        if (err.length == 0 && sub.dupId() >= 0) err = "additional data template (62) repeats sub-tag " + id2(sub.dupId());
      }
    } else if (id == 63) { /* CRC, checked by the caller */ }
    else if (id == 64) {
      const at = unchecked(top.at[i]);
      const a = new JsonObj();
      if (!sub.walk(at, at + vLen, at)) {
        langJson = new JsonObj().str("raw", v).bool("parseError", true).toString();
        if (err.length == 0) err = "language template (64): " + sub.error;
      } else {
        for (let k = 0; k < sub.n; k++) {
          const sid = unchecked(sub.id[k]);
          const sv = sub.value(k);
          if (sid == 0) { a.str("languagePreference", sv); r.language = sv; }
          else if (sid == 1) { a.str("merchantNameAlt", sv); r.merchantNameAlt = sv; }
          else if (sid == 2) { a.str("merchantCityAlt", sv); r.merchantCityAlt = sv; }
          else a.str(id2(sid), sv);
        }
        langJson = a.toString();
        if (err.length == 0) {
          if (sub.dupId() >= 0) err = "language template (64) repeats sub-tag " + id2(sub.dupId());
          else if (sub.find(0) < 0 || sub.len[sub.find(0)] != 2) err = "language template (64) needs a 2-letter language (00)";
          else if (sub.find(1) < 0) err = "language template (64) needs an alternate merchant name (01)";
          else if (hasUnsafeDisplayChars(r.merchantNameAlt != null ? r.merchantNameAlt! : "") ||
                   hasUnsafeDisplayChars(r.merchantCityAlt != null ? r.merchantCityAlt! : ""))
            err = "language template (64) contains control or bidi-format characters";
        }
      }
    } else {
      // 65-79 RFU, 80-99 unreserved templates: kept raw
      others.str(id2(id), v);
      nOthers++;
    }
  }
  // Assemble "fields" in the vector's key set.
  const out = new JsonObj();
  out.str("payloadFormatIndicator", pfi);
  if (poi != null) out.str("pointOfInitiation", poi);
  if (f.body.length > 0) out.body += "," + f.body;
  if (nAccounts > 0) out.raw("merchantAccounts", accounts.toString());
  if (addJson.length > 0) out.raw("additionalData", addJson);
  if (langJson.length > 0) out.raw("languageTemplate", langJson);
  if (nOthers > 0) out.raw("otherTemplates", others.toString());
  r.fieldsJson = out.toString();
  r.fieldsCountry = country;
  r.pointOfInitiation = poi;

  // Field rules that need several tags.
  if (err.length == 0 && (pfi.length != 2 || !allDigits(pfi))) err = "payload format indicator (00) is not 2 digits";
  if (pfi != "01") r.warnings.push("payload format indicator is " + pfi + ", expected 01");
  if (err.length == 0 && poi != null && poi != "11" && poi != "12") err = "point of initiation method (01) is not 11 or 12";
  if (err.length == 0 && nAccounts == 0) err = "no merchant account information (02-51)";
  if (err.length == 0 && top.find(53) < 0) err = "missing transaction currency (53)";
  if (err.length == 0 && top.find(58) < 0) err = "missing country code (58)";
  if (top.find(52) < 0) r.warnings.push("missing merchant category code (52)");
  if (top.find(59) < 0) r.warnings.push("missing merchant name (59)");
  if (top.find(60) < 0) r.warnings.push("missing merchant city (60)");
  if (currencyIdx >= 0) r.currency = currencyAlpha(currencyIdx);
  if (amountRaw != null) {
    const a = scaleAmountFor(amountRaw, currencyIdx);
    if (!a.ok) { if (err.length == 0) err = "transaction amount (54) is not a decimal number of at most 13 characters"; }
    else {
      r.amount = a.decimal;
      r.amountMinor = a.minor;
      if (a.zero) r.warnings.push("transaction amount is zero");
      if (a.tooPrecise) r.warnings.push("transaction amount has more decimals than the currency allows");
    }
  } else {
    if (poi != null && poi == "12") r.warnings.push("dynamic code without a transaction amount");
  }
  if (tipInd != null) {
    const t = tipInd;
    if (err.length == 0 && t != "01" && t != "02" && t != "03") err = "tip or convenience indicator (55) is not 01, 02 or 03";
    if (err.length == 0 && t == "02") {
      if (feeFixed == null) err = "convenience fee fixed (56) is required when 55 is 02";
      else if (!scaleAmountFor(feeFixed, currencyIdx).ok) err = "convenience fee fixed (56) is not a decimal number";
    }
    if (err.length == 0 && t == "03") {
      if (feePct == null) err = "convenience fee percentage (57) is required when 55 is 03";
      else if (!validPercent(feePct)) err = "convenience fee percentage (57) is not 00.01-99.99";
    }
    if ((t != "02" && feeFixed != null) || (t != "03" && feePct != null))
      r.warnings.push("convenience fee (56/57) present but not selected by tip indicator (55)");
  } else if (feeFixed != null || feePct != null) {
    r.warnings.push("convenience fee (56/57) present without tip indicator (55)");
  }
  return err;
}

function validPercent(s: string): bool {
  const a = scaleAmountFor(s, -1, 5);
  if (!a.ok || a.zero || a.tooPrecise) return false;
  // at most 99.99
  const dot = s.indexOf(".");
  const intLen = dot < 0 ? s.length : dot;
  let lead = 0;
  while (lead < intLen - 1 && s.charCodeAt(lead) == 48) lead++;
  return intLen - lead <= 2;
}
