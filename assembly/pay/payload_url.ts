// URL-style payment QR payloads: Alipay (https://qr.alipay.com/<code>), WeChat Pay (wxp://f2f0<token>,
// weixin://wxpay/bizpayurl?pr=<code>) and UPI (upi://pay?pa=…&pn=…&am=…&cu=INR).
// They carry no checksum: integrity comes only from the wallet server, so the rules here are about
// shape (a known host, a code of the expected alphabet) and, for UPI, the amount and currency.
import { utf8Valid } from "../util/utf8";
import { E_PAYLOAD } from "../errors";
import { currencyIndexByAlpha } from "./currency";
import { PayloadResult, JsonObj, scaleAmountFor, hasUnsafeDisplayChars, KIND_ALIPAY, KIND_WECHAT, KIND_UPI } from "./payload_common";

class Url {
  scheme: string = "";
  host: string = "";      // lower-cased, as a URL parser reports it
  hostRaw: string = "";   // as written (WeChat tokens are case-sensitive)
  path: string = "";
  query: string | null = null;
  error: string = "";
  keys: string[] = [];
  values: string[] = [];
}

function lower(s: string): string { return s.toLowerCase(); }

/** Splits scheme://netloc/path?query#fragment. Returns null when there is no "scheme://". */
function splitUrl(s: string): Url | null {
  const colon = s.indexOf("://");
  if (colon <= 0) return null;
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (!((c >= 97 && c <= 122) || (i > 0 && ((c >= 48 && c <= 57) || c == 0x2b || c == 0x2d || c == 0x2e)))) return null;
  }
  const u = new Url();
  u.scheme = lower(s.substring(0, colon));
  let rest = s.substring(colon + 3);
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.substring(0, hash);
  let q = rest.indexOf("?");
  let beforeQ = rest;
  if (q >= 0) { u.query = rest.substring(q + 1); beforeQ = rest.substring(0, q); }
  const slash = beforeQ.indexOf("/");
  if (slash >= 0) { u.hostRaw = beforeQ.substring(0, slash); u.path = beforeQ.substring(slash); }
  else u.hostRaw = beforeQ;
  u.host = lower(u.hostRaw);
  return u;
}

function hexv(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Percent-decodes (and '+' -> space, as form encoding) into a string; null on a bad escape or bad UTF-8. */
function pctDecode(s: string): string | null {
  const n = s.length;
  let plain = true;
  for (let i = 0; i < n; i++) { const c = s.charCodeAt(i); if (c == 37 || c == 43) { plain = false; break; } }
  if (plain) return s;
  const bytes = String.UTF8.encode(s);
  const src = Uint8Array.wrap(bytes);
  const out = new Uint8Array(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const c = <i32>src[i];
    if (c == 37) {
      if (i + 2 >= src.length) return null;
      const h = hexv(<i32>src[i + 1]), l = hexv(<i32>src[i + 2]);
      if (h < 0 || l < 0) return null;
      out[o++] = <u8>((h << 4) | l);
      i += 2;
    } else if (c == 43) out[o++] = 32;
    else out[o++] = <u8>c;
  }
  if (!utf8Valid(out.dataStart, o)) return null;
  return String.UTF8.decodeUnsafe(out.dataStart, <usize>o);
}

/** Parses the query like a form decoder: pairs split on '&', blank values dropped; rejects duplicates. */
function parseQuery(u: Url): bool {
  if (u.query == null) return true;
  const parts = u.query!.split("&");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length == 0) continue;
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    const k = pctDecode(p.substring(0, eq));
    const v = pctDecode(p.substring(eq + 1));
    if (k == null || v == null) { u.error = "bad percent-encoding in query"; return false; }
    if (v.length == 0) continue;
    for (let j = 0; j < u.keys.length; j++) if (u.keys[j] == k) { u.error = "duplicate query parameter " + k; return false; }
    u.keys.push(k);
    u.values.push(v);
  }
  return true;
}

function param(u: Url, k: string): string | null {
  for (let j = 0; j < u.keys.length; j++) if (u.keys[j] == k) return u.values[j];
  return null;
}

function fieldsOf(u: Url): string {
  const f = new JsonObj().str("scheme", u.scheme).str("host", u.host).str("path", u.path);
  if (u.keys.length > 0) {
    const q = new JsonObj();
    for (let j = 0; j < u.keys.length; j++) q.str(u.keys[j], u.values[j]);
    f.raw("query", q.toString());
  }
  return f.toString();
}

function isAlnum(c: i32): bool { return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122); }

function allOf(s: string, extra: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && extra.indexOf(String.fromCharCode(c)) < 0) return false;
  }
  return true;
}

