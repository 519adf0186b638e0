// The payment session state machine (design.md §1):
//   idle → scanning → confirming → verifying → signing → awaiting-wallet → done | cancelled | failed
//   idle → pairing → confirming → signing → done (pairing mode, opened by the wearer)
// Every confirmation (payment, agent mandate, pairing, unpairing, policy change, an agent request outside
// its mandate) shows a fresh code of CODE_LENGTH words drawn from the firmware DRBG; the session signs or
// applies only when the consent engine reports the whole code heard in order in the owner's voice
// (CONSENT_ACCEPTED). "no"/"stop" cancels; a wrong code or a failed voice check gets one new code, then the
// session ends; failures count per day (5: quick pay off until a phone-confirmed payment). Every state has a
// deadline driven by host ticks. The counter is persisted before the assertion leaves: the signed message is
// held until the host confirms it has saved the state blob (statePersisted).
import { OK, E_STATE, E_PAYLOAD, E_CRYPTO, E_VOICE_PROFILE } from "../errors";
import { parsePayloadBytes, PayloadResult } from "./payload";
import { Policy, Decision, ConsentLedger, DECIDE_QUICK, DECIDE_PHONE_CONFIRM, DECIDE_REFUSE } from "./policy";
import { signPayment, signMandate, Signed, FLAG_UP, FLAG_UV } from "./assertion";
import { nextSignCount, identityReady } from "./identity";
import { sha256 } from "../crypto/sha256";
import { ecdsaVerifyDigest } from "../crypto/ecdsa";
import { base64url } from "../util/base64url";
import { Mandate, requestCanonical, MAX_MANDATES } from "./mandate";
import { parseMinor } from "./amount";
import { randomBytes } from "../crypto/drbg";
import { CODE_LENGTH, CODE_VOCAB_SIZE } from "../voice/code-words";
import { CONSENT_PENDING, CONSENT_ACCEPTED, CONSENT_WRONG_CODE, CONSENT_REFUSED,
  CONSENT_VOICE_MISMATCH, CONSENT_NO_PROFILE } from "../voice/consent";

// a stored profile of an older speaker model counts as none (device/sensors.ts ownerProfileStored)
const NO_OWNER = "no enrolled owner (or a voice profile from an older firmware): enrol the owner's voice first";

export const S_IDLE: i32 = 0;
export const S_SCANNING: i32 = 1;
export const S_CONFIRMING: i32 = 2;
export const S_VERIFYING: i32 = 3;
export const S_SIGNING: i32 = 4;
export const S_AWAITING_WALLET: i32 = 5;
export const S_DONE: i32 = 6;
export const S_CANCELLED: i32 = 7;
export const S_FAILED: i32 = 8;
export const S_PAIRING: i32 = 9;       // pairing mode: waiting for the phone's registration challenge

export const SCAN_TIMEOUT_MS: i64 = 30000;
export const CONFIRM_TIMEOUT_MS: i64 = 15000;
export const WALLET_TIMEOUT_MS: i64 = 20000;
export const PAIRING_TIMEOUT_MS: i64 = 60000;
/** No CHALLENGE from the phone this long after the pay request: no link, no payment. */
export const LINK_WAIT_MS: i64 = 5000;
/** A wrong code (or a failed voice check) shows one new code; the second failure ends the session. */
export const MAX_CODE_ATTEMPTS: i32 = 2;

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
    case S_PAIRING: return "pairing";
  }
  return "unknown";
}

/** What a session is about. */
export const K_PAYMENT: i32 = 0;   // a scanned merchant code, confirmed by the wearer
export const K_AGENT: i32 = 1;     // an agent's request inside a standing mandate: no wearer needed
export const K_AGENT_ASK: i32 = 2; // an agent's request outside its mandate: the wearer decides
export const K_MANDATE: i32 = 3;   // the wearer opens a mandate for an agent
export const K_PAIRING: i32 = 4;   // the wearer pairs the glasses with a phone
export const K_UNPAIR: i32 = 5;    // the wearer unpairs (wipes keys, voice profile, mandates, receipts)
export const K_POLICY: i32 = 6;    // the wearer changes a spending limit

/** The confirm event's "what" for a kind. */
export function kindWhat(kind: i32): string {
  if (kind == K_MANDATE) return "mandate";
  if (kind == K_PAIRING || kind == K_UNPAIR) return "pairing";
  if (kind == K_POLICY) return "policy";
  return "payment";
}

