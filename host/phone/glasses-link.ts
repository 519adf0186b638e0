// The phone's end of the glasses link: CTAP-BLE-shaped fragments carrying CBOR messages
// (assembly/pay/messages.ts describes the bodies), translated into Wallet calls. This is the phone's own
// code (a separate system from the glasses), so it has its own framing and CBOR, shared with nothing
// in the firmware.
import { createHash } from "node:crypto";
import { cborDecode, cborEncode, type CborValue } from "./cbor.ts";
import { b64u, parseAuthenticatorData } from "./wire.ts";
import type { Wallet, PaymentResult, AgentRefusal, MandateRefusal } from "./wallet.ts";

export const CMD_PING = 0x81, CMD_KEEPALIVE = 0x82, CMD_MSG = 0x83, CMD_CANCEL = 0xbe, CMD_ERROR = 0xbf;
export const T = { PAY_REQUEST: 1, CHALLENGE: 2, ASSERTION: 3, RECEIPT: 4, CANCEL: 5, REG_CHALLENGE: 6, REGISTRATION: 7, RECENT_QUERY: 9, RECENT: 10, MANDATE: 11,
  DISABLE: 12, PAIRING_OFFER: 13 };

/**
 * The 6-digit pairing comparison code (BLE Numeric Comparison style) the phone shows beside the glasses' HUD:
 * SHA-256("glasses-pay pairing v1" ‖ challenge bytes ‖ SEC1 public key) → first 4 bytes big-endian mod 10^6.
 * The phone computes it from its own challenge and the key the glasses offered (PAIRING_OFFER); it is the
 * phone's own code, not the firmware's (assembly/device/terms.ts computes the glasses' side).
 */
export function pairingComparison(challenge: Uint8Array, publicKey: Uint8Array): string {
  const h = createHash("sha256").update("glasses-pay pairing v1").update(challenge).update(publicKey).digest();
  return String(h.readUInt32BE(0) % 1_000_000).padStart(6, "0");
}
/** The instrument the wallet registered for these glasses; the glasses show and sign it. */
export const GLASSES_INSTRUMENT = { displayName: "Glasses wallet", icon: "https://glasses.local/icon.png" };

export class LinkError extends Error {}

/** Splits a message into fragments of at most mtu bytes: CMD|LEN16 init, then SEQ continuations. */
export function fragment(cmd: number, body: Uint8Array, mtu: number): Uint8Array[] {
  if (body.length > 0xffff) throw new LinkError("message too long");
  const out: Uint8Array[] = [];
  const first = Math.min(body.length, mtu - 3);
  out.push(Uint8Array.from([cmd, body.length >> 8, body.length & 0xff, ...body.subarray(0, first)]));
  let off = first, seq = 0;
  while (off < body.length) {
    const n = Math.min(body.length - off, mtu - 1);
    out.push(Uint8Array.from([seq, ...body.subarray(off, off + n)]));
    off += n; seq = (seq + 1) & 0x7f;
  }
  return out;
}

/** Reassembles fragments; throws LinkError on anything malformed. */
export class Reassembler {
  private cmd = 0; private total = 0; private parts: Uint8Array[] = []; private got = 0; private seq = 0; private busy = false;
  feed(f: Uint8Array): { cmd: number; body: Uint8Array } | null {
    if (f.length === 0) throw new LinkError("empty fragment");
    if (f[0] & 0x80) {
      if (this.busy) throw new LinkError("init fragment inside a message");
      if (f.length < 3) throw new LinkError("short init fragment");
      this.cmd = f[0]; this.total = (f[1] << 8) | f[2]; this.parts = [f.subarray(3)]; this.got = f.length - 3; this.seq = 0; this.busy = true;
    } else {
      if (!this.busy) throw new LinkError("unexpected continuation");
      if (f[0] !== this.seq) throw new LinkError(`continuation ${f[0]} out of sequence (expected ${this.seq})`);
      this.parts.push(f.subarray(1)); this.got += f.length - 1; this.seq = (this.seq + 1) & 0x7f;
    }
    if (this.got > this.total) { this.busy = false; throw new LinkError("more bytes than announced"); }
    if (this.got < this.total) return null;
    this.busy = false;
    return { cmd: this.cmd, body: Buffer.concat(this.parts) };
  }
}

function field(m: Map<CborValue, CborValue>, k: number): CborValue | undefined { return m.get(k); }
function bytes(v: CborValue | undefined, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new LinkError(`${what} must be bytes`);
  return v;
}
function text(v: CborValue | undefined, what: string): string {
  if (typeof v !== "string") throw new LinkError(`${what} must be text`);
  return v;
}

