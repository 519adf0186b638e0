// The payment session state machine (design.md §1):
//   idle → scanning → confirming → verifying → signing → awaiting-wallet → done | cancelled | failed
// Every state has a deadline driven by host ticks. "no"/"stop", a timeout, a failed voice check or a
// policy refusal ends the session; nothing is signed without an explicit "yes" with a verified voice
// (or an agent request inside a standing mandate). The counter is persisted before the assertion leaves:
// the signed message is held until the host confirms it has saved the state blob (statePersisted).
import { OK, E_STATE, E_PAYLOAD } from "../errors";
import { parsePayloadBytes, PayloadResult } from "./payload";
import { Policy, Decision, DECIDE_QUICK, DECIDE_PHONE_CONFIRM, DECIDE_REFUSE } from "./policy";
import { signPayment, signMandate, Signed, FLAG_UP, FLAG_UV } from "./assertion";
import { nextSignCount, identityReady } from "./identity";
import { sha256 } from "../crypto/sha256";
import { ecdsaVerifyDigest } from "../crypto/ecdsa";
import { base64url } from "../util/base64url";
import { Mandate, requestCanonical } from "./mandate";
import { parseMinor, formatMinor } from "./amount";

export const S_IDLE: i32 = 0;
export const S_SCANNING: i32 = 1;
export const S_CONFIRMING: i32 = 2;
export const S_VERIFYING: i32 = 3;
export const S_SIGNING: i32 = 4;
export const S_AWAITING_WALLET: i32 = 5;
export const S_DONE: i32 = 6;
export const S_CANCELLED: i32 = 7;
export const S_FAILED: i32 = 8;

export const SCAN_TIMEOUT_MS: i64 = 30000;
export const CONFIRM_TIMEOUT_MS: i64 = 15000;
export const WALLET_TIMEOUT_MS: i64 = 20000;

export function stateName(s: i32): string {
  switch (s) {
    case S_IDLE: return "idle";
    case S_SCANNING: return "scanning";
    case S_CONFIRMING: return "confirming";
    case S_VERIFYING: return "verifying";
    case S_SIGNING: return "signing";
    case S_AWAITING_WALLET: return "awaiting-wallet";
    case S_DONE: return "done";
    case S_CANCELLED: return "cancelled";
    case S_FAILED: return "failed";
  }
  return "unknown";
}

/** What the session asks of the outside world; device/pay glue implements it (link, HUD, events). */
/** What a session is about. */
export const K_PAYMENT: i32 = 0;   // a scanned merchant code, confirmed by the wearer
export const K_AGENT: i32 = 1;     // an agent's request inside a standing mandate: no wearer needed
export const K_AGENT_ASK: i32 = 2; // an agent's request outside its mandate: the wearer decides
export const K_MANDATE: i32 = 3;   // the wearer opens a mandate for an agent

export interface SessionOutput {
  transition(from: i32, to: i32, reason: string): void;
  /** agent: null for the wearer's own payments; else the mandate id, sequence and agent signature. */
  sendPayRequest(payload: Uint8Array, payee: string, amount: string, currency: string, phoneConfirm: bool,
                 agent: AgentRef | null): void;
  /** The wearer agreed to a mandate: it is signed and must be stored and sent to the wallet. */
  mandateSigned(m: Mandate): void;
  /** Draws the question on the HUD; false when it cannot be shown whole (then it must not be asked). */
  showQuestion(payee: string, amount: string, currency: string): bool;
  /** The signed assertion is ready; it must be sent only once the state is persisted. */
  assertionReady(orderId: string, signed: Signed): void;
  sendCancel(orderId: string, reason: string): void;
  keepalive(waitingForVoice: bool): void;
}

export class AgentRef {
  constructor(public mandateId: string, public seq: i64, public signature: Uint8Array) {}
}