/** What the session asks of the outside world; device/payflow.ts implements it (link, HUD, events, mic). */
export interface SessionOutput {
  transition(from: i32, to: i32, reason: string): void;
  /** agent: null for the wearer's own payments; else the mandate id, sequence and agent signature. */
  sendPayRequest(payload: Uint8Array, payee: string, amount: string, currency: string, phoneConfirm: bool,
                 agent: AgentRef | null): void;
  /** The wearer agreed to a mandate: it is signed and must be stored and sent to the wallet. */
  mandateSigned(m: Mandate): void;
  /** Checks that every term of the question can be drawn whole; "" when it can, else the reason. */
  checkQuestion(): string;
  /**
   * Shows the question with this code (HUD), pushes the confirm event and starts listening for the code.
   * Returns OK, or a status (e.g. E_VOICE_PROFILE: no enrolled owner) when the wearer cannot be asked.
   */
  askCode(code: StaticArray<i32>, attempt: i32, deadlineMs: i64): i32;
  /** The consent outcome is known (the mic stops). result: accepted|wrong_code|refused|voice_mismatch|timeout|no_profile */
  consentDone(result: string, reason: string): void;
  /** The daily failure count changed (persist it); locked: quick pay just went off. */
  ledgerChanged(lockedNow: bool): void;
  /** The signed assertion is ready; it must be sent only once the state is persisted. */
  assertionReady(orderId: string, signed: Signed): void;
  sendCancel(orderId: string, reason: string): void;
  keepalive(waitingForVoice: bool): void;
  /** The wearer confirmed pairing with this phone: register (sign the challenge) and store the pairing. */
  pairingConfirmed(): i32;
  /** The wearer confirmed unpairing: wipe keys, voice profile, mandates, receipts, pairing. */
  unpairConfirmed(): void;
  /** The wearer confirmed a policy change: apply and save it. */
  policyConfirmed(currency: string, quickMinor: i64, capMinor: i64): i32;
  /** The phone did not answer a pay request: no link, no payment. */
  noLink(): void;
}

export class AgentRef {
  constructor(public mandateId: string, public seq: i64, public signature: Uint8Array) {}
}

const codeByte: usize = memory.data(1);

/** Draws a fresh code of CODE_LENGTH words from the firmware DRBG (never from host input), without bias. */
export function drawCode(out: StaticArray<i32>): i32 {
  const limit = 256 - 256 % CODE_VOCAB_SIZE;
  const b = codeByte;
  for (let i = 0; i < CODE_LENGTH; i++) {
    let v = 255;
    do {
      if (randomBytes(b, 1) != OK) return E_CRYPTO;
      v = <i32>load<u8>(b);
    } while (v >= limit);
    out[i] = v % CODE_VOCAB_SIZE;
  }
  return OK;
}

export function consentResultName(outcome: i32): string {
  switch (outcome) {
    case CONSENT_ACCEPTED: return "accepted";
    case CONSENT_WRONG_CODE: return "wrong_code";
    case CONSENT_REFUSED: return "refused";
    case CONSENT_VOICE_MISMATCH: return "voice_mismatch";
    case CONSENT_NO_PROFILE: return "no_profile";
  }
  return "pending";
}

export class Session {
  state: i32 = S_IDLE;
  kind: i32 = K_PAYMENT;
  payee: string = "";
  account: string = "";
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
  /** The wearer said the code, whole, in order, in the owner's voice, in this session (UP and UV). */
  wearerActed: bool = false;
  signCount: u32 = 0;
  lastKeepalive: i64 = 0;
  requestSentAt: i64 = -1;
  // the spoken code
  code: StaticArray<i32> = new StaticArray<i32>(CODE_LENGTH);
  attempt: i32 = 0;
  // pairing
  phoneName: string = "";
  comparison: string = "";
  regChallenge: string = "";
  // policy change
  limitCurrency: string = "";
  limitQuick: i64 = 0;
  limitCap: i64 = 0;

  mandates: Mandate[] = [];
  ledger: ConsentLedger = new ConsentLedger();
  paired: bool = false;

  constructor(public policy: Policy, public out: SessionOutput) {}

  findMandate(id: string): Mandate | null {
    for (let i = 0; i < this.mandates.length; i++) if (this.mandates[i].id == id) return this.mandates[i];
    return null;
  }

