// The CBOR message bodies carried in link MSG frames between the glasses and the phone wallet.
// Every body is a CBOR map with small integer keys; key 1 is the message type.
//   glasses → phone
//     PAY_REQUEST   {1:1, 2:payload bstr, 3:payee tstr, 4:amount tstr, 5:currency tstr, 6:phoneConfirm bool
//                    [, 7:mandateId tstr, 8:seq uint, 9:agentSignature bstr (r‖s)]}   (7–9: an agent inside its mandate)
//     MANDATE       {1:11, 2:mandate text bstr, 3:device signature bstr (DER), 4:credId bstr}
//     ASSERTION     {1:3, 2:orderId tstr, 3:credId bstr, 4:authenticatorData bstr, 5:clientDataJSON bstr, 6:signature bstr}
//     CANCEL        {1:5, 2:orderId tstr, 3:reason tstr}
//     REGISTRATION  {1:7, 3:credId bstr, 4:attestationObject bstr, 5:clientDataJSON bstr}
//     RECENT_QUERY  {1:9, 2:n uint}
//   phone → glasses
//     CHALLENGE     {1:2, 2:orderId tstr, 3:challenge bstr (nonce ‖ SHA-256(payload))}
//     RECEIPT       {1:4, 2:orderId tstr ("" when refused before an order existed), 3:ok bool, 4:detail tstr (bill id or reason)}
//     REG_CHALLENGE {1:6, 2:challenge tstr (base64url, as the wallet issued it)}
//     RECENT        {1:10, 2:[[payee tstr, amount tstr, currency tstr], …]}
import { CborWriter, CborReader, MT_UINT, MT_TEXT, MT_BYTES, MT_SIMPLE, MT_ARRAY, cborValidate } from "../link/cbor";
import { OK, E_LINK_FRAME } from "../errors";

export const T_PAY_REQUEST: i32 = 1;
export const T_CHALLENGE: i32 = 2;
export const T_ASSERTION: i32 = 3;
export const T_RECEIPT: i32 = 4;
export const T_CANCEL: i32 = 5;
export const T_REG_CHALLENGE: i32 = 6;
export const T_REGISTRATION: i32 = 7;
export const T_RECENT_QUERY: i32 = 9;
export const T_RECENT: i32 = 10;
export const T_MANDATE: i32 = 11;

export const MSG_MAX: i32 = 4096;
const body: usize = memory.data(MSG_MAX, 8);
const w = new CborWriter();

function bytesOf(s: string): ArrayBuffer { return String.UTF8.encode(s); }

/** Encodes into the shared body buffer; returns the length, or -1 when it does not fit. */
function done(): i32 { return w.overflow ? -1 : w.len; }
export function bodyPtr(): usize { return body; }

export function encodePayRequest(payload: Uint8Array, payee: string, amount: string, currency: string, phoneConfirm: bool,
                                 mandateId: string = "", seq: i64 = 0, agentSig: Uint8Array | null = null): i32 {
  const agent = agentSig != null;
  w.reset(body, MSG_MAX).map(agent ? 9 : 6);
  w.uint(1).uint(T_PAY_REQUEST);
  w.uint(2).bytes(payload.dataStart, payload.length);
  w.uint(3).text(payee);
  w.uint(4).text(amount);
  w.uint(5).text(currency);
  w.uint(6).bool(phoneConfirm);
  if (agent) {
    w.uint(7).text(mandateId);
    w.uint(8).uint(<u64>seq);
    w.uint(9).bytes(agentSig!.dataStart, agentSig!.length);
  }
  return done();
}

export function encodeMandate(text: string, sig: Uint8Array, credId: usize, credLen: i32): i32 {
  const t = bytesOf(text);
  w.reset(body, MSG_MAX).map(4);
  w.uint(1).uint(T_MANDATE);
  w.uint(2).bytes(changetype<usize>(t), t.byteLength);
  w.uint(3).bytes(sig.dataStart, sig.length);
  w.uint(4).bytes(credId, credLen);
  return done();
}

export function encodeAssertion(orderId: string, credId: usize, credLen: i32, authData: Uint8Array, clientData: string, sig: Uint8Array): i32 {
  const cd = bytesOf(clientData);
  w.reset(body, MSG_MAX).map(6);
  w.uint(1).uint(T_ASSERTION);
  w.uint(2).text(orderId);
  w.uint(3).bytes(credId, credLen);
  w.uint(4).bytes(authData.dataStart, authData.length);
  w.uint(5).bytes(changetype<usize>(cd), cd.byteLength);
  w.uint(6).bytes(sig.dataStart, sig.length);
  return done();
}

export function encodeCancel(orderId: string, reason: string): i32 {
  w.reset(body, MSG_MAX).map(3);
  w.uint(1).uint(T_CANCEL);
  w.uint(2).text(orderId);
  w.uint(3).text(reason);
  return done();
}

/** REGISTRATION with a packed self-attestation object built here. */
export function encodeRegistration(credId: usize, credLen: i32, authData: Uint8Array, clientData: string, sig: Uint8Array): i32 {
  // attestationObject = {"fmt":"packed","attStmt":{"alg":-7,"sig":sig},"authData":authData}
  const att = new Uint8Array(authData.length + sig.length + 64);
  const a = new CborWriter().reset(att.dataStart, att.length);
  a.map(3).text("fmt").text("packed").text("attStmt").map(2).text("alg").int(-7).text("sig").bytes(sig.dataStart, sig.length);
  a.text("authData").bytes(authData.dataStart, authData.length);
  if (a.overflow) return -1;
  const cd = bytesOf(clientData);
  w.reset(body, MSG_MAX).map(4);
  w.uint(1).uint(T_REGISTRATION);
  w.uint(3).bytes(credId, credLen);
  w.uint(4).bytes(att.dataStart, a.len);
  w.uint(5).bytes(changetype<usize>(cd), cd.byteLength);
  return done();
}