export class Session {
  state: i32 = S_IDLE;
  kind: i32 = K_PAYMENT;
  payee: string = "";
  amount: string = "";
  currency: string = "";
  agent: AgentRef | null = null;
  mandate: Mandate | null = null;
  reason: string = "";
  deadline: i64 = 0;
  payload: Uint8Array = new Uint8Array(0);
  parsed: PayloadResult | null = null;
  amountMinor: i64 = 0;
  decision: Decision = new Decision(DECIDE_REFUSE, "");
  orderId: string = "";
  challenge: Uint8Array = new Uint8Array(0);
  saidYes: bool = false;
  voiceVerified: bool = false;
  signCount: u32 = 0;
  lastKeepalive: i64 = 0;

  mandates: Mandate[] = [];

  constructor(public policy: Policy, public out: SessionOutput) {}

  findMandate(id: string): Mandate | null {
    for (let i = 0; i < this.mandates.length; i++) if (this.mandates[i].id == id) return this.mandates[i];
    return null;
  }

  private reset(kind: i32): void {
    this.kind = kind;
    this.payload = new Uint8Array(0);
    this.parsed = null;
    this.orderId = "";
    this.challenge = new Uint8Array(0);
    this.saidYes = false;
    this.voiceVerified = false;
    this.agent = null;
    this.mandate = null;
  }

  private go(to: i32, reason: string, tMs: i64, timeout: i64 = 0): void {
    const from = this.state;
    this.state = to;
    this.reason = reason;
    this.deadline = timeout > 0 ? tMs + timeout : 0;
    this.out.transition(from, to, reason);
  }

  get active(): bool { return this.state >= S_SCANNING && this.state <= S_AWAITING_WALLET; }

  /** Starts looking for a payment code. */
  start(tMs: i64): i32 {
    if (this.active) return E_STATE;
    this.reset(K_PAYMENT);
    this.go(S_SCANNING, "", tMs, SCAN_TIMEOUT_MS);
    return OK;
  }

  /** A QR code was decoded while scanning. Bad payloads and policy refusals end the session. */
  onQr(bytes: Uint8Array, day: i32, tMs: i64): i32 {
    if (this.state != S_SCANNING) return E_STATE;
    const r = parsePayloadBytes(bytes.dataStart, bytes.length);
    this.payload = bytes;
    this.parsed = r;
    if (!r.valid) { this.go(S_FAILED, "payload: " + (r.error != null ? r.error! : "invalid"), tMs); return E_PAYLOAD; }
    if (r.merchantName == null || r.currency == null || r.amount == null || r.amountMinor == null) {
      this.go(S_FAILED, "payload: no amount, currency or payee to confirm", tMs);
      return E_PAYLOAD;
    }
    this.amountMinor = I64.parseInt(r.amountMinor!);
    this.payee = r.merchantName!;
    this.amount = r.amount!;
    this.currency = r.currency!;
    return this.ask(day, tMs);
  }

  /** Policy, then the pay request to the wallet, then the wearer is asked. */
  private ask(day: i32, tMs: i64): i32 {
    this.decision = this.policy.decide(this.currency, this.amountMinor, day);
    if (this.decision.kind == DECIDE_REFUSE) { this.go(S_FAILED, "policy: " + this.decision.reason, tMs); return OK; }
    if (!this.out.showQuestion(this.payee, this.amount, this.currency)) { this.go(S_FAILED, "amount cannot be shown in full", tMs); return OK; }
    this.out.sendPayRequest(this.payload, this.payee, this.amount, this.currency, this.decision.kind == DECIDE_PHONE_CONFIRM, null);
    this.go(S_CONFIRMING, this.kind == K_AGENT_ASK ? this.reason : this.decision.reason, tMs, CONFIRM_TIMEOUT_MS);
    return OK;
  }

