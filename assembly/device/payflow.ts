// The payment flow on the device: owns the session, the policy, the identity and the phone link, and
// connects them to the device face (device/api.ts). Link fragments arrive one per onLinkRx() call and
// leave through linkTx() as records [u16 little-endian length][fragment], one record per BLE notify.
import { OK, E_STATE, E_LINK_FRAME, E_BUFFER_FULL, E_VOICE_PROFILE } from "../errors";
import { Json, jsonEscape } from "../io/json";
import { pushEvent } from "./events";
import { Reassembler, Fragmenter, CMD_MSG, CMD_KEEPALIVE, CMD_CANCEL, CMD_PING, CMD_ERROR,
  KEEPALIVE_UP_NEEDED, LINK_MSG_MAX } from "../link/framing";
import { Session, SessionOutput, AgentRef, stateName, kindWhat, S_SCANNING, S_CONFIRMING, S_DONE, S_CANCELLED, S_FAILED,
  S_PAIRING, K_AGENT, K_AGENT_ASK, K_MANDATE, K_PAIRING, K_UNPAIR, K_POLICY, CONFIRM_TIMEOUT_MS } from "../pay/session";
import { micListenForCode, micStop, micHasProfile } from "./mic";
import { showScanning, showResult, showRecent, showMessage, planQuestion, showAsk, showAskTick, askDone,
  SHOW_PAID, SHOW_CANCELLED, SHOW_FAILED } from "./display";
import { currencySymbol, currencyGlyphSymbol } from "../pay/currency";
import { codeWordName } from "../voice/code-words";
import { consentSpeakerScore, consentThreshold, consentSpeakerModel } from "../voice/consent";
import { Mandate } from "../pay/mandate";
import { parseMinor, formatMinor } from "../pay/amount";
import { randomBytes } from "../crypto/drbg";
import { toHex, hexToBytes } from "../util/hex";
import { Policy, ConsentLedger } from "../pay/policy";
import { Signed, signRegistration } from "../pay/assertion";
import { identityEnsure, identityWipe, credentialId, devicePublicKey, CRED_ID_BYTES } from "../pay/identity";
import { SECTION_POLICY, SECTION_MANDATES, SECTION_CONSENT, SECTION_PAIRING } from "../pay/sections";
import { stateGet, stateSet, stateGeneration } from "../state/blob";
import { sha256 } from "../crypto/sha256";
import { pairingComparison, formatDate, mandateAgentLabel } from "./terms";
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

/** The terms of the current question as display lines (large: drawn at the amount's scale). */
const qLines = new Array<string>();
const qLarge = new Array<bool>();
function line(t: string, large: bool = false): void { qLines.push(t); qLarge.push(large); }

function money(minor: i64, currency: string): string {
  const v = formatMinor(minor, currency);
  if (v.length == 0) return "";
  const sym = currencyGlyphSymbol(currency);
  return sym.length > 0 ? sym + v : currency + " " + v;
}

