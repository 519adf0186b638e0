// The one JSON writer of the firmware: command-face output lines, device-face events and every byte of a
// signed clientDataJSON. Strings are escaped per RFC 8259 §7 (quote, backslash, every control character);
// DEL is escaped too, and an unpaired UTF-16 surrogate becomes U+FFFD so the output is always valid UTF-8.
// Usage: new Json().str("cmd", "version").num("pages", 16).bool("ok", true).toString()

const HEX = "0123456789abcdef";

function needsEscape(s: string, i: i32): bool {
  const c = s.charCodeAt(i);
  if (c < 0x20 || c == 0x22 || c == 0x5c || c == 0x7f) return true;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    return !(d >= 0xdc00 && d <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const b = i > 0 ? s.charCodeAt(i - 1) : 0;
    return !(b >= 0xd800 && b <= 0xdbff);
  }
  return false;
}

export function jsonEscape(s: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (!needsEscape(s, i)) continue;
    const c = s.charCodeAt(i);
    out += s.slice(start, i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else out += "\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    start = i + 1;
  }
  return out + s.slice(start);
}

export class Json {
  private body: string = "";
  private key(k: string): void {
    if (this.body.length > 0) this.body += ",";
    this.body += "\"" + jsonEscape(k) + "\":";
  }
  str(k: string, v: string): Json { this.key(k); this.body += "\"" + jsonEscape(v) + "\""; return this; }
  int(k: string, v: i64): Json { this.key(k); this.body += v.toString(); return this; }
  num(k: string, v: f64): Json {
    this.key(k);
    this.body += isFinite(v) ? (v == Math.floor(v) && Math.abs(v) < 1e15 ? (<i64>v).toString() : v.toString()) : "null";
    return this;
  }
  bool(k: string, v: bool): Json { this.key(k); this.body += v ? "true" : "false"; return this; }
  nul(k: string): Json { this.key(k); this.body += "null"; return this; }
  /** Inserts already-serialised JSON (an object or array) under k. */
  raw(k: string, json: string): Json { this.key(k); this.body += json; return this; }
  toString(): string { return "{" + this.body + "}"; }
}

/** Serialises an array of already-serialised JSON values. */
export function jsonArray(items: string[]): string { return "[" + items.join(",") + "]"; }