export interface LinkLog { (event: string, detail?: Record<string, unknown>): void }

/** What the phone saw, for the `pay` command's final report. */
export interface PhoneRecord {
  credential?: { id: string; publicKey: string };
  order?: { orderId: string; payee: string; amount: string; currency: string; phoneConfirm: boolean; mandateId?: string; seq?: number };
  /** The last agent request (PAY_REQUEST with keys 7–9): inside its mandate (ok) or the refusal reason. */
  agent?: { ok: boolean; reason?: AgentRefusal; detail?: string; mandateId?: string; seq?: number; orderId?: string };
  /** The last MANDATE message's registration outcome. */
  mandate?: { ok: boolean; reason?: MandateRefusal; id?: string; detail?: string };
  assertion?: { id: string; rawId: string; type: "public-key"; clientExtensionResults: {}; response: { clientDataJSON: string; authenticatorData: string; signature: string } };
  result?: PaymentResult;
  registration?: { ok: boolean; reason?: string };
  /** The pairing the phone shows: the comparison code for the key the glasses offered. */
  pairing?: { comparison: string; publicKey: string };
  /** The wallet had disabled these glasses: the phone told them to wipe. */
  disabledSent?: boolean;
  cancelled?: string;
  keepalives: number;
  errors: string[];
}

export class PhoneLink {
  private reasm = new Reassembler();
  private orders = new Map<string, { phoneConfirm: boolean }>();
  readonly record: PhoneRecord = { keepalives: 0, errors: [] };

  constructor(private wallet: Wallet, private mtu: number,
              private confirmOnPhone: (order: { payee: string; amount: string; currency: string }) => Promise<boolean> = async () => true,
              private log: LinkLog = () => {}) {}

  private regChallenge = "";

  /** The registration challenge to send to the glasses (pairing), with the name the glasses' HUD shows. */
  beginRegistration(phoneName = "Reference wallet"): Uint8Array[] {
    const { challenge } = this.wallet.beginRegistration();
    this.regChallenge = challenge;
    this.record.pairing = undefined;
    return this.msg(new Map<CborValue, CborValue>([[1, T.REG_CHALLENGE], [2, challenge], [3, phoneName]]));
  }

  /** Tells the glasses they are disabled (they wipe and refuse). */
  disableMessage(): Uint8Array[] { return this.msg(new Map<CborValue, CborValue>([[1, T.DISABLE]])); }

  /** The glasses' credential named in this message (ASSERTION key 3, MANDATE key 4) or the one paired here. */
  private disabled(m: Map<CborValue, CborValue>): boolean {
    const named = m.get(1) === T.ASSERTION ? m.get(3) : m.get(1) === T.MANDATE ? m.get(4) : undefined;
    const id = named instanceof Uint8Array ? b64u(named) : this.record.credential?.id;
    const w = this.wallet as unknown as { isDisabled?: (id: string) => boolean };
    return !!id && typeof w.isDisabled === "function" && w.isDisabled(id);
  }

  queryRecentReply(n: number): Uint8Array[] {
    const rows = this.wallet.recent(n).map((b) => [b.payee, b.amount, b.currency] as CborValue[]);
    return this.msg(new Map<CborValue, CborValue>([[1, T.RECENT], [2, rows]]));
  }

  private msg(m: Map<CborValue, CborValue>): Uint8Array[] { return fragment(CMD_MSG, cborEncode(m), this.mtu); }

  /** One fragment from the glasses; returns the fragments to send back. */
  async receive(f: Uint8Array): Promise<Uint8Array[]> {
    let whole;
    try { whole = this.reasm.feed(f); } catch (e) {
      this.record.errors.push((e as Error).message);
      return fragment(CMD_ERROR, Uint8Array.of(0x04), this.mtu);
    }
    if (!whole) return [];
    if (whole.cmd === CMD_KEEPALIVE) { this.record.keepalives++; return []; }
    if (whole.cmd === CMD_ERROR) { this.record.errors.push(`glasses sent ERROR ${whole.body[0]}`); return []; }
    if (whole.cmd === CMD_PING) return fragment(CMD_PING, whole.body, this.mtu);
    if (whole.cmd !== CMD_MSG) return [];
    let m: CborValue;
    try { m = cborDecode(whole.body).value; } catch (e) {
      this.record.errors.push(`bad CBOR: ${(e as Error).message}`);
      return fragment(CMD_ERROR, Uint8Array.of(0x02), this.mtu);
    }
    if (!(m instanceof Map)) { this.record.errors.push("message is not a map"); return fragment(CMD_ERROR, Uint8Array.of(0x02), this.mtu); }
    // On every contact: a disabled pair of glasses is told to wipe, and nothing it sends is acted on.
    if (this.disabled(m)) {
      this.record.disabledSent = true;
      this.log("disable", { credential: this.record.credential?.id });
      return this.disableMessage();
    }
    try { return await this.handle(m); } catch (e) {
      this.record.errors.push((e as Error).message);
      return fragment(CMD_ERROR, Uint8Array.of(0x02), this.mtu);
    }
  }