/** Builds the question for the session's kind; "" when every term has a text, else the term that has none. */
function buildQuestion(): string {
  qLines.length = 0;
  qLarge.length = 0;
  const k = session.kind;
  if (k == K_MANDATE) {
    const m = session.mandate!;
    const each = money(m.perPaymentMinor, m.currency), all = money(m.budgetMinor, m.currency);
    if (each.length == 0) return "per-payment limit";
    if (all.length == 0) return "budget";
    line("Let an agent pay?");
    line("agent: " + mandateAgentLabel(m));
    line("each up to " + each, true);
    line("budget " + all, true);
    line("until " + formatDate(m.expiresMs));
    line("payees (" + m.payees.length.toString() + "):");
    for (let i = 0; i < m.payees.length; i++) line("- " + m.payees[i]);
    return "";
  }
  if (k == K_PAIRING) {
    line("Pair with this phone?");
    line(session.phoneName);
    line("code on phone: " + session.comparison, true);
    return "";
  }
  if (k == K_UNPAIR) {
    line("Unpair from the phone?");
    line("wipes keys, voice, mandates, receipts");
    return "";
  }
  if (k == K_POLICY) {
    const q = money(session.limitQuick, session.limitCurrency), c = money(session.limitCap, session.limitCurrency);
    if (q.length == 0 || c.length == 0) return "limit";
    line("Change " + session.limitCurrency + " limits?");
    line("quick pay up to " + q);
    line("daily cap " + c);
    return "";
  }
  // a payment (scanned, or an agent's request outside its mandate)
  const sym = currencyGlyphSymbol(session.currency);
  line(k == K_AGENT_ASK ? "Agent asks to pay" : "Pay");
  line(session.payee);
  if (session.account.length > 0) line("to " + session.account);
  line((sym.length > 0 ? sym : session.currency + " ") + session.amount, true);
  if (k == K_AGENT_ASK) line(session.reason);
  if (session.decision.kind == 1) line("then confirm on the phone");
  return "";
}

function codeWords(code: StaticArray<i32>): string[] {
  const w = new Array<string>();
  for (let i = 0; i < code.length; i++) w.push(codeWordName(code[i]));
  return w;
}

function jsonStrings(a: string[]): string {
  const j = new Array<string>();
  for (let i = 0; i < a.length; i++) j.push("\"" + jsonEscape(a[i]) + "\"");
  return "[" + j.join(",") + "]";
}

let askedAt: i64 = 0;