  private reset(kind: i32): void {
    this.kind = kind;
    this.payload = new Uint8Array(0);
    this.parsed = null;
    this.payee = "";
    this.account = "";
    this.amount = "";
    this.currency = "";
    this.orderId = "";
    this.challenge = new Uint8Array(0);
    this.wearerActed = false;
    this.agent = null;
    this.mandate = null;
    this.attempt = 0;
    this.requestSentAt = -1;
    this.phoneName = "";
    this.comparison = "";
    this.regChallenge = "";
  }

  private go(to: i32, reason: string, tMs: i64, timeout: i64 = 0): void {
    const from = this.state;
    this.state = to;
    this.reason = reason;
    this.deadline = timeout > 0 ? tMs + timeout : 0;
    this.out.transition(from, to, reason);
  }

  get active(): bool { return (this.state >= S_SCANNING && this.state <= S_AWAITING_WALLET) || this.state == S_PAIRING; }

  /** Starts looking for a payment code. Payments need a paired phone. */
  start(tMs: i64): i32 {
    if (this.active) return E_STATE;
    this.reset(K_PAYMENT);
    if (!this.paired) { this.go(S_FAILED, "not paired with a phone: pair first (no link, no payment)", tMs); return E_STATE; }
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
    this.account = payloadAccount(r);
    this.amount = r.amount!;
    this.currency = r.currency!;
    return this.ask(day, tMs);
  }

  /** Policy, then the pay request to the wallet, then the wearer is asked for the code. */
  private ask(day: i32, tMs: i64): i32 {
    this.decision = this.policy.decide(this.currency, this.amountMinor, day);
    if (this.decision.kind == DECIDE_REFUSE) { this.go(S_FAILED, "policy: " + this.decision.reason, tMs); return OK; }
    if (this.decision.kind == DECIDE_QUICK && this.ledger.locked) {
      this.decision = new Decision(DECIDE_PHONE_CONFIRM, "quick_pay_off_after_failed_confirmations");
    }
    const why = this.out.checkQuestion();
    if (why.length > 0) { this.go(S_FAILED, "cannot show: " + why, tMs); return OK; }
    this.out.sendPayRequest(this.payload, this.payee, this.amount, this.currency, this.decision.kind == DECIDE_PHONE_CONFIRM, null);
    this.requestSentAt = tMs;
    return this.askCode(this.kind == K_AGENT_ASK ? this.reason : this.decision.reason, tMs);
  }

  /** Draws a fresh code, shows it and listens (attempt 1, or 2 after a failure). */
  private askCode(reason: string, tMs: i64): i32 {
    this.attempt++;
    if (drawCode(this.code) != OK) { this.fail("random source failed", tMs); return E_CRYPTO; }
    this.go(S_CONFIRMING, reason, tMs, CONFIRM_TIMEOUT_MS);
    const st = this.out.askCode(this.code, this.attempt, CONFIRM_TIMEOUT_MS);
    if (st != OK) {
      this.out.consentDone("no_profile", "no_profile");
      this.fail(st == E_VOICE_PROFILE ? NO_OWNER : "cannot listen for the code", tMs);
      return st;
    }
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
    if (!this.paired) { this.go(S_FAILED, "not paired with a phone (no link, no payment)", tMs); return E_STATE; }
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
    this.out.sendPayRequest(this.payload, payee, amount, currency, false, this.agent);
    this.requestSentAt = tMs;
    this.go(S_VERIFYING, "agent inside mandate " + mandateId, tMs, CONFIRM_TIMEOUT_MS);
    return OK;
  }

  /** The wearer is asked to open a mandate for an agent; the spoken code signs it. */
  openMandate(m: Mandate, tMs: i64): i32 {
    if (this.active) return E_STATE;
    if (this.mandates.length >= MAX_MANDATES) return E_STATE;
    this.reset(K_MANDATE);
    this.mandate = m;
    this.currency = m.currency;
    const why = this.out.checkQuestion();
    if (why.length > 0) { this.go(S_FAILED, "cannot show: " + why, tMs); return E_STATE; }
    return this.askCode("open mandate", tMs);
  }

  /** The wearer opens pairing mode on the glasses; refused while paired (unpair first). */
  pairBegin(tMs: i64): i32 {
    if (this.active) return E_STATE;
    if (this.paired) return E_STATE;
    this.reset(K_PAIRING);
    this.go(S_PAIRING, "waiting for the phone", tMs, PAIRING_TIMEOUT_MS);
    return OK;
  }

