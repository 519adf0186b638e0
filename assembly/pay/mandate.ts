// Agent mandates (AP2 "open payment mandate" vocabulary): the wearer lets an AI agent pay on its own
// within a per-payment limit, a total budget, a list of allowed payees and an expiry; requests are signed
// by the agent's P-256 key. The glasses sign the mandate with the device key when it is opened, so the
// wallet can check which limits the wearer agreed to. A request inside the mandate is approved (and shown
// on the HUD); one outside it is handed to the wearer to confirm.
//
// Canonical texts (what is signed; built here, never parsed from a host):
//   mandate: {"v":1,"id":ID,"agent":HEX65,"currency":CCY,"perPayment":DEC,"budget":DEC,"payees":[..],"expires":MS}
//   request: {"mandate":ID,"seq":N,"payee":NAME,"amount":DEC,"currency":CCY}
// (DEC: a decimal string with the currency's exponent, e.g. "50.00"; host/phone/README.md has the wallet side.)
import { Json, jsonEscape } from "../io/json";
import { toHex } from "../util/hex";
import { formatMinor } from "./amount";

export const MAX_PAYEES: i32 = 8;
export const MAX_MANDATES: i32 = 4;

export const MANDATE_OK: i32 = 0;
// Reasons a request falls outside a mandate (the wearer is asked instead):
export const OUTSIDE_UNKNOWN = "unknown_mandate";
export const OUTSIDE_SIGNATURE = "bad_agent_signature";
export const OUTSIDE_EXPIRED = "mandate_expired";
export const OUTSIDE_CURRENCY = "currency_mismatch";
export const OUTSIDE_PAYEE = "payee_not_allowed";
export const OUTSIDE_LIMIT = "over_per_payment_limit";
export const OUTSIDE_BUDGET = "over_budget";
export const OUTSIDE_REPLAY = "replayed_request";

export class Mandate {
  id: string = "";                 // 16 hex characters
  agentPub: Uint8Array = new Uint8Array(65);
  /** The agent's name as the wearer saw it (HUD only; the signed text binds the agent's key). */
  agentName: string = "";
  currency: string = "";
  perPaymentMinor: i64 = 0;
  budgetMinor: i64 = 0;
  spentMinor: i64 = 0;
  expiresMs: i64 = 0;
  payees: string[] = [];
  lastSeq: i64 = 0;
  /** The device's DER signature over SHA-256(canonical()), made when opened. */
  deviceSig: Uint8Array = new Uint8Array(0);

  canonical(): string {
    const p = new Array<string>();
    for (let i = 0; i < this.payees.length; i++) p.push("\"" + jsonEscape(this.payees[i]) + "\"");
    return new Json().int("v", 1).str("id", this.id).str("agent", toHex(this.agentPub.dataStart, 65))
      .str("currency", this.currency).str("perPayment", formatMinor(this.perPaymentMinor, this.currency))
      .str("budget", formatMinor(this.budgetMinor, this.currency)).raw("payees", "[" + p.join(",") + "]")
      .int("expires", this.expiresMs).toString();
  }

  allowsPayee(name: string): bool {
    for (let i = 0; i < this.payees.length; i++) if (this.payees[i] == name) return true;
    return false;
  }

  /** "" when the request is inside the mandate, else the reason (signature checked by the caller). */
  check(seq: i64, payee: string, amountMinor: i64, currency: string, nowMs: i64): string {
    if (nowMs >= this.expiresMs) return OUTSIDE_EXPIRED;
    if (seq <= this.lastSeq) return OUTSIDE_REPLAY;
    if (currency != this.currency) return OUTSIDE_CURRENCY;
    if (!this.allowsPayee(payee)) return OUTSIDE_PAYEE;
    if (amountMinor <= 0 || amountMinor > this.perPaymentMinor) return OUTSIDE_LIMIT;
    if (this.spentMinor + amountMinor > this.budgetMinor) return OUTSIDE_BUDGET;
    return "";
  }

