// The payment flow on the device: owns the session, the policy, the identity and the phone link, and
// connects them to the device face (device/api.ts). Link fragments arrive one per onLinkRx() call and
// leave through linkTx() as records [u16 little-endian length][fragment], one record per BLE notify.
import { OK, E_STATE, E_LINK_FRAME, E_BUFFER_FULL } from "../errors";
import { Json } from "../io/json";
import { pushEvent } from "./events";
import { Reassembler, Fragmenter, CMD_MSG, CMD_KEEPALIVE, CMD_CANCEL, CMD_PING, CMD_ERROR,
  KEEPALIVE_UP_NEEDED, LINK_MSG_MAX } from "../link/framing";
import { Session, SessionOutput, AgentRef, stateName, S_SCANNING, S_CONFIRMING, S_DONE, S_CANCELLED, S_FAILED, K_AGENT,
  CONFIRM_TIMEOUT_MS } from "../pay/session";
import { listenReset, listenStop } from "./sensors";
import { showScanning, showConfirm, showCountdown, showResult, showRecent, SHOW_PAID, SHOW_CANCELLED, SHOW_FAILED } from "./display";
import { currencySymbol } from "../pay/currency";
import { Mandate } from "../pay/mandate";
import { parseMinor } from "../pay/amount";
import { randomBytes } from "../crypto/drbg";
import { toHex, hexToBytes } from "../util/hex";
import { Policy } from "../pay/policy";
import { Signed, signRegistration } from "../pay/assertion";
import { identityEnsure, credentialId, CRED_ID_BYTES } from "../pay/identity";
import { SECTION_POLICY, SECTION_MANDATES } from "../pay/sections";
import { stateGet, stateSet, stateGeneration } from "../state/blob";
import * as msg from "../pay/messages";

const DAY_MS: i64 = 86400000;

// Outgoing messages wait here until the fragmenter is free: [u8 cmd][u16 len][body].
const QUEUE: i32 = 16384;
const queue: usize = memory.data(QUEUE, 8);
let queueLen: i32 = 0;

const reasm = new Reassembler();
const frag = new Fragmenter();
let mtu: i32 = 244;
let nowMs: i64 = 0;

// An assertion is held until the host has saved a state blob with at least this generation.
let heldBody: Uint8Array | null = null;
let heldGeneration: u32 = 0;

function enqueue(cmd: i32, p: usize, len: i32): i32 {
  if (len < 0 || len > LINK_MSG_MAX) return E_LINK_FRAME;
  if (queueLen + 3 + len > QUEUE) return E_BUFFER_FULL;
  store<u8>(queue + queueLen, <u8>cmd);
  store<u16>(queue + queueLen + 1, <u16>len);
  memory.copy(queue + queueLen + 3, p, len);
  queueLen += 3 + len;
  return OK;
}

function enqueueBody(len: i32): void {
  if (len < 0) { pushEvent(new Json().str("type", "error").str("error", "message_too_large").toString()); return; }
  enqueue(CMD_MSG, msg.bodyPtr(), len);
}