  /** The phone's registration challenge, in pairing mode only; the wearer then compares and confirms. */
  onRegistrationChallenge(challenge: string, phoneName: string, comparison: string, tMs: i64): i32 {
    if (this.state != S_PAIRING) return E_STATE;
    this.regChallenge = challenge;
    this.phoneName = phoneName;
    this.comparison = comparison;
    return this.askCode("pair with " + phoneName, tMs);
  }

  /** The wearer asks to unpair; the spoken code confirms (then everything is wiped). */
  unpairBegin(tMs: i64): i32 {
    if (this.active || !this.paired) return E_STATE;
    this.reset(K_UNPAIR);
    return this.askCode("unpair", tMs);
  }

  /** A policy change from the device face: applied only after the wearer says the code. */
  changeLimit(currency: string, quickMinor: i64, capMinor: i64, tMs: i64): i32 {
    if (this.active) return E_STATE;
    if (currency.length != 3 || quickMinor < 0 || capMinor < quickMinor) return E_STATE;
    this.reset(K_POLICY);
    this.limitCurrency = currency;
    this.limitQuick = quickMinor;
    this.limitCap = capMinor;
    this.currency = currency;
    const why = this.out.checkQuestion();
    if (why.length > 0) { this.go(S_FAILED, "cannot show: " + why, tMs); return E_STATE; }
    return this.askCode("change limit", tMs);
  }

  /** The wallet's challenge for this payment: nonce ‖ SHA-256(payload); the suffix must match our scan. */
  onChallenge(orderId: string, challenge: Uint8Array, tMs: i64): i32 {
    if (this.state != S_CONFIRMING && this.state != S_VERIFYING) return E_STATE;
    if (this.kind != K_PAYMENT && this.kind != K_AGENT && this.kind != K_AGENT_ASK) return E_STATE;
    if (this.challenge.length > 0) return E_STATE;
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
   * The consent outcome for the code on the HUD (voice/consent.ts CONSENT_*). Only ACCEPTED lets the
   * session sign; REFUSED ("no"/"stop") cancels; a wrong code or a failed voice check shows one new code,
   * then ends the session; every such failure counts towards the day's lockout.
   */
  onConsent(outcome: i32, why: string, day: i32, tMs: i64): i32 {
    if (this.state != S_CONFIRMING || this.kind == K_AGENT) return E_STATE;
    if (outcome == CONSENT_PENDING) return OK;
    this.out.consentDone(consentResultName(outcome), why);
    if (outcome == CONSENT_REFUSED) {
      const word = why == "no" || why == "stop" ? why : "";
      this.out.sendCancel(this.orderId, word.length > 0 ? "wearer_said_" + word : "wearer_refused");
      this.go(S_CANCELLED, word.length > 0 ? "wearer said " + word : "wearer refused", tMs);
      return OK;
    }
    if (outcome == CONSENT_NO_PROFILE) { this.fail(NO_OWNER, tMs); return OK; }
    if (outcome == CONSENT_WRONG_CODE || outcome == CONSENT_VOICE_MISMATCH) {
      const what = outcome == CONSENT_WRONG_CODE ? "wrong code" : "voice not verified as the owner's";
      this.out.ledgerChanged(this.ledger.fail(day));
      if (this.attempt < MAX_CODE_ATTEMPTS) return this.askCode(what + ": new code", tMs);
      this.fail(what + " (second attempt)", tMs);
      return OK;
    }
    if (outcome != CONSENT_ACCEPTED) return E_STATE;
    this.wearerActed = true;
    return this.afterConsent(tMs);
  }

  /** The glasses' confirm button: only for a first pairing, before any voice profile exists. */
  onButtonConfirm(tMs: i64): i32 {
    if (this.state != S_CONFIRMING || this.kind != K_PAIRING) return E_STATE;
    this.out.consentDone("accepted", "button");
    this.wearerActed = true;
    return this.afterConsent(tMs);
  }

  private afterConsent(tMs: i64): i32 {
    if (this.kind == K_PAIRING) {
      this.go(S_SIGNING, "", tMs, CONFIRM_TIMEOUT_MS);
      const st = this.out.pairingConfirmed();
      if (st != OK) { this.fail("pairing failed", tMs); return st; }
      this.paired = true;
      this.go(S_DONE, "paired with " + this.phoneName, tMs);
      return OK;
    }
    if (this.kind == K_UNPAIR) {
      this.out.unpairConfirmed();
      this.paired = false;
      this.go(S_DONE, "unpaired: keys, voice profile, mandates and receipts wiped", tMs);
      return OK;
    }
    if (this.kind == K_POLICY) {
      const st = this.out.policyConfirmed(this.limitCurrency, this.limitQuick, this.limitCap);
      if (st != OK) { this.fail("policy change refused", tMs); return st; }
      this.go(S_DONE, "limit changed", tMs);
      return OK;
    }
    this.go(S_VERIFYING, "", tMs, CONFIRM_TIMEOUT_MS);
    return this.maybeSign(tMs);
  }

  private maybeSign(tMs: i64): i32 {
    const agent = this.kind == K_AGENT;
    if (!agent && !this.wearerActed) return OK;
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
    // An agent's sequence and amount are reserved now, persisted with the counter: a request resent
    // without receipts cannot get a second assertion.
    if (agent) this.mandate!.spend(this.agent!.seq, this.amountMinor);
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
      this.out.sendCancel("", "wallet_refused");
      this.go(S_FAILED, "wallet: " + detail, tMs);
      return OK;
    }
    if (this.state != S_AWAITING_WALLET || orderId != this.orderId) return E_STATE;
    if (ok) {
      this.policy.record(this.currency, this.amountMinor, day);
      // The wearer confirmed on the phone: quick pay comes back on.
      if (this.decision.kind == DECIDE_PHONE_CONFIRM && this.ledger.locked) { this.ledger.clearLockout(); this.out.ledgerChanged(false); }
      this.go(S_DONE, detail, tMs);
    } else {
      this.go(S_FAILED, "wallet: " + detail, tMs);
    }
    return OK;
  }