  private async handle(m: Map<CborValue, CborValue>): Promise<Uint8Array[]> {
    const type = field(m, 1);
    if (type === T.PAY_REQUEST && (m.has(7) || m.has(8) || m.has(9))) return this.agentRequest(m);
    if (type === T.PAY_REQUEST) {
      const payload = Buffer.from(bytes(field(m, 2), "payload")).toString("utf8");
      const payee = text(field(m, 3), "payee"), amount = text(field(m, 4), "amount"), currency = text(field(m, 5), "currency");
      const phoneConfirm = field(m, 6) === true;
      const o = this.wallet.createOrder({ payee, amount, currency, qrPayload: payload, instrument: GLASSES_INSTRUMENT });
      this.orders.set(o.orderId, { phoneConfirm });
      this.record.order = { orderId: o.orderId, payee, amount, currency, phoneConfirm };
      this.log("order", { orderId: o.orderId, payee, amount, currency, phoneConfirm });
      const challenge = Buffer.from(o.challenge, "base64url");
      return this.msg(new Map<CborValue, CborValue>([[1, T.CHALLENGE], [2, o.orderId], [3, new Uint8Array(challenge)]]));
    }
    if (type === T.ASSERTION) {
      const orderId = text(field(m, 2), "orderId");
      const id = b64u(bytes(field(m, 3), "credId"));
      const assertion = { id, rawId: id, type: "public-key" as const, clientExtensionResults: {},
        response: { clientDataJSON: b64u(bytes(field(m, 5), "clientDataJSON")), authenticatorData: b64u(bytes(field(m, 4), "authenticatorData")),
          signature: b64u(bytes(field(m, 6), "signature")) } };
      this.record.assertion = assertion;
      const order = this.orders.get(orderId);
      // the dialog shows the order this assertion names, never merely the latest one (issue 9 item 9)
      const shown = order?.phoneConfirm ? this.wallet.order(orderId) : undefined;
      if (shown) {
        const yes = await this.confirmOnPhone({ payee: shown.payee, amount: shown.amount, currency: shown.currency });
        this.log("phone-confirm", { confirmed: yes });
        if (!yes) return this.receipt(orderId, { ok: false, detail: "declined_on_phone" } as PaymentResult, "declined_on_phone");
      }
      const result = await this.wallet.verifyPayment(orderId, assertion);
      this.record.result = result;
      this.log("verified", { ok: result.ok, reason: result.reason });
      return this.receipt(orderId, result, result.ok ? result.bill!.id : result.reason!);
    }
    if (type === T.CANCEL) {
      this.record.cancelled = text(field(m, 3), "reason");
      this.log("cancel", { reason: this.record.cancelled });
      return [];
    }
    if (type === T.PAIRING_OFFER) {
      const key = bytes(field(m, 2), "public key");
      if (key.length !== 65 || !this.regChallenge) throw new LinkError("pairing offer without a registration in progress");
      const comparison = pairingComparison(Buffer.from(this.regChallenge, "base64url"), key);
      this.record.pairing = { comparison, publicKey: b64u(key) };
      this.log("pairing-code", { comparison });
      return [];
    }
    if (type === T.REGISTRATION) {
      const credId = bytes(field(m, 3), "credId");
      const attestationObject = bytes(field(m, 4), "attestationObject");
      const id = b64u(credId);
      const reg = { id, rawId: id, type: "public-key" as const, clientExtensionResults: {},
        response: { clientDataJSON: b64u(bytes(field(m, 5), "clientDataJSON")), attestationObject: b64u(attestationObject) } };
      // The key registered must be the one whose comparison code the wearer and the phone compared.
      const att = cborDecode(attestationObject).value as Map<CborValue, CborValue>;
      const auth = parseAuthenticatorData(att.get("authData") as Uint8Array);
      const attested = auth?.attested?.publicKey;
      const offered = this.record.pairing?.publicKey;
      const cose = attested ? Buffer.from(attested) : null;
      // COSE_Key EC2: x at -2, y at -3; compare with the offered SEC1 key.
      let same = false;
      if (cose && offered) {
        const k = cborDecode(cose).value as Map<CborValue, CborValue>;
        const x = k.get(-2) as Uint8Array, y = k.get(-3) as Uint8Array;
        same = !!x && !!y && Buffer.concat([Buffer.of(4), x, y]).equals(Buffer.from(offered, "base64url"));
      }
      if (!same) {
        this.record.registration = { ok: false, reason: "key_not_compared" };
        this.log("registered", { ok: false, reason: "key_not_compared" });
        return [];
      }
      const r = await this.wallet.register(reg as any);
      this.record.registration = { ok: r.ok, reason: r.reason };
      if (r.ok) this.record.credential = { id, publicKey: b64u(attested!) };
      this.log("registered", { ok: r.ok, reason: r.reason });
      return [];
    }
    if (type === T.MANDATE) {
      const text = field(m, 2), sig = field(m, 3), credId = field(m, 4);
      if (!(text instanceof Uint8Array) || !(sig instanceof Uint8Array) || !(credId instanceof Uint8Array)) {
        this.record.mandate = { ok: false, reason: "malformed", detail: "MANDATE is {1:11, 2:text bstr, 3:signature bstr, 4:credId bstr}" };
        throw new LinkError("MANDATE: text, signature and credId must be bytes");
      }
      const r = this.wallet.registerMandate(b64u(credId), text, sig);
      this.record.mandate = { ok: r.ok, reason: r.reason, id: r.id, ...(r.detail !== undefined ? { detail: r.detail } : {}) };
      this.log("mandate", { ok: r.ok, reason: r.reason, id: r.id });
      return [];
    }
    if (type === T.RECENT_QUERY) {
      const n = field(m, 2);
      return this.queryRecentReply(typeof n === "number" ? Math.min(Math.max(n, 1), 20) : 5);
    }
    throw new LinkError(`unknown message type ${String(type)}`);
  }

