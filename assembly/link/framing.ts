// Link framing, shaped like the CTAP BLE transport (protocols.md §4):
//   init fragment:         CMD (high bit set) | LEN hi | LEN lo | first bytes
//   continuation fragment: SEQ (0x00..0x7F, wrapping)           | next bytes
// Each fragment is at most the board's link MTU (ATT payload bytes). Buffers are fixed: one
// reassembler (RX) and one fragmenter (TX); nothing is allocated per fragment or message.
import { OK, E_ARGS, E_BUFFER_FULL, E_LINK_CMD, E_LINK_LEN, E_LINK_SEQ, E_LINK_TIMEOUT } from "../errors";

export const CMD_PING: i32 = 0x81;
export const CMD_KEEPALIVE: i32 = 0x82;
export const CMD_MSG: i32 = 0x83;
export const CMD_CANCEL: i32 = 0xbe;
export const CMD_ERROR: i32 = 0xbf;

// CTAP BLE error codes carried in an ERROR frame
export const LERR_INVALID_CMD: i32 = 0x01;
export const LERR_INVALID_PAR: i32 = 0x02;
export const LERR_INVALID_LEN: i32 = 0x03;
export const LERR_INVALID_SEQ: i32 = 0x04;
export const LERR_REQ_TIMEOUT: i32 = 0x05;
export const LERR_BUSY: i32 = 0x06;
export const LERR_OTHER: i32 = 0x7f;

export const KEEPALIVE_PROCESSING: i32 = 0x01;
export const KEEPALIVE_UP_NEEDED: i32 = 0x02;   // waiting for the wearer's spoken "yes"

/** Largest message body either direction (fixed buffers). */
export const LINK_MSG_MAX: i32 = 4096;
/** Largest fragment (ATT attribute values max out at 512 bytes). */
export const LINK_FRAG_MAX: i32 = 512;
export const LINK_MTU_MIN: i32 = 20;
export const LINK_TIMEOUT_DEFAULT: i32 = 3000;

export function knownCommand(cmd: i32): bool {
  return cmd == CMD_PING || cmd == CMD_KEEPALIVE || cmd == CMD_MSG || cmd == CMD_CANCEL || cmd == CMD_ERROR;
}

const IDLE = 0, ASSEMBLING = 1, COMPLETE = 2;

/**
 * Reassembles fragments into one message, with strict checks. Any error drops the partial message.
 * Each instance owns a LINK_MSG_MAX buffer allocated when it is constructed (once, at module start).
 */
export class Reassembler {
  private buf: usize = heap.alloc(<usize>LINK_MSG_MAX);
  mtu: i32 = 244;
  timeoutMs: i64 = LINK_TIMEOUT_DEFAULT;
  state: i32 = IDLE;
  cmd: i32 = 0;
  total: i32 = 0;
  got: i32 = 0;
  nextSeq: i32 = 0;
  lastMs: i64 = 0;
  /** CTAP error code of the last failure (0 after success); the ERROR frame to send back. */
  lastError: i32 = 0;

  configure(mtu: i32, timeoutMs: i64): i32 {
    if (mtu < LINK_MTU_MIN || mtu > LINK_FRAG_MAX || timeoutMs <= 0) return E_ARGS;
    this.mtu = mtu; this.timeoutMs = timeoutMs; this.lastError = 0;
    this.reset();
    return OK;
  }

  reset(): void { this.state = IDLE; this.cmd = 0; this.total = 0; this.got = 0; this.nextSeq = 0; }

  /** Largest message the peer may announce at this MTU (init + 128 continuation fragments wrap). */
  maxMessage(): i32 { return LINK_MSG_MAX; }

  private fail(status: i32, ctap: i32): i32 { this.lastError = ctap; this.reset(); return status; }

  get ready(): bool { return this.state == COMPLETE; }
  data(): usize { return this.buf; }

  /** Releases a completed message so the next one can arrive. */
  take(): void { if (this.state == COMPLETE) this.reset(); }

  /** Drops a partial message older than the timeout. */
  tick(tMs: i64): i32 {
    if (this.state == ASSEMBLING && tMs - this.lastMs > this.timeoutMs) return this.fail(E_LINK_TIMEOUT, LERR_REQ_TIMEOUT);
    return OK;
  }