  /** Reserves an approved request's sequence and amount (at signing, persisted with the counter). */
  spend(seq: i64, amountMinor: i64): void {
    this.lastSeq = seq;
    this.spentMinor += amountMinor;
  }

  /** Binary record for the persistent state. */
  serialize(): Uint8Array {
    const id = String.UTF8.encode(this.id), cur = String.UTF8.encode(this.currency);
    const an = String.UTF8.encode(this.agentName);
    let n = 1 + id.byteLength + 65 + 3 + 5 * 8 + 1 + 1 + this.deviceSig.length + 1 + an.byteLength;
    const names = new Array<ArrayBuffer>();
    for (let i = 0; i < this.payees.length; i++) { names.push(String.UTF8.encode(this.payees[i])); n += 1 + names[i].byteLength; }
    const out = new Uint8Array(n);
    const w = new Writer(out);
    w.bytes(changetype<usize>(id), id.byteLength, true);
    w.bytes(this.agentPub.dataStart, 65, false);
    w.bytes(changetype<usize>(cur), 3, false);
    w.i64(this.perPaymentMinor); w.i64(this.budgetMinor); w.i64(this.spentMinor); w.i64(this.expiresMs); w.i64(this.lastSeq);
    w.u8(<u8>names.length);
    for (let i = 0; i < names.length; i++) w.bytes(changetype<usize>(names[i]), names[i].byteLength, true);
    w.bytes(this.deviceSig.dataStart, this.deviceSig.length, true);
    w.bytes(changetype<usize>(an), an.byteLength, true);
    return out;
  }

  static deserialize(ptr: usize, len: i32): Mandate | null {
    const r = new Reader(ptr, len);
    const m = new Mandate();
    m.id = r.str(r.u8());
    r.copy(m.agentPub.dataStart, 65);
    m.currency = r.str(3);
    m.perPaymentMinor = r.i64(); m.budgetMinor = r.i64(); m.spentMinor = r.i64(); m.expiresMs = r.i64(); m.lastSeq = r.i64();
    const np = r.u8();
    if (np > MAX_PAYEES) return null;
    for (let i = 0; i < np; i++) m.payees.push(r.str(r.u8()));
    m.deviceSig = new Uint8Array(r.u8());
    r.copy(m.deviceSig.dataStart, m.deviceSig.length);
    if (r.pos < len) m.agentName = r.str(r.u8());   // records written before names were kept have none
    return r.bad || r.pos != len ? null : m;
  }
}

class Writer {
  pos: i32 = 0;
  constructor(public out: Uint8Array) {}
  u8(v: u8): void { this.out[this.pos++] = v; }
  i64(v: i64): void { store<i64>(this.out.dataStart + this.pos, v); this.pos += 8; }
  bytes(p: usize, n: i32, withLen: bool): void {
    if (withLen) this.u8(<u8>n);
    memory.copy(this.out.dataStart + this.pos, p, n);
    this.pos += n;
  }
}

/** Bounds-checked reader: a short record sets `bad` instead of reading past the end. */
class Reader {
  pos: i32 = 0;
  bad: bool = false;
  constructor(public p: usize, public len: i32) {}
  private room(n: i32): bool { if (this.pos + n > this.len) { this.bad = true; return false; } return true; }
  u8(): i32 { if (!this.room(1)) return 0; return <i32>load<u8>(this.p + this.pos++); }
  i64(): i64 { if (!this.room(8)) return 0; const v = load<i64>(this.p + this.pos); this.pos += 8; return v; }
  copy(dst: usize, n: i32): void { if (!this.room(n)) return; memory.copy(dst, this.p + this.pos, n); this.pos += n; }
  str(n: i32): string { if (!this.room(n)) return ""; const s = String.UTF8.decodeUnsafe(this.p + this.pos, n); this.pos += n; return s; }
}

/** The canonical text of an agent's payment request (what the agent signs). */
export function requestCanonical(mandateId: string, seq: i64, payee: string, amount: string, currency: string): string {
  return new Json().str("mandate", mandateId).int("seq", seq).str("payee", payee)
    .str("amount", amount).str("currency", currency).toString();
}