class Output implements SessionOutput {
  transition(from: i32, to: i32, reason: string): void {
    // The microphone listens only while the wearer is being asked.
    if (to == S_CONFIRMING && from != S_CONFIRMING && session.kind != K_AGENT) listenReset();
    else if (to != S_CONFIRMING) listenStop();
    if (to == S_SCANNING) showScanning();
    else if (to == S_CONFIRMING) showConfirm(session.payee, session.amount, session.currency, <i32>CONFIRM_TIMEOUT_MS, <i32>CONFIRM_TIMEOUT_MS);
    else if (to == S_DONE) showResult(SHOW_PAID, session.currency + " " + session.amount + " " + session.payee);
    else if (to == S_CANCELLED) showResult(SHOW_CANCELLED, reason);
    else if (to == S_FAILED) showResult(SHOW_FAILED, reason);
    pushEvent(new Json().str("type", "state").str("from", stateName(from)).str("to", stateName(to))
      .str("reason", reason).int("t_ms", nowMs).toString());
  }
  sendPayRequest(payload: Uint8Array, payee: string, amount: string, currency: string, phoneConfirm: bool, agent: AgentRef | null): void {
    pushEvent(new Json().str("type", "confirm").str("payee", payee).str("amount", amount).str("currency", currency)
      .bool("phone_confirm", phoneConfirm).bool("agent", agent != null).toString());
    if (agent == null) enqueueBody(msg.encodePayRequest(payload, payee, amount, currency, phoneConfirm));
    else enqueueBody(msg.encodePayRequest(payload, payee, amount, currency, false, agent.mandateId, agent.seq, agent.signature));
  }
  showQuestion(payee: string, amount: string, currency: string): bool {
    return showConfirm(payee, amount, currency, <i32>CONFIRM_TIMEOUT_MS, <i32>CONFIRM_TIMEOUT_MS);
  }
  mandateSigned(m: Mandate): void {
    saveMandates();
    pushEvent(new Json().str("type", "mandate").str("id", m.id).str("text", m.canonical())
      .str("signature", toHex(m.deviceSig.dataStart, m.deviceSig.length)).toString());
    enqueueBody(msg.encodeMandate(m.canonical(), m.deviceSig, credentialId(), CRED_ID_BYTES));
  }
  assertionReady(orderId: string, s: Signed): void {
    const n = msg.encodeAssertion(orderId, credentialId(), CRED_ID_BYTES, s.authenticatorData, s.clientDataJSON, s.signature);
    if (n < 0) return;
    const b = new Uint8Array(n);
    memory.copy(b.dataStart, msg.bodyPtr(), n);
    heldBody = b;
    heldGeneration = stateGeneration() + 1;
    pushEvent(new Json().str("type", "persist").int("generation", heldGeneration).toString());
  }
  sendCancel(orderId: string, reason: string): void { enqueueBody(msg.encodeCancel(orderId, reason)); }
  keepalive(waiting: bool): void {
    const k = new Uint8Array(1);
    k[0] = <u8>KEEPALIVE_UP_NEEDED;
    enqueue(CMD_KEEPALIVE, k.dataStart, 1);
  }
}

let policy: Policy = Policy.defaults();
export const session = new Session(policy, new Output());

/** Called by init(): link framing at the board's MTU, the identity (made on first boot), the policy. */
export function payInit(linkMtu: i32): i32 {
  mtu = linkMtu;
  reasm.configure(linkMtu, 3000);
  frag.configure(linkMtu);
  queueLen = 0;
  return payReloadState();
}

/** After a state load: identity and policy from the sections (defaults when absent). */
export function payReloadState(): i32 {
  const st = identityEnsure();
  const buf = new Uint8Array(2 + 32 * 31);
  const n = stateGet(SECTION_POLICY, buf.dataStart, buf.length);
  const p = n > 0 ? Policy.deserialize(buf.dataStart, n) : null;
  policy = p != null ? p : Policy.defaults();
  session.policy = policy;
  session.mandates = loadMandates();
  return st;
}

// Mandates section: u8 count, then per mandate u16 length + Mandate.serialize().
function saveMandates(): void {
  const parts = new Array<Uint8Array>();
  let n = 1;
  for (let i = 0; i < session.mandates.length; i++) { parts.push(session.mandates[i].serialize()); n += 2 + parts[i].length; }
  const out = new Uint8Array(n);
  out[0] = <u8>parts.length;
  let o = 1;
  for (let i = 0; i < parts.length; i++) {
    store<u16>(out.dataStart + o, <u16>parts[i].length);
    out.set(parts[i], o + 2);
    o += 2 + parts[i].length;
  }
  stateSet(SECTION_MANDATES, out.dataStart, out.length);
}

function loadMandates(): Mandate[] {
  const list = new Array<Mandate>();
  const buf = new Uint8Array(8192);
  const n = stateGet(SECTION_MANDATES, buf.dataStart, buf.length);
  if (n < 1) return list;
  let o = 1;
  for (let i = 0; i < <i32>buf[0]; i++) {
    if (o + 2 > n) break;
    const len = <i32>load<u16>(buf.dataStart + o);
    if (o + 2 + len > n) break;
    const m = Mandate.deserialize(buf.dataStart + o + 2, len);
    if (m != null) list.push(m!);
    o += 2 + len;
  }
  return list;
}