/** Tries the URL kinds. Returns null when the text is not a payment URL of a known kind. */
export function parseUrlPayload(s: string, r: PayloadResult): PayloadResult | null {
  const u = splitUrl(s);
  if (u == null) return null;
  if (u.host == "qr.alipay.com" && (u.scheme == "https" || u.scheme == "http")) return alipay(u, r);
  if (u.scheme == "wxp" || (u.scheme == "weixin" && u.host == "wxpay")) return wechat(u, r);
  if (u.scheme == "upi") return upi(u, r);
  return null;
}

function alipay(u: Url, r: PayloadResult): PayloadResult {
  r.kind = KIND_ALIPAY; r.scheme = "CN-Alipay";
  if (!parseQuery(u)) return r.fail(E_PAYLOAD, u.error);
  r.fieldsJson = fieldsOf(u);
  if (u.scheme != "https") return r.fail(E_PAYLOAD, "alipay code must use https");
  if (u.path.length < 2 || !allOf(u.path.substring(1), "")) return r.fail(E_PAYLOAD, "alipay code is missing or has characters outside A-Z a-z 0-9");
  if (u.path.length > 65) return r.fail(E_PAYLOAD, "alipay code is too long");
  r.warnings.push("no checksum: amount and payee come from the wallet server");
  r.valid = true; r.status = 0;
  return r;
}

function wechat(u: Url, r: PayloadResult): PayloadResult {
  r.kind = KIND_WECHAT; r.scheme = "CN-WeChatPay";
  if (!parseQuery(u)) return r.fail(E_PAYLOAD, u.error);
  r.fieldsJson = fieldsOf(u);
  if (u.scheme == "wxp") {
    // personal collection code: wxp://f2f0<token>
    const t = u.hostRaw;
    if (u.path.length > 0 || u.query != null) return r.fail(E_PAYLOAD, "wechat wxp code has a path or query");
    if (t.length < 8 || t.length > 128 || lower(t.substring(0, 4)) != "f2f0" || !allOf(t, "-_=")) return r.fail(E_PAYLOAD, "wechat wxp code is not f2f0 followed by a token");
  } else {
    if (u.path != "/bizpayurl") return r.fail(E_PAYLOAD, "wechat native code path is not /bizpayurl");
    const pr = param(u, "pr");
    if (pr == null || pr.length > 64 || !allOf(pr, "")) return r.fail(E_PAYLOAD, "wechat native code has no valid pr parameter");
  }
  r.warnings.push("no checksum: amount and payee come from the wallet server");
  r.valid = true; r.status = 0;
  return r;
}

function upi(u: Url, r: PayloadResult): PayloadResult {
  r.kind = KIND_UPI; r.scheme = "IN-UPI";
  if (!parseQuery(u)) return r.fail(E_PAYLOAD, u.error);
  r.fieldsJson = fieldsOf(u);
  if (u.host != "pay" || (u.path.length > 0 && u.path != "/")) return r.fail(E_PAYLOAD, "upi uri is not upi://pay");
  const pa = param(u, "pa");
  if (pa == null) return r.fail(E_PAYLOAD, "upi uri has no payee address (pa)");
  const at = pa.indexOf("@");
  if (at <= 0 || at == pa.length - 1 || pa.indexOf("@", at + 1) >= 0 || pa.length > 255 || !allOf(pa, "@.-_"))
    return r.fail(E_PAYLOAD, "upi payee address (pa) is not name@handle");
  const cu = param(u, "cu");
  let cur = "INR";
  if (cu != null) {
    cur = cu;
    if (cur != "INR") return r.fail(E_PAYLOAD, "upi currency (cu) must be INR");
  }
  const idx = currencyIndexByAlpha(cur);
  const am = param(u, "am");
  const pn = param(u, "pn");
  if (pn != null && hasUnsafeDisplayChars(pn)) return r.fail(E_PAYLOAD, "upi payee name (pn) contains control or bidi-format characters");
  r.merchantName = pn;
  r.payeeAddress = pa;
  r.account = pa;
  r.currency = cur;
  if (am != null) {
    const a = scaleAmountFor(am, idx, 18);
    if (!a.ok || a.tooPrecise) {
      r.merchantName = null; r.currency = null; r.payeeAddress = null; r.account = null;
      return r.fail(E_PAYLOAD, !a.ok ? "upi amount (am) is not a decimal number" : "upi amount (am) has more than 2 decimals");
    }
    r.amount = a.decimal;
    r.amountMinor = a.minor;
    if (a.zero) r.warnings.push("transaction amount is zero");
  }
  if (pn == null) r.warnings.push("upi uri has no payee name (pn)");
  r.warnings.push("no checksum: payee and amount are not integrity-protected");
  r.valid = true; r.status = 0;
  return r;
}
