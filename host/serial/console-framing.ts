// SMP over a serial console (Zephyr smp_transport.rst): the packet `len16_BE(body+2) | body | crc16_BE(body)`
// is base64-encoded and split into lines of at most 127 bytes: `06 09` starts a packet, `04 14` continues
// it, each line ends with `0a`. Other bytes on the console (log lines) are ignored by the decoder.
export const LINE_MAX = 127;
// 124 base64 characters per line: a multiple of 4, so every line decodes on its own (as Zephyr's does).
const B64_PER_LINE = LINE_MAX - 3;
const START = [0x06, 0x09];
const CONT = [0x04, 0x14];

/** CRC-16/XMODEM: poly 0x1021, init 0, no reflection, no final xor. */
export function crc16xmodem(data: Uint8Array, crc = 0): number {
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** One SMP body (header + payload) as console lines. */
export function encodeConsolePacket(body: Uint8Array): Buffer {
  const pkt = Buffer.alloc(body.length + 4);
  pkt.writeUInt16BE(body.length + 2, 0);
  pkt.set(body, 2);
  pkt.writeUInt16BE(crc16xmodem(body), 2 + body.length);
  const b64 = pkt.toString("base64");
  const lines: Buffer[] = [];
  for (let i = 0; i < b64.length; i += B64_PER_LINE) {
    lines.push(Buffer.from(i === 0 ? START : CONT), Buffer.from(b64.slice(i, i + B64_PER_LINE), "latin1"), Buffer.from([0x0a]));
  }
  return Buffer.concat(lines);
}

export class FramingError extends Error {}

/**
 * Reassembles packets from console bytes. push() returns whole SMP bodies; a bad CRC or a malformed packet
 * is reported through onError and dropped (the sender's timeout and retry deal with it).
 */
export class ConsoleDecoder {
  private line: number[] = [];
  private b64 = "";
  private inPacket = false;
  constructor(private onError: (e: FramingError) => void = () => {}, private onText: (line: string) => void = () => {}) {}

  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const b of bytes) {
      if (b !== 0x0a) { if (this.line.length < 4096) this.line.push(b); continue; }
      const l = this.line;
      this.line = [];
      const body = this.takeLine(l);
      if (body) out.push(body);
    }
    return out;
  }

  private takeLine(l: number[]): Uint8Array | null {
    if (l.length >= 2 && l[0] === START[0] && l[1] === START[1]) { this.b64 = ""; this.inPacket = true; }
    else if (l.length >= 2 && l[0] === CONT[0] && l[1] === CONT[1]) { if (!this.inPacket) return null; }
    else { this.onText(Buffer.from(l).toString("utf8").replace(/\r$/, "")); return null; }
    this.b64 += Buffer.from(l.slice(2)).toString("latin1");
    const raw = Buffer.from(this.b64, "base64");
    if (raw.length < 2) return null;
    const len = raw.readUInt16BE(0);
    if (raw.length < 2 + len) return null;   // more lines to come
    this.inPacket = false;
    this.b64 = "";
    if (len < 2 || raw.length !== 2 + len) { this.onError(new FramingError(`console packet length ${len} does not match ${raw.length - 2} bytes`)); return null; }
    const body = raw.subarray(2, raw.length - 2);
    const crc = raw.readUInt16BE(raw.length - 2);
    if (crc16xmodem(body) !== crc) { this.onError(new FramingError(`console packet CRC ${crc.toString(16)} != ${crc16xmodem(body).toString(16)}`)); return null; }
    return new Uint8Array(body);
  }
}