function lines(p: usize, len: i32): string[] { return String.UTF8.decodeUnsafe(p, len).split("\n"); }

/** Names shown on the HUD and signed: printable text only (no control characters). */
function printable(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 0x20 || c == 0x7f) return false; }
  return true;
}

/**
 * The wearer is asked to open a mandate. Record (UTF-8 lines): agent public key (130 hex), currency,
 * per-payment limit, budget (decimal strings), expiry (ms since the epoch), then one allowed payee per line.
 */
export function payOpenMandate(p: usize, len: i32, tMs: i64): i32 {
  nowMs = tMs;
  const f = lines(p, len);
  if (f.length < 6) return E_STATE;
  const pub = hexToBytes(f[0]);
  if (pub == null || pub.length != 65 || pub[0] != 4) return E_STATE;
  const m = new Mandate();
  const id = new Uint8Array(8);
  if (randomBytes(id.dataStart, 8) != OK) return E_STATE;
  m.id = toHex(id.dataStart, 8);
  m.agentPub = pub;
  m.currency = f[1];
  m.perPaymentMinor = parseMinor(f[2], m.currency);
  m.budgetMinor = parseMinor(f[3], m.currency);
  m.expiresMs = I64.parseInt(f[4]);
  if (m.perPaymentMinor <= 0 || m.budgetMinor < m.perPaymentMinor || m.expiresMs <= tMs) return E_STATE;
  for (let i = 5; i < f.length && m.payees.length < 8; i++) {
    if (f[i].length == 0) continue;
    if (!printable(f[i])) return E_STATE;
    m.payees.push(f[i]);
  }
  if (m.payees.length == 0) return E_STATE;
  return session.openMandate(m, tMs);
}

/** An agent's payment request. Record (UTF-8 lines): mandate id, seq, payee, amount, currency, signature (128 hex, r‖s). */
export function payOnAgentRequest(p: usize, len: i32, tMs: i64): i32 {
  nowMs = tMs;
  const f = lines(p, len);
  if (f.length != 6) return E_STATE;
  const sig = hexToBytes(f[5]);
  if (sig == null) return E_STATE;
  const seq = I64.parseInt(f[1]);
  if (seq <= 0 || !printable(f[2])) return E_STATE;
  return session.onAgentRequest(f[0], seq, f[2], f[3], f[4], sig, <i32>(tMs / DAY_MS), tMs);
}

function savePolicy(): void {
  const b = policy.serialize();
  stateSet(SECTION_POLICY, b.dataStart, b.length);
}

export function payStart(tMs: i64): i32 { nowMs = tMs; return session.start(tMs); }

/** A decoded QR text (UTF-8 bytes at p) seen at tMs. */
export function payOnQr(p: usize, len: i32, tMs: i64): i32 {
  nowMs = tMs;
  const b = new Uint8Array(len);
  memory.copy(b.dataStart, p, len);
  return session.onQr(b, <i32>(tMs / DAY_MS), tMs);
}

export function payOnKeyword(keyword: string, ownerVerified: bool, tMs: i64): i32 {
  nowMs = tMs;
  return session.onKeyword(keyword, ownerVerified, tMs);
}

export function payTick(tMs: i64): void {
  nowMs = tMs;
  if (reasm.tick(tMs) != OK) enqueueErrorFrame();
  session.tick(tMs);
  if (session.state == S_CONFIRMING) showCountdown(<i32>session.remaining(tMs), <i32>CONFIRM_TIMEOUT_MS);
}

/** The host saved a state blob of this generation: release a held assertion. */
export function payStatePersisted(generation: u32): i32 {
  if (heldBody == null) return OK;
  if (generation < heldGeneration) return E_STATE;
  const b = heldBody!;
  heldBody = null;
  return enqueue(CMD_MSG, b.dataStart, b.length);
}

function enqueueErrorFrame(): void {
  const e = new Uint8Array(1);
  e[0] = <u8>reasm.lastError;
  enqueue(CMD_ERROR, e.dataStart, 1);
}