export function encodeRecentQuery(n: i32): i32 {
  w.reset(body, MSG_MAX).map(2);
  w.uint(1).uint(T_RECENT_QUERY);
  w.uint(2).uint(<u64>n);
  return done();
}

/** A decoded phone → glasses message. Unused fields stay empty. */
export class Incoming {
  type: i32 = 0;
  orderId: string = "";
  challenge: Uint8Array = new Uint8Array(0);
  challengeText: string = "";
  ok: bool = false;
  detail: string = "";
  recent: string[] = [];     // "payee|amount|currency"
  status: i32 = OK;
  error: string = "";
}

function bad(m: Incoming, why: string): Incoming { m.status = E_LINK_FRAME; m.error = why; return m; }

// Caps on what the phone may send, in UTF-8 bytes: anything the glasses show or put into an event is bounded
// where it is parsed, so no message can make an event record too long or a HUD line that cannot be shown.
export const MAX_ORDER_ID: i32 = 64;
export const MAX_DETAIL: i32 = 128;
export const MAX_REG_CHALLENGE_TEXT: i32 = 88;   // base64url of 64 bytes is 86 characters
export const MAX_RECENT_ROWS: i32 = 8;
const MAX_RECENT_FIELD: StaticArray<i32> = [64, 20, 8];   // payee, amount, currency

/** Decodes a body strictly: canonical CBOR, a map with known keys of the right types for its type. */
export function decodeIncoming(p: usize, len: i32): Incoming {
  const m = new Incoming();
  if (cborValidate(p, len) != OK) return bad(m, "not canonical CBOR");
  const r = new CborReader().reset(p, len);
  const n = r.readMap();
  if (n < 1 || n > 8) return bad(m, "body is not a small map");
  let seen = 0;
  for (let i = 0; i < n; i++) {
    if (!r.readHead() || r.major != MT_UINT || r.arg > 15) return bad(m, "keys must be small unsigned integers");
    const key = <i32>r.arg;
    if (seen & (1 << key)) return bad(m, "duplicate key");
    seen |= 1 << key;
    if (!r.readHead()) return bad(m, "truncated value");
    const major = r.major;
    if (key == 1) {
      if (major != MT_UINT) return bad(m, "type must be an unsigned integer");
      m.type = <i32>r.arg;
    } else if (key == 2 && major == MT_TEXT) {
      if (r.valLen > (m.type == T_REG_CHALLENGE ? MAX_REG_CHALLENGE_TEXT : MAX_ORDER_ID)) return bad(m, "text field too long");
      const s = String.UTF8.decodeUnsafe(r.valPtr, r.valLen);
      if (m.type == T_REG_CHALLENGE) m.challengeText = s; else m.orderId = s;
    } else if (key == 2 && major == MT_ARRAY) {
      const count = <i32>r.arg;
      if (r.arg > <u64>MAX_RECENT_ROWS) return bad(m, "too many recent entries");
      for (let k = 0; k < count; k++) {
        if (r.readArray() != 3) return bad(m, "recent entries are [payee, amount, currency]");
        let row = "";
        for (let f = 0; f < 3; f++) {
          if (!r.readText()) return bad(m, "recent entry fields are text");
          if (r.valLen > unchecked(MAX_RECENT_FIELD[f])) return bad(m, "recent entry field too long");
          row += (f > 0 ? "|" : "") + String.UTF8.decodeUnsafe(r.valPtr, r.valLen);
        }
        m.recent.push(row);
      }
    } else if (key == 3 && major == MT_BYTES) {
      m.challenge = new Uint8Array(r.valLen);
      memory.copy(m.challenge.dataStart, r.valPtr, r.valLen);
    } else if (key == 3 && major == MT_SIMPLE) {
      if (r.arg != 20 && r.arg != 21) return bad(m, "ok must be a boolean");
      m.ok = r.arg == 21;
    } else if (key == 4 && major == MT_TEXT) {
      if (r.valLen > MAX_DETAIL) return bad(m, "detail too long");
      m.detail = String.UTF8.decodeUnsafe(r.valPtr, r.valLen);
    } else {
      return bad(m, "unexpected key " + key.toString());
    }
  }
  if (!r.atEnd()) return bad(m, "trailing bytes");
  if (!(seen & 2)) return bad(m, "missing type");
  const t = m.type;
  if (t == T_CHALLENGE && (m.orderId.length == 0 || m.challenge.length == 0)) return bad(m, "challenge needs orderId and challenge");
  // A refusal before any order exists (an agent request the wallet turned down) has an empty orderId.
  if (t == T_RECEIPT && (!(seen & 4) || !(seen & 8) || (m.orderId.length == 0 && m.ok))) return bad(m, "receipt needs orderId and ok");
  if (t == T_REG_CHALLENGE && m.challengeText.length == 0) return bad(m, "registration challenge missing");
  if (t != T_CHALLENGE && t != T_RECEIPT && t != T_REG_CHALLENGE && t != T_RECENT) return bad(m, "unknown message type " + t.toString());
  return m;
}
