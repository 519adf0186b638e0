// A small JSON object writer for the command face's output lines and the device face's events.
// Usage: new Json().str("cmd", "version").num("pages", 16).bool("ok", true).toString()

const HEX = "0123456789abcdef";

export function jsonEscape(s: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    out += s.slice(start, i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
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