  /**
   * An AI agent asks to pay. The request text is rebuilt here from its fields, so the agent's signature
   * covers exactly what is shown and signed. Inside its mandate it is approved without the wearer (and shown
   * on the HUD); outside, the wearer is asked as for a scanned code, with the reason.
   */
  onAgentRequest(mandateId: string, seq: i64, payee: string, amount: string, currency: string, agentSig: Uint8Array,
                 day: i32, tMs: i64): i32 {
    if (this.active) return E_STATE;
    this.reset(K_AGENT);
    const text = requestCanonical(mandateId, seq, payee, amount, currency);
    this.payload = Uint8Array.wrap(String.UTF8.encode(text));
    this.payee = payee;
    this.amount = amount;
    this.currency = currency;
    this.amountMinor = parseMinor(amount, currency);
    if (this.amountMinor <= 0) { this.go(S_FAILED, "agent: bad amount", tMs); return E_PAYLOAD; }
    const m = this.findMandate(mandateId);
    let outside = "";
    if (m == null) outside = "unknown_mandate";
    else {
      const h = new Uint8Array(32);
      sha256(h.dataStart, this.payload.dataStart, <usize>this.payload.length);
      if (agentSig.length != 64 || ecdsaVerifyDigest(m.agentPub.dataStart, 65, h.dataStart, agentSig.dataStart) != OK) outside = "bad_agent_signature";
      else outside = m.check(seq, payee, this.amountMinor, currency, tMs);
    }
    if (outside.length > 0) {
      // Outside the mandate: the wearer decides, exactly as for a code they scanned.
      this.kind = K_AGENT_ASK;
      this.reason = "agent outside mandate: " + outside;
      return this.ask(day, tMs);
    }
    this.mandate = m;
    this.agent = new AgentRef(mandateId, seq, agentSig);
    this.saidYes = true;   // the standing mandate is the consent
    this.out.sendPayRequest(this.payload, payee, amount, currency, false, this.agent);
    this.go(S_CONFIRMING, "agent inside mandate " + mandateId, tMs, CONFIRM_TIMEOUT_MS);
    return OK;
  }

  /** The wearer is asked to open a mandate for an agent; "yes" with a verified voice signs it. */
  openMandate(m: Mandate, tMs: i64): i32 {
    if (this.active) return E_STATE;
    if (this.mandates.length >= 4) return E_STATE;
    this.reset(K_MANDATE);
    this.mandate = m;
    this.payee = m.payees.join(", ");
    this.amount = formatBudget(m);
    this.currency = m.currency;
    this.go(S_CONFIRMING, "open mandate", tMs, CONFIRM_TIMEOUT_MS);
    return OK;
  }

  /** The wallet's challenge for this payment: nonce ‖ SHA-256(payload); the suffix must match our scan. */
  onChallenge(orderId: string, challenge: Uint8Array, tMs: i64): i32 {
    if (this.state != S_CONFIRMING && this.state != S_VERIFYING) return E_STATE;
    if (this.kind == K_MANDATE) return E_STATE;
    if (challenge.length < 16 + 32) { this.fail("wallet: challenge too short", tMs); return E_STATE; }
    const h = new Uint8Array(32);
    sha256(h.dataStart, this.payload.dataStart, <usize>this.payload.length);
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= h[i] ^ challenge[challenge.length - 32 + i];
    if (diff != 0) { this.fail("wallet: challenge does not bind the scanned code", tMs); return E_STATE; }
    this.orderId = orderId;
    this.challenge = challenge;
    return this.maybeSign(tMs);
  }

  /**
   * A keyword from the voice engine. "yes" with a verified owner's voice confirms; "no"/"stop" cancel;
   * "yes" from a voice that is not the owner's fails the session.
   */
  onKeyword(keyword: string, ownerVerified: bool, tMs: i64): i32 {
    if (this.state != S_CONFIRMING) return E_STATE;
    if (this.kind == K_AGENT && keyword == "yes") return OK;   // approved by the mandate already
    if (keyword == "no" || keyword == "stop") {
      this.out.sendCancel(this.orderId, "wearer_said_" + keyword);
      this.go(S_CANCELLED, "wearer said " + keyword, tMs);
      return OK;
    }
    if (keyword != "yes") return OK;
    this.go(S_VERIFYING, "", tMs, CONFIRM_TIMEOUT_MS);
    if (!ownerVerified) { this.fail("voice not verified as the owner's", tMs); return OK; }
    this.saidYes = true;
    this.voiceVerified = true;
    return this.maybeSign(tMs);
  }