class Output implements SessionOutput {
  transition(from: i32, to: i32, reason: string): void {
    if (to != S_CONFIRMING) { micStop(); askDone(); }
    if (to == S_SCANNING) showScanning();
    else if (to == S_PAIRING) showMessage("pairing mode", "open the wallet on the phone");
    else if (to == S_DONE) showResult(SHOW_PAID, session.kind == K_PAIRING || session.kind == K_UNPAIR || session.kind == K_POLICY || session.kind == K_MANDATE
      ? reason : session.currency + " " + session.amount + " " + session.payee);
    else if (to == S_CANCELLED) showResult(SHOW_CANCELLED, reason);
    else if (to == S_FAILED) showResult(SHOW_FAILED, reason);
    pushEvent(new Json().str("type", "state").str("from", stateName(from)).str("to", stateName(to))
      .str("reason", reason).int("t_ms", nowMs).toString());
  }
  sendPayRequest(payload: Uint8Array, payee: string, amount: string, currency: string, phoneConfirm: bool, agent: AgentRef | null): void {
    if (agent == null) enqueueBody(msg.encodePayRequest(payload, payee, amount, currency, phoneConfirm));
    else {
      // An agent inside its mandate: no question, but the wearer sees what the agent pays.
      pushEvent(new Json().str("type", "agent_payment").str("payee", payee).str("amount", amount).str("currency", currency)
        .str("mandate", agent.mandateId).int("seq", agent.seq).toString());
      enqueueBody(msg.encodePayRequest(payload, payee, amount, currency, false, agent.mandateId, agent.seq, agent.signature));
    }
  }
  checkQuestion(): string {
    const missing = buildQuestion();
    if (missing.length > 0) return missing + " cannot be shown";
    const why = planQuestion(qLines, qLarge);
    return why.length > 0 ? why : "";
  }
  askCode(code: StaticArray<i32>, attempt: i32, deadlineMs: i64): i32 {
    const missing = buildQuestion();
    if (missing.length > 0) return E_STATE;
    if (planQuestion(qLines, qLarge).length > 0) return E_STATE;
    const words = codeWords(code);
    // A first pairing has no owner voice yet: the wearer confirms with the glasses' button instead.
    const byButton = session.kind == K_PAIRING && !micHasProfile();
    if (!byButton) {
      const st = micListenForCode(code[0], code[1], code[2], nowMs);
      if (st != OK) return st;
    }
    askedAt = nowMs;
    showAsk(words, <i32>deadlineMs, <i32>deadlineMs);
    const j = new Json().str("type", "confirm").str("what", kindWhat(session.kind)).raw("code", jsonStrings(words))
      .int("attempt", attempt).int("deadline_ms", deadlineMs).str("confirm_by", byButton ? "button" : "code");
    const k = session.kind;
    if (k == K_MANDATE) {
      const m = session.mandate!;
      j.str("agent", mandateAgentLabel(m)).str("currency", m.currency).str("per_payment", formatMinor(m.perPaymentMinor, m.currency))
        .str("budget", formatMinor(m.budgetMinor, m.currency)).int("expires", m.expiresMs).raw("payees", jsonStrings(m.payees));
    } else if (k == K_PAIRING || k == K_UNPAIR) {
      j.str("action", k == K_PAIRING ? "pair" : "unpair").str("phone", session.phoneName).str("comparison", session.comparison);
    } else if (k == K_POLICY) {
      j.str("currency", session.limitCurrency).str("quick", formatMinor(session.limitQuick, session.limitCurrency))
        .str("cap", formatMinor(session.limitCap, session.limitCurrency));
    } else {
      j.str("payee", session.payee).str("account", session.account).str("amount", session.amount).str("currency", session.currency)
        .bool("phone_confirm", session.decision.kind == 1).bool("agent", k == K_AGENT_ASK).str("reason", session.reason);
    }
    pushEvent(j.toString());
    return OK;
  }
  consentDone(result: string, reason: string): void {
    micStop();
    const j = new Json().str("type", "consent").str("result", result).str("reason", reason.length > 0 ? reason : result)
      .int("attempt", session.attempt).int("t_ms", nowMs);
    // the voice engine's own figures when it decided (not for timeouts, buttons or test-injected outcomes)
    if (reason.length > 0 && reason != "button" && reason != "timeout" && reason != "no_link") {
      j.num("speaker_score", Math.round(<f64>consentSpeakerScore() * 1000) / 1000).num("threshold", Math.round(<f64>consentThreshold() * 1000) / 1000)
        .str("speaker_model", consentSpeakerModel());
    }
    pushEvent(j.toString());
  }
  ledgerChanged(lockedNow: bool): void {
    saveLedger();
    if (lockedNow) pushEvent(new Json().str("type", "quick_pay_off").int("failures", session.ledger.failures)
      .str("message", "too many failed confirmations today: confirm the next payment on the phone").toString());
    pushEvent(new Json().str("type", "persist").int("generation", stateGeneration() + 1).toString());
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
    // An agent's reserved sequence and amount are saved with the counter, in the same blob.
    if (session.kind == K_AGENT) saveMandates();
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
  pairingConfirmed(): i32 {
    const s = signRegistration(session.regChallenge);
    if (s.status != OK) return s.status;
    const name = String.UTF8.encode(session.phoneName);
    const rec = new Uint8Array(1 + name.byteLength);
    rec[0] = <u8>name.byteLength;
    memory.copy(rec.dataStart + 1, changetype<usize>(name), name.byteLength);
    stateSet(SECTION_PAIRING, rec.dataStart, rec.length);
    enqueueBody(msg.encodeRegistration(credentialId(), CRED_ID_BYTES, s.authenticatorData, s.clientDataJSON, s.signature));
    pushEvent(new Json().str("type", "registration").str("phone", session.phoneName).toString());
    pushEvent(new Json().str("type", "persist").int("generation", stateGeneration() + 1).toString());
    return OK;
  }
  unpairConfirmed(): void { wipeAll("unpaired"); }
  policyConfirmed(currency: string, quickMinor: i64, capMinor: i64): i32 {
    if (!policy.set(currency, quickMinor, capMinor)) return E_STATE;
    savePolicy();
    pushEvent(new Json().str("type", "persist").int("generation", stateGeneration() + 1).toString());
    return OK;
  }
  noLink(): void {
    pushEvent(new Json().str("type", "no_link").str("message", "the paired phone did not answer: no link, no payment").toString());
  }
}

/** Wipes keys, voice profile, mandates, receipts, policy and pairing; a new identity replaces the old. */
function wipeAll(why: string): void {
  identityWipe();
  policy = Policy.defaults();
  session.policy = policy;
  session.mandates = new Array<Mandate>();
  session.ledger = new ConsentLedger();
  session.paired = false;
  pushEvent(new Json().str("type", "wiped").str("reason", why).toString());
  pushEvent(new Json().str("type", "persist").int("generation", stateGeneration() + 1).toString());
}

function saveLedger(): void {
  const b = session.ledger.serialize();
  stateSet(SECTION_CONSENT, b.dataStart, b.length);
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
  const lb = new Uint8Array(16);
  const ln = stateGet(SECTION_CONSENT, lb.dataStart, lb.length);
  session.ledger = ConsentLedger.deserialize(lb.dataStart, ln);
  const pb = new Uint8Array(1 + 64);
  const pn = stateGet(SECTION_PAIRING, pb.dataStart, pb.length);
  session.paired = pn >= 1;
  session.phoneName = pn >= 1 ? String.UTF8.decodeUnsafe(pb.dataStart + 1, min(<i32>pb[0], pn - 1)) : "";
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
 * A record whose first line is "v2" has the agent's name (1–32 bytes, shown on the HUD) on the next line.
 * Every term is shown on the HUD (paged); a term that cannot be shown whole refuses the mandate.
 */
export function payOpenMandate(p: usize, len: i32, tMs: i64): i32 {
  nowMs = tMs;
  let f = lines(p, len);
  let name = "";
  if (f.length > 0 && f[0] == "v2") {
    if (f.length < 2 || !msg.validPhoneName(f[1])) return E_STATE;
    name = f[1];
    f = f.slice(2);
  }
  if (f.length < 6) return E_STATE;
  const pub = hexToBytes(f[0]);
  if (pub == null || pub.length != 65 || pub[0] != 4) return E_STATE;
  const m = new Mandate();
  const id = new Uint8Array(8);
  if (randomBytes(id.dataStart, 8) != OK) return E_STATE;
  m.id = toHex(id.dataStart, 8);
  m.agentPub = pub;
  m.agentName = name;
  m.currency = f[1];
  m.perPaymentMinor = parseMinor(f[2], m.currency);
  m.budgetMinor = parseMinor(f[3], m.currency);
  m.expiresMs = I64.parseInt(f[4]);
  if (m.perPaymentMinor <= 0 || m.budgetMinor < m.perPaymentMinor || m.expiresMs <= tMs) return E_STATE;
  for (let i = 5; i < f.length; i++) {
    if (f[i].length == 0) continue;
    if (!printable(f[i]) || m.payees.length >= 8) return E_STATE;
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

/** A consent outcome (voice/consent.ts CONSENT_*) for the code on the HUD. */
export function payOnConsent(outcome: i32, tMs: i64, reason: string = ""): i32 {
  nowMs = tMs;
  return session.onConsent(outcome, reason, <i32>(tMs / DAY_MS), tMs);
}

/** The wearer opens pairing mode on the glasses. */
export function payPairBegin(tMs: i64): i32 {
  nowMs = tMs;
  const st = session.pairBegin(tMs);
  if (st != OK) pushEvent(new Json().str("type", "error").str("error", "pairing")
    .str("message", session.paired ? "already paired: unpair first (with the spoken code)" : "busy").toString());
  return st;
}

/** The wearer asks to unpair (the spoken code confirms; then everything is wiped). */
export function payUnpairBegin(tMs: i64): i32 { nowMs = tMs; return session.unpairBegin(tMs); }

/** A policy change from the device face: shown and confirmed with the spoken code before it applies. */
export function payChangeLimit(currency: string, quickMinor: i64, capMinor: i64, tMs: i64): i32 {
  nowMs = tMs;
  return session.changeLimit(currency, quickMinor, capMinor, tMs);
}

export const BUTTON_CONFIRM: i32 = 1;
export const BUTTON_CANCEL: i32 = 2;

/** The glasses' own buttons: confirm (first pairing only, before a voice profile exists) and cancel. */
export function payOnButton(id: i32, tMs: i64): i32 {
  nowMs = tMs;
  if (id == BUTTON_CONFIRM) return session.onButtonConfirm(tMs);
  if (id == BUTTON_CANCEL) return session.cancel("wearer cancelled", tMs);
  return OK;
}

export function payTick(tMs: i64): void {
  nowMs = tMs;
  if (reasm.tick(tMs) != OK) enqueueErrorFrame();
  session.tick(tMs);
  if (session.state == S_CONFIRMING) showAskTick(<i32>(tMs - askedAt), <i32>session.remaining(tMs), <i32>CONFIRM_TIMEOUT_MS);
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

function refuseLink(code: u8): void {
  const e = new Uint8Array(1);
  e[0] = code;
  enqueue(CMD_ERROR, e.dataStart, 1);
}

/**
 * A phone asks to register. Only in pairing mode (which the wearer opened) on an unpaired device, with a
 * base64url challenge of 16–64 bytes and a printable phone name: the glasses offer their new public key,
 * both sides show the comparison code, and the wearer confirms (the session) before anything is signed.
 */
function onRegistrationChallenge(challenge: string, phoneName: string, tMs: i64): i32 {
  if (session.state != S_PAIRING) {
    refuseLink(0x06);   // BUSY: not in pairing mode
    pushEvent(new Json().str("type", "link_error").str("error", session.paired ? "already_paired" : "not_pairing")
      .str("message", "registration refused: pairing needs the wearer to open pairing mode" + (session.paired ? " and unpair first" : "")).toString());
    return E_STATE;
  }
  const bytes = msg.decodeChallenge(challenge);
  if (bytes == null || !msg.validPhoneName(phoneName)) {
    refuseLink(0x02);
    pushEvent(new Json().str("type", "link_error").str("error", bytes == null ? "bad_challenge" : "bad_phone_name")
      .str("message", bytes == null ? "registration challenge must be base64url of 16-64 bytes" : "phone name must be 1-32 printable bytes").toString());
    return E_STATE;
  }
  enqueueBody(msg.encodePairingOffer(devicePublicKey()));
  return session.onRegistrationChallenge(challenge, phoneName, pairingComparison(bytes!, devicePublicKey()), tMs);
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
  if (m.type == msg.T_REG_CHALLENGE) return onRegistrationChallenge(m.challengeText, m.phoneName, tMs);
  if (m.type == msg.T_DISABLE) {
    if (!session.paired) return E_STATE;
    if (session.active) session.cancel("disabled by the phone", tMs);
    wipeAll("disabled_by_phone");
    showResult(SHOW_FAILED, "disabled by the phone");
    pushEvent(new Json().str("type", "disabled").str("message", "the wallet disabled these glasses: keys wiped").toString());
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

/** Sets one currency's limits (minor units) at once, without the wearer: test builds only (device/testhooks.ts). */
export function paySetLimitUnconfirmed(currency: string, quickMinor: i64, capMinor: i64): i32 {
  if (!policy.set(currency, quickMinor, capMinor)) return E_STATE;
  savePolicy();
  return OK;
}

/** The session's paired flag, for test builds that skip pairing (device/testhooks.ts). */
export function payMarkPaired(name: string): void {
  const n = String.UTF8.encode(name);
  const rec = new Uint8Array(1 + n.byteLength);
  rec[0] = <u8>n.byteLength;
  memory.copy(rec.dataStart + 1, changetype<usize>(n), n.byteLength);
  stateSet(SECTION_PAIRING, rec.dataStart, rec.length);
  session.paired = true;
  session.phoneName = name;
}