  /** PAY_REQUEST carrying an agent's signed request: an agent order (CHALLENGE) or a refusal (RECEIPT, no order). */
  private agentRequest(m: Map<CborValue, CborValue>): Uint8Array[] {
    const payload = field(m, 2), payee = field(m, 3), amount = field(m, 4), currency = field(m, 5);
    const mandateId = field(m, 7), seq = field(m, 8), sig = field(m, 9);
    const phoneConfirm = field(m, 6) === true;
    const refuse = (reason: AgentRefusal, detail?: string): Uint8Array[] => {
      this.record.agent = { ok: false, reason, ...(detail !== undefined ? { detail } : {}),
        ...(typeof mandateId === "string" ? { mandateId } : {}), ...(typeof seq === "number" ? { seq } : {}) };
      this.log("agent-refused", { reason, mandateId, seq });
      return this.msg(new Map<CborValue, CborValue>([[1, T.RECEIPT], [2, ""], [3, false], [4, reason]]));
    };
    if (!(payload instanceof Uint8Array) || typeof payee !== "string" || typeof amount !== "string" || typeof currency !== "string"
      || typeof mandateId !== "string" || typeof seq !== "number" || !(sig instanceof Uint8Array)) {
      return refuse("malformed", "agent PAY_REQUEST needs 2 payload, 3 payee, 4 amount, 5 currency, 7 mandate id, 8 seq, 9 signature");
    }
    const r = this.wallet.createAgentOrder({ payload, payee, amount, currency, mandateId, seq, agentSignature: sig, instrument: GLASSES_INSTRUMENT });
    if (!r.ok) return refuse(r.reason, r.detail);
    this.orders.set(r.orderId, { phoneConfirm });
    this.record.order = { orderId: r.orderId, payee, amount, currency, phoneConfirm, mandateId, seq };
    this.record.agent = { ok: true, mandateId, seq, orderId: r.orderId };
    this.log("agent-order", { orderId: r.orderId, mandateId, seq, payee, amount, currency });
    return this.msg(new Map<CborValue, CborValue>([[1, T.CHALLENGE], [2, r.orderId], [3, new Uint8Array(Buffer.from(r.challenge, "base64url"))]]));
  }

  private receipt(orderId: string, _r: PaymentResult, detail: string): Uint8Array[] {
    return this.msg(new Map<CborValue, CborValue>([[1, T.RECEIPT], [2, orderId], [3, _r.ok], [4, detail]]));
  }
}