  /** One fragment of len bytes at p, received at tMs. OK means accepted (check `ready`). */
  feed(p: usize, len: i32, tMs: i64): i32 {
    if (this.state == COMPLETE) { this.lastError = LERR_BUSY; return E_BUFFER_FULL; } // previous message not taken
    if (len <= 0) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
    if (len > this.mtu) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);        // overlong fragment
    if (this.state == ASSEMBLING && tMs - this.lastMs > this.timeoutMs) return this.fail(E_LINK_TIMEOUT, LERR_REQ_TIMEOUT);
    const b0 = <i32>load<u8>(p);
    if (b0 & 0x80) {
      // init fragment
      if (this.state == ASSEMBLING && b0 != CMD_CANCEL) return this.fail(E_LINK_SEQ, LERR_INVALID_SEQ); // init inside a message
      if (!knownCommand(b0)) return this.fail(E_LINK_CMD, LERR_INVALID_CMD);
      if (len < 3) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
      const total = (<i32>load<u8>(p + 1) << 8) | <i32>load<u8>(p + 2);
      if (total > LINK_MSG_MAX) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
      const n = len - 3;
      if (n > total) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);             // more bytes than announced
      this.reset();
      this.cmd = b0; this.total = total; this.got = n; this.nextSeq = 0; this.lastMs = tMs;
      memory.copy(this.buf, p + 3, <usize>n);
    } else {
      if (this.state != ASSEMBLING) return this.fail(E_LINK_SEQ, LERR_INVALID_SEQ); // unexpected continuation
      if (b0 != this.nextSeq) return this.fail(E_LINK_SEQ, LERR_INVALID_SEQ);
      const n = len - 1;
      if (n == 0 || this.got + n > this.total) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
      memory.copy(this.buf + <usize>this.got, p + 1, <usize>n);
      this.got += n;
      this.nextSeq = (this.nextSeq + 1) & 0x7f;
      this.lastMs = tMs;
    }
    this.state = ASSEMBLING;
    if (this.got == this.total) return this.complete();
    return OK;
  }

  private complete(): i32 {
    // message-level checks for the control commands
    const c = this.cmd, n = this.total;
    if (c == CMD_KEEPALIVE) {
      if (n != 1) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
      const v = <i32>load<u8>(this.buf);
      if (v != KEEPALIVE_PROCESSING && v != KEEPALIVE_UP_NEEDED) return this.fail(E_LINK_LEN, LERR_INVALID_PAR);
    } else if (c == CMD_CANCEL) {
      if (n != 0) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
    } else if (c == CMD_ERROR) {
      if (n != 1) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
    } else if (c == CMD_MSG) {
      if (n == 0) return this.fail(E_LINK_LEN, LERR_INVALID_LEN);
    }
    this.state = COMPLETE;
    this.lastError = 0;
    return OK;
  }
}

/** Splits one outgoing message into fragments of at most `mtu` bytes (own buffer, allocated once). */
export class Fragmenter {
  private buf: usize = heap.alloc(<usize>LINK_MSG_MAX);
  mtu: i32 = 244;
  cmd: i32 = 0;
  total: i32 = 0;
  off: i32 = 0;
  seq: i32 = 0;
  started: bool = false;
  active: bool = false;

  configure(mtu: i32): i32 {
    if (mtu < LINK_MTU_MIN || mtu > LINK_FRAG_MAX) return E_ARGS;
    this.mtu = mtu; this.active = false;
    return OK;
  }

  /** The buffer a caller fills with the message body before start(). */
  buffer(): usize { return this.buf; }

  /** Begins sending len bytes already in buffer(). */
  start(cmd: i32, len: i32): i32 {
    if (!knownCommand(cmd)) return E_LINK_CMD;
    if (len < 0 || len > LINK_MSG_MAX) return E_LINK_LEN;
    this.cmd = cmd; this.total = len; this.off = 0; this.seq = 0; this.started = false; this.active = true;
    return OK;
  }

  /** Copies a body and begins sending it. */
  send(cmd: i32, p: usize, len: i32): i32 {
    if (len < 0 || len > LINK_MSG_MAX) return E_LINK_LEN;
    memory.copy(this.buf, p, <usize>len);
    return this.start(cmd, len);
  }

  /** An ERROR frame with a CTAP error code. */
  sendError(code: i32): i32 { store<u8>(this.buf, <u8>code); return this.start(CMD_ERROR, 1); }

  /** Writes the next fragment at out (room for mtu bytes). Returns its length, 0 when done. */
  next(out: usize): i32 {
    if (!this.active) return 0;
    if (!this.started) {
      store<u8>(out, <u8>this.cmd);
      store<u8>(out + 1, <u8>(this.total >> 8));
      store<u8>(out + 2, <u8>this.total);
      const n = min(this.total, this.mtu - 3);
      memory.copy(out + 3, this.buf, <usize>n);
      this.off = n; this.started = true;
      if (this.off == this.total) this.active = false;
      return n + 3;
    }
    if (this.off >= this.total) { this.active = false; return 0; }
    store<u8>(out, <u8>this.seq);
    const n = min(this.total - this.off, this.mtu - 1);
    memory.copy(out + 1, this.buf + <usize>this.off, <usize>n);
    this.off += n;
    this.seq = (this.seq + 1) & 0x7f;
    if (this.off == this.total) this.active = false;
    return n + 1;
  }
}