/** One link fragment from the phone. */
export function payOnLinkFragment(p: usize, len: i32, tMs: i64): i32 {
  nowMs = tMs;
  const st = reasm.feed(p, len, tMs);
  if (st != OK) {
    enqueueErrorFrame();
    pushEvent(new Json().str("type", "link_error").int("status", st).int("code", reasm.lastError).toString());
    return st;
  }
  if (!reasm.ready) return OK;
  const cmd = reasm.cmd, n = reasm.total;
  const data = reasm.data();
  let result = OK;
  if (cmd == CMD_PING) {
    enqueue(CMD_PING, data, n);
  } else if (cmd == CMD_CANCEL) {
    session.cancel("wallet cancelled", tMs);
  } else if (cmd == CMD_MSG) {
    result = handleMessage(data, n, tMs);
  }
  reasm.take();
  return result;
}

function handleMessage(p: usize, n: i32, tMs: i64): i32 {
  const m = msg.decodeIncoming(p, n);
  if (m.status != OK) {
    pushEvent(new Json().str("type", "link_error").str("error", m.error).toString());
    const e = new Uint8Array(1);
    e[0] = 0x02; // INVALID_PAR
    enqueue(CMD_ERROR, e.dataStart, 1);
    return m.status;
  }
  if (m.type == msg.T_CHALLENGE) return session.onChallenge(m.orderId, m.challenge, tMs);
  if (m.type == msg.T_RECEIPT) {
    const r = session.onReceipt(m.orderId, m.ok, m.detail, <i32>(tMs / DAY_MS), tMs);
    if (r == OK && session.state == S_DONE) {
      savePolicy();
      if (session.kind == K_AGENT) saveMandates();
      // A completed payment changes the day's spending (and a mandate's budget): ask the host to save it.
      pushEvent(new Json().str("type", "persist").int("generation", stateGeneration() + 1).toString());
    }
    pushEvent(new Json().str("type", "receipt").bool("ok", m.ok).str("detail", m.detail).toString());
    return r;
  }
  if (m.type == msg.T_REG_CHALLENGE) {
    const s = signRegistration(m.challengeText);
    if (s.status != OK) return s.status;
    enqueueBody(msg.encodeRegistration(credentialId(), CRED_ID_BYTES, s.authenticatorData, s.clientDataJSON, s.signature));
    pushEvent(new Json().str("type", "registration").toString());
    return OK;
  }
  if (m.type == msg.T_RECENT) {
    const rows = new Array<string>();
    for (let i = 0; i < m.recent.length; i++) {
      const f = m.recent[i].split("|");          // payee | amount | currency
      rows.push(currencySymbol(f[2]) + f[1] + " " + f[0]);
      pushEvent(new Json().str("type", "recent").str("payee", f[0]).str("amount", f[1]).str("currency", f[2]).toString());
    }
    if (!session.active) showRecent(rows);
    return OK;
  }
  return OK;
}

/** Asks the wallet for the last n payments (answer shown on the HUD). */
export function payQueryRecent(n: i32): i32 {
  enqueueBody(msg.encodeRecentQuery(n));
  return OK;
}

/** Fills out with [u16 len][fragment] records, at most cap bytes; returns the bytes written. */
export function payDrainLink(out: usize, cap: i32): i32 {
  let o = 0;
  for (;;) {
    if (!frag.active) {
      if (queueLen == 0) break;
      const cmd = <i32>load<u8>(queue);
      const len = <i32>load<u16>(queue + 1);
      frag.send(cmd, queue + 3, len);
      memory.copy(queue, queue + 3 + len, queueLen - 3 - len);
      queueLen -= 3 + len;
    }
    if (o + 2 + mtu > cap) break;
    const n = frag.next(out + o + 2);
    if (n == 0) { frag.active = false; continue; }
    store<u16>(out + o, <u16>n);
    o += 2 + n;
  }
  return o;
}

/** Sets one currency's limits (minor units) and saves the policy in the state. */
export function paySetLimit(currency: string, quickMinor: i64, capMinor: i64): i32 {
  if (!policy.set(currency, quickMinor, capMinor)) return E_STATE;
  savePolicy();
  return OK;
}