  private maybeSign(tMs: i64): i32 {
    const agent = this.kind == K_AGENT;
    if (!this.saidYes || (!agent && !this.voiceVerified)) return OK;
    if (!identityReady()) { this.fail("device identity missing", tMs); return E_STATE; }
    if (this.kind == K_MANDATE) {
      this.go(S_SIGNING, "", tMs, CONFIRM_TIMEOUT_MS);
      const m = this.mandate!;
      const sig = signMandate(m.canonical());
      if (sig.length == 0) { this.fail("signing failed", tMs); return E_STATE; }
      m.deviceSig = sig;
      this.mandates.push(m);
      this.out.mandateSigned(m);
      this.go(S_DONE, "mandate " + m.id + " opened", tMs);
      return OK;
    }
    if (this.challenge.length == 0) return OK;
    this.go(S_SIGNING, "", tMs, CONFIRM_TIMEOUT_MS);
    this.signCount = nextSignCount();
    // An agent inside its mandate signs with neither UP nor UV: nobody was present, and the wallet knows it.
    const flags: u8 = agent ? 0 : FLAG_UP | FLAG_UV;
    const s = signPayment(base64url(this.challenge.dataStart, this.challenge.length), this.payee, this.amount, this.currency,
      flags, this.signCount);
    if (s.status != OK) { this.fail("signing failed", tMs); return s.status; }
    this.out.assertionReady(this.orderId, s);
    this.go(S_AWAITING_WALLET, this.decision.kind == DECIDE_QUICK ? "" : "phone confirmation needed", tMs, WALLET_TIMEOUT_MS);
    return OK;
  }

  /** The wallet's verdict. */
  onReceipt(orderId: string, ok: bool, detail: string, day: i32, tMs: i64): i32 {
    // The wallet may refuse a request before it makes an order (no challenge yet, empty orderId).
    if (!ok && orderId.length == 0 && this.orderId.length == 0 && (this.state == S_CONFIRMING || this.state == S_VERIFYING)) {
      this.go(S_FAILED, "wallet: " + detail, tMs);
      return OK;
    }
    if (this.state != S_AWAITING_WALLET || orderId != this.orderId) return E_STATE;
    if (ok) {
      this.policy.record(this.currency, this.amountMinor, day);
      if (this.kind == K_AGENT) this.mandate!.spend(this.agent!.seq, this.amountMinor);
      this.go(S_DONE, detail, tMs);
    } else {
      this.go(S_FAILED, "wallet: " + detail, tMs);
    }
    return OK;
  }

  /** The wallet or the wearer (button) cancels. */
  cancel(reason: string, tMs: i64): i32 {
    if (!this.active) return E_STATE;
    this.out.sendCancel(this.orderId, reason);
    this.go(S_CANCELLED, reason, tMs);
    return OK;
  }

  private fail(reason: string, tMs: i64): void {
    if (this.state >= S_CONFIRMING) this.out.sendCancel(this.orderId, reason);
    this.go(S_FAILED, reason, tMs);
  }

  /** Time passes: deadlines, and a KEEPALIVE each second while the wallet waits for the wearer. */
  tick(tMs: i64): void {
    if (!this.active) return;
    if (this.deadline > 0 && tMs >= this.deadline) {
      const what = this.state == S_SCANNING ? "no payment code seen" :
        this.state == S_AWAITING_WALLET ? "wallet did not answer" : "no answer from the wearer";
      if (this.state >= S_CONFIRMING) this.out.sendCancel(this.orderId, "timeout");
      this.go(this.state == S_AWAITING_WALLET ? S_FAILED : S_CANCELLED, "timeout: " + what, tMs);
      return;
    }
    if ((this.state == S_CONFIRMING || this.state == S_VERIFYING) && tMs - this.lastKeepalive >= 1000) {
      this.lastKeepalive = tMs;
      this.out.keepalive(true);
    }
  }

  /** Milliseconds left before the current deadline (for the HUD countdown). */
  remaining(tMs: i64): i64 { return this.deadline > tMs ? this.deadline - tMs : 0; }
}

function formatBudget(m: Mandate): string {
  return "up to " + formatMinorSafe(m.perPaymentMinor, m.currency) + " each, " + formatMinorSafe(m.budgetMinor, m.currency) + " in all";
}

function formatMinorSafe(v: i64, c: string): string { const s = formatMinor(v, c); return s.length > 0 ? s : v.toString(); }