  /** The wallet or the wearer (button) cancels. */
  cancel(reason: string, tMs: i64): i32 {
    if (!this.active) return E_STATE;
    if (this.state == S_CONFIRMING) this.out.consentDone("refused", reason);
    this.out.sendCancel(this.orderId, reason);
    this.go(S_CANCELLED, reason, tMs);
    return OK;
  }

  private fail(reason: string, tMs: i64): void {
    if (this.state >= S_CONFIRMING && this.state != S_PAIRING) this.out.sendCancel(this.orderId, reason);
    this.go(S_FAILED, reason, tMs);
  }

  private needsWallet(): bool { return this.kind == K_PAYMENT || this.kind == K_AGENT || this.kind == K_AGENT_ASK; }

  /** Time passes: deadlines, the link watchdog, and a KEEPALIVE each second while the wallet waits. */
  tick(tMs: i64): void {
    if (!this.active) return;
    if ((this.state == S_CONFIRMING || this.state == S_VERIFYING) && this.needsWallet() && this.challenge.length == 0 &&
        this.requestSentAt >= 0 && tMs - this.requestSentAt >= LINK_WAIT_MS) {
      if (this.state == S_CONFIRMING) this.out.consentDone("timeout", "no_link");
      this.out.noLink();
      this.go(S_FAILED, "no link: the paired phone did not answer (no link, no payment)", tMs);
      return;
    }
    if (this.deadline > 0 && tMs >= this.deadline) {
      const what = this.state == S_SCANNING ? "no payment code seen" : this.state == S_PAIRING ? "no phone asked to pair" :
        this.state == S_AWAITING_WALLET ? "wallet did not answer" : "no answer from the wearer";
      if (this.state == S_CONFIRMING) this.out.consentDone("timeout", "timeout");
      if (this.state >= S_CONFIRMING && this.state != S_PAIRING) this.out.sendCancel(this.orderId, "timeout");
      this.go(this.state == S_AWAITING_WALLET ? S_FAILED : S_CANCELLED, "timeout: " + what, tMs);
      return;
    }
    if ((this.state == S_CONFIRMING || this.state == S_VERIFYING) && this.needsWallet() && tMs - this.lastKeepalive >= 1000) {
      this.lastKeepalive = tMs;
      this.out.keepalive(true);
    }
  }

  /** Milliseconds left before the current deadline (for the HUD countdown). */
  remaining(tMs: i64): i64 { return this.deadline > tMs ? this.deadline - tMs : 0; }
}

/** The payee's account as the scheme names it (UPI pa, EMV merchant account); "" when the payload has none. */
function payloadAccount(r: PayloadResult): string {
  if (r.account != null) return r.account!;
  if (r.payeeAddress != null) return r.payeeAddress!;
  return "";
}
