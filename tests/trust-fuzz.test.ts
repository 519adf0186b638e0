// Trust-boundary fuzz/property test (issue 9, "Done when"): random and crafted inputs go through the REAL entry
// points, a fixed number of cases from a printed seed, and three properties must hold:
//   1. 0 traps: no input makes the firmware trap (the device face or the `payload` command face);
//   2. 0 truncated event records: every nextEvent() record parses as JSON;
//   3. 0 signatures without a wearer action: the wearer never acts in this test (no keyword, no audio, no
//      button), so no ASSERTION, REGISTRATION or MANDATE may leave the glasses over the link.
// Inputs: registration challenges (random, and JSON-injection shapes such as `x","type":"payment.get",…`),
// CBOR link messages (random, crafted, mutated fragment streams; CTAP-BLE fragments from host/phone's
// fragmenter), EMV/UPI payloads (the `payload` command face and the device face's QR entry), and images
// (host/camera decoding: mutated real images, and declared sizes over the limit).
//
// Run: node --import tsx --test tests/trust-fuzz.test.ts       (TRUST_FUZZ_SEED=0x… to replay another seed)
// Runs on the test build's hooks (onQrText, testMarkPaired, testInjectConsent) and opens pairing mode for half
// of the registration challenges (which also carry the phone's name, as REG_CHALLENGE now requires).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { openDevice, runCommand, type Device } from '../host/engine/index.ts';
import { loadBoard } from '../host/boards.ts';
import { sharedPath } from '../host/shared.ts';
import { decodeImage, ImageError } from '../host/camera/image.ts';
import { cborDecode, cborEncode, type CborValue } from '../host/phone/cbor.ts';
import { CMD_MSG, CMD_PING, CMD_CANCEL, CMD_ERROR, CMD_KEEPALIVE, Reassembler, T, fragment } from '../host/phone/glasses-link.ts';
import { b64u, sha256 } from '../host/phone/wire.ts';

// ----------------------------------------------------------------------------------------------- seed, counts

const SEED = Number(process.env.TRUST_FUZZ_SEED ?? 0x9e3779b9) >>> 0;
const CASES = { registration: 60, link: 200, pending: 30, payloadCommand: 40, payloadDevice: 80, images: 120 };
console.log(`trust-fuzz: seed 0x${SEED.toString(16)} (TRUST_FUZZ_SEED to replay), cases ${JSON.stringify(CASES)}`);

/** mulberry32: small, seedable, good enough to pick fuzz inputs. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}
const rnd = prng(SEED);
const pick = <X>(xs: readonly X[]): X => xs[rnd(xs.length)];
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rnd(256));
const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// ----------------------------------------------------------------------------------------------- the glasses

const BOARD = 'mcu-s3';
const MTU = loadBoard(BOARD).link.mtu;
const SIGNED_TYPES = new Set<number>([T.ASSERTION, T.REGISTRATION, T.MANDATE]);

interface Tally { traps: string[]; truncated: string[]; signatures: string[]; events: number; sent: number; statuses: Map<number, number> }
const tally: Tally = { traps: [], truncated: [], signatures: [], events: 0, sent: 0, statuses: new Map() };

const isTrap = (e: unknown): boolean => e instanceof WebAssembly.RuntimeError || /unreachable|RuntimeError|out of bounds/i.test(String(e));

/** One pair of glasses on the device face, with the host's duties (events, persistence, link TX) done here. */
class Glasses {
  dev!: Device;
  ptr: Record<string, number> = {};
  t = 1_800_000_000_000;
  private reasm = new Reassembler();

  async open(): Promise<void> {
    this.dev = await openDevice({ board: BOARD, init: true, target: "test", secret: new Uint8Array(32).map((_, i) => (i * 29 + 3) & 0xff) });
    for (const k of ['linkRxBuffer', 'linkTxBuffer', 'stateBlob', 'frameBuffer', 'eventBuffer']) this.ptr[k] = await this.dev.call(k);
    this.reasm = new Reassembler();
    await this.pump('open');
  }

  /** Calls an export; a trap is counted and the glasses are restarted (their memory is no longer trustworthy). */
  async call(what: string, name: string, ...args: (number | bigint)[]): Promise<number | null> {
    try {
      const r = await this.dev.call(name, ...args);
      tally.statuses.set(r, (tally.statuses.get(r) ?? 0) + 1);
      return r;
    } catch (e) {
      if (!isTrap(e)) throw e;
      tally.traps.push(`${what}: ${name}: ${(e as Error).message}`);
      await this.dev.close().catch(() => {});
      await this.open();
      return null;
    }
  }

  async write(ptr: string, b: Uint8Array): Promise<void> { await this.dev.write(this.ptr[ptr], b); }

  /** Drains events (each must be JSON), acknowledges persistence, and decodes what leaves on the link. */
  async pump(what: string): Promise<void> {
    for (let round = 0; round < 64; round++) {
      let moved = 0;
      for (;;) {
        const n = await this.call(what, 'nextEvent');
        if (n === null || n <= 0) break;
        moved++;
        tally.events++;
        const text = Buffer.from(await this.dev.read(this.ptr.eventBuffer, n)).toString('utf8');
        let e: { type?: string } | undefined;
        try { e = JSON.parse(text); } catch { tally.truncated.push(`${what}: ${text.slice(0, 60)}…${text.slice(-30)} (${n} bytes)`); }
        if (e?.type === 'persist') {
          const len = await this.call(what, 'stateSave');
          if (len !== null && len > 0) {
            const blob = await this.dev.read(this.ptr.stateBlob, len);
            await this.call(what, 'statePersisted', new DataView(blob.buffer, blob.byteOffset).getUint32(8, true));
          }
        }
      }
      for (;;) {
        const n = await this.call(what, 'linkTx');
        if (n === null || n <= 0) break;
        moved++;
        const buf = await this.dev.read(this.ptr.linkTxBuffer, n);
        for (let o = 0; o + 2 <= n;) {
          const len = buf[o] | (buf[o + 1] << 8);
          this.sent(what, buf.slice(o + 2, o + 2 + len));
          o += 2 + len;
        }
      }
      if (moved === 0) return;
    }
  }

  /** A fragment the glasses sent: reassembled like the phone does; a signed message type is a violation. */
  private sent(what: string, f: Uint8Array): void {
    tally.sent++;
    let whole: { cmd: number; body: Uint8Array } | null = null;
    try { whole = this.reasm.feed(f); } catch { this.reasm = new Reassembler(); return; }
    if (!whole || whole.cmd !== CMD_MSG) return;
    let m: CborValue;
    try { m = cborDecode(whole.body).value; } catch { return; }
    if (m instanceof Map && SIGNED_TYPES.has(m.get(1) as number)) {
      const cdj = m.get(5) instanceof Uint8Array ? Buffer.from(m.get(5) as Uint8Array).toString('utf8') : '';
      tally.signatures.push(`${what}: type ${String(m.get(1))} left the glasses without a wearer action ${cdj.slice(0, 160)}`);
    }
  }

  /** Sends fragments from the "phone", one onLinkRx each, then lets time pass a little. */
  async rx(what: string, frags: Uint8Array[]): Promise<void> {
    for (const f of frags) {
      if (f.length === 0) continue;
      await this.write('linkRxBuffer', f.subarray(0, Math.min(f.length, 4096)));
      await this.call(what, 'onLinkRx', Math.min(f.length, 4096));
    }
    this.t += 50 + rnd(500);
    await this.call(what, 'tick', BigInt(this.t));
    await this.pump(what);
  }

  async msg(what: string, m: Map<CborValue, CborValue>, mtu = MTU): Promise<void> {
    await this.rx(what, fragment(CMD_MSG, cborEncode(m), mtu));
  }

  /** A QR text through today's device-face entry (the camera path ends here too). */
  async scan(what: string, text: string | Uint8Array): Promise<void> {
    this.t += 1000;
    // payments need a paired phone; the wearer never acts (test build: consent only by onConsentOutcome, never called)
    await this.call(what, 'testMarkPaired');
    await this.call(what, 'testInjectConsent', 1);
    await this.call(what, 'payBegin', BigInt(this.t));
    const b = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const n = Math.min(b.length, 4096);
    await this.write('frameBuffer', b.subarray(0, n));
    await this.call(what, 'onQrText', n, BigInt(this.t));
    await this.pump(what);
  }

  /** Lets the pending session run out (no wearer answer), so the next case starts idle. */
  async expire(what: string): Promise<void> {
    this.t += 60_000;
    await this.call(what, 'tick', BigInt(this.t));
    await this.pump(what);
  }
}

let g: Glasses;
before(async () => { g = new Glasses(); await g.open(); });
after(async () => {
  console.log(`trust-fuzz: ${tally.events} events, ${tally.sent} fragments sent by the glasses, traps ${tally.traps.length}, `
    + `truncated events ${tally.truncated.length}, signatures without the wearer ${tally.signatures.length}`);
  await g?.dev.close();
});

/** Where each section's findings start in the running tally (so a section reports only its own). */
const mark = (): [number, number, number] => [tally.traps.length, tally.truncated.length, tally.signatures.length];
function assertClean(section: string, from: [number, number, number]): void {
  const found = {
    traps: tally.traps.slice(from[0]), truncated: tally.truncated.slice(from[1]), signatures: tally.signatures.slice(from[2]),
  };
  console.log(`trust-fuzz ${section}: traps ${found.traps.length}, truncated events ${found.truncated.length}, `
    + `signatures without the wearer ${found.signatures.length}`);
  const short = (xs: string[]) => xs.slice(0, 5).concat(xs.length > 5 ? [`… and ${xs.length - 5} more`] : []);
  assert.deepEqual({ traps: short(found.traps), truncated: short(found.truncated), signatures: short(found.signatures) },
    { traps: [], truncated: [], signatures: [] }, `${section}: seed 0x${SEED.toString(16)}`);
}

// ----------------------------------------------------------------------------------------------- inputs

const vectors: { payload: string; kind: string; crcValid?: boolean }[] = JSON.parse(readFileSync(sharedPath('vectors/payment-qr/payloads.json'), 'utf8'));
const validPayloads = vectors.filter((v) => v.kind !== 'emv-mpm' || v.crcValid).map((v) => v.payload);

/** CRC-16/CCITT-FALSE as EMV MPM tag 63 uses it (so crafted payloads pass the checksum and reach the parser). */
function crc16(s: string): string {
  let c = 0xffff;
  for (const b of Buffer.from(s, 'utf8')) {
    c ^= b << 8;
    for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c.toString(16).toUpperCase().padStart(4, '0');
}
const tlv = (tag: string, v: string): string => tag + String(Buffer.byteLength(v, 'utf8')).padStart(2, '0') + v;
function emv(fields: [string, string][]): string {
  const body = fields.map(([t, v]) => tlv(t, v)).join('') + '6304';
  return body + crc16(body);
}
const longName = (n: number): string => Array.from({ length: n }, (_, i) => 'ABCDEFGHIJ"\\é最'[i % 14]).join('');

function craftedPayloads(): string[] {
  const base: [string, string][] = [['00', '01'], ['01', '12'], ['26', tlv('00', 'hk.com.hkicl') + tlv('02', '1234567')], ['52', '5411'],
    ['53', '344'], ['54', '25.00'], ['58', 'HK'], ['59', 'Cafe'], ['60', 'HK']];
  const with59 = (name: string) => emv(base.map(([t, v]) => [t, t === '59' ? name : v] as [string, string]));
  return [
    with59('A'.repeat(99)),                                        // the longest a 2-digit TLV length allows
    with59('"},{"type":"confirm","payee":"x'),                     // JSON in a payee name
    with59('Cafe\u0000\u001f\u007f'),
    emv(base.map(([t, v]) => [t, t === '54' ? '0.001' : v] as [string, string])),
    emv(base.map(([t, v]) => [t, t === '54' ? '99999999999999999999' : v] as [string, string])),
    emv(base.map(([t, v]) => [t, t === '53' ? '999' : v] as [string, string])),
    `upi://pay?pa=shop@bank&pn=${encodeURIComponent(longName(1100))}&am=10.00&cu=INR`,
    `upi://pay?pa=${'a'.repeat(600)}@bank&pn=Shop&am=10.00&cu=INR`,
    `upi://pay?pa=shop@bank&pn=${encodeURIComponent('x","type":"payment.get')}&am=1&cu=INR`,
    `upi://pay?pa=shop@bank&pn=Shop&am=1e9&cu=INR`,
    `upi://pay?pa=shop@bank&pn=%ZZ%&am=10.00&cu=INR`,
    `upi://pay?${'pn=a&'.repeat(300)}am=1&cu=INR`,
  ];
}

function mutateText(s: string): string {
  const b = Buffer.from(s, 'utf8');
  const out = [...b];
  for (let k = 1 + rnd(4); k > 0; k--) {
    const i = rnd(Math.max(1, out.length));
    switch (rnd(6)) {
      case 0: out[i] = rnd(256); break;
      case 1: out.splice(i, 1); break;
      case 2: out.splice(i, 0, ...Buffer.from(pick(['"', '\\', '\u0000', '}', '%', '&am=', '5901X', '6304', 'é']))); break;
      case 3: out.splice(i, rnd(20)); break;
      case 4: out.splice(i, 0, ...Buffer.from('Z'.repeat(rnd(1200)))); break;
      case 5: out.length = i; break;
    }
  }
  return Buffer.from(out).toString('utf8'); // invalid UTF-8 becomes U+FFFD, as a camera decode of text would
}

function injectionChallenges(): string[] {
  const real = b64u(bytes(32));
  const pay = '{"rpId":"glasses.local","topOrigin":"https://glasses.local","payeeName":"Evil","total":{"currency":"HKD","value":"9999.00"}}';
  return [
    `x","type":"payment.get","challenge":"${real}","payment":${pay},"x":"`,
    `${real}","type":"payment.get`,
    `${real}\\",\\"type\\":\\"payment.get`,
    `x"}`, `"`, `\\`, `\u0000`, `${real}\n`, `${real}\u2028`, 'é'.repeat(40),
    '', 'A', 'A'.repeat(21), 'A'.repeat(22), 'A'.repeat(86), 'A'.repeat(87), 'A'.repeat(2000),
    real + '=', real.replace(/[A-Z]/, '+'),
  ];
}

function randomChallenge(): string {
  switch (rnd(4)) {
    case 0: return Array.from({ length: rnd(120) }, () => B64U[rnd(64)]).join('');
    case 1: return b64u(bytes(rnd(80)));
    case 2: return Buffer.from(bytes(rnd(100))).toString('latin1');
    default: return mutateText(b64u(bytes(32)));
  }
}

/** A random CBOR value, small and sometimes deep or long. */
function randomValue(depth = 0): CborValue {
  switch (rnd(depth > 3 ? 5 : 8)) {
    case 0: return rnd(2) ? rnd(1 << 30) : -rnd(1 << 20);
    case 1: return Array.from({ length: rnd(rnd(8) === 0 ? 1500 : 40) }, () => pick([...'ab"\\é最\u0000{'])).join('');
    case 2: return bytes(rnd(rnd(8) === 0 ? 2000 : 64));
    case 3: return pick([true, false, null]);
    case 4: return pick([T.CHALLENGE, T.RECEIPT, T.REG_CHALLENGE, T.RECENT, 0, 255, 2 ** 32]);
    case 5: return Array.from({ length: rnd(6) }, () => randomValue(depth + 1));
    default: return new Map<CborValue, CborValue>(Array.from({ length: rnd(7) }, () => [rnd(3) ? rnd(12) : randomValue(depth + 1), randomValue(depth + 1)] as [CborValue, CborValue]));
  }
}

function randomMessage(): Map<CborValue, CborValue> {
  const type = pick([T.CHALLENGE, T.RECEIPT, T.REG_CHALLENGE, T.RECENT, T.ASSERTION, T.PAY_REQUEST, 99, -1]);
  const m = new Map<CborValue, CborValue>([[1, type]]);
  for (let k = 2; k <= 2 + rnd(6); k++) if (rnd(4)) m.set(k, randomValue());
  if (type === T.RECENT && rnd(2)) {
    m.set(2, Array.from({ length: rnd(30) }, () => [longName(rnd(2) ? 20 : 1100), pick(['1.00', '9'.repeat(40), '']), pick(['HKD', 'X', ''])]));
  }
  return m;
}

function mutateFragments(frags: Uint8Array[]): Uint8Array[] {
  const out = frags.slice();
  for (let k = rnd(3); k > 0 && out.length > 0; k--) {
    const i = rnd(out.length);
    switch (rnd(6)) {
      case 0: out.splice(i, 1); break;
      case 1: out.splice(i, 0, out[i]); break;
      case 2: { const f = out[i].slice(); f[rnd(f.length)] ^= 1 << rnd(8); out[i] = f; break; }
      case 3: out[i] = out[i].slice(0, rnd(out[i].length + 1)); break;
      case 4: out.push(bytes(1 + rnd(MTU))); break;
      case 5: out.splice(i, 0, Uint8Array.of(pick([CMD_PING, CMD_KEEPALIVE, CMD_CANCEL, CMD_ERROR, 0x80, 0xff]), 0xff, 0xff)); break;
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------------- images
// First, so the peak-memory figure below is not hidden by the firmware instances of the later sections.

function pngGray(w: number, h: number, raw?: Uint8Array): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0; // 8-bit gray
  const idat = deflateSync(raw ?? Buffer.alloc((w + 1) * h)); // filter byte 0 per row, zero pixels
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG whose SOF0 declares w×h (the rest is a valid small JPEG's data). */
function jpegDeclaring(w: number, h: number): Buffer {
  const j = Buffer.from(jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 128) }, 50).data);
  for (let i = 2; i + 9 < j.length; i++) {
    if (j[i] === 0xff && j[i + 1] === 0xc0) { j.writeUInt16BE(h, i + 5); j.writeUInt16BE(w, i + 7); return j; }
  }
  throw new Error('no SOF0 in the encoded JPEG');
}

/** Decodes, and classifies: a consistent frame, an ImageError, or a failure (anything else). */
function decodeOutcome(b: Uint8Array): 'frame' | 'refused' | string {
  try {
    const f = decodeImage(b, 'fuzz');
    if (!(f.width > 0 && f.height > 0 && f.data.length === f.width * f.height)) return `inconsistent frame ${f.width}x${f.height}/${f.data.length}`;
    return 'frame';
  } catch (e) {
    return e instanceof ImageError ? 'refused' : `${(e as Error).name}: ${(e as Error).message}`;
  }
}

test('images: declared sizes over the limit (8,192 px per side, 40 MP) are refused; mutated images decode or are refused cleanly', { timeout: 300_000 }, () => {
  const failures: string[] = [];
  // valid, tiny files whose declared size is just over the limit: refused before anything is allocated
  const over: [string, Buffer][] = [
    ['PNG 8193x1', pngGray(8193, 1)], ['PNG 1x8193', pngGray(1, 8193)], ['PNG 7000x6500 (45.5 MP, over 40 MP in either sense)', pngGray(7000, 6500)],
    ['JPEG 8193x8', jpegDeclaring(8193, 8)], ['PGM 8193x1', Buffer.concat([Buffer.from('P5\n8193 1\n255\n'), Buffer.alloc(8193)])],
  ];
  let limitEnforced = true;
  for (const [name, b] of over) {
    const o = decodeOutcome(b);
    if (o !== 'refused') { failures.push(`${name}: ${o}, expected a refusal`); limitEnforced = false; }
  }
  // at the limit: accepted
  const at = decodeOutcome(pngGray(8192, 1));
  if (at !== 'frame') failures.push(`PNG 8192x1: ${at}, expected a frame`);
  // The crafted files (69-byte PNG declaring 30000x30000, 116-byte JPEG, zlib bomb) take gigabytes on a
  // decoder without the limit, on a machine other people share: they run only once the limit is seen to hold.
  if (limitEnforced) {
    const crafted: [string, Buffer, boolean][] = [           // name, bytes, must be refused (else: refused or a frame)
      ['PNG 30000x30000, tiny IDAT', pngGray(30000, 30000, Buffer.alloc(10)), true],
      ['JPEG 65000x65000', jpegDeclaring(65000, 65000), true],
      ['PGM 30000x30000', Buffer.from('P5\n30000 30000\n255\n'), true],
      ['PNG 100x100, IDAT inflating to 64 MiB', pngGray(100, 100, Buffer.alloc(64 << 20)), false],
    ];
    const rssBefore = process.resourceUsage().maxRSS; // KiB, the process's peak so far
    for (const [name, b, mustRefuse] of crafted) {
      const o = decodeOutcome(b);
      if (mustRefuse ? o !== 'refused' : o !== 'refused' && o !== 'frame') failures.push(`${name}: ${o}`);
    }
    const grewKiB = process.resourceUsage().maxRSS - rssBefore;
    if (grewKiB > 128 * 1024) failures.push(`crafted images raised peak memory by ${grewKiB} KiB (> 128 MiB)`);
  }
  // mutations of small real images (dimensions untouched, so a decoder without the limit stays small)
  const png = Buffer.from(PNG.sync.write(Object.assign(new PNG({ width: 24, height: 16 }), { data: Buffer.from(bytes(24 * 16 * 4)) })));
  const jpg = Buffer.from(jpeg.encode({ width: 24, height: 16, data: Buffer.from(bytes(24 * 16 * 4)) }, 80).data);
  const pgm = Buffer.concat([Buffer.from('P5\n24 16\n255\n'), Buffer.from(bytes(24 * 16))]);
  const sofEnd = jpg.indexOf(Buffer.from([0xff, 0xc0])) + 11;
  let frames = 0, refused = 0;
  for (let i = 0; i < CASES.images; i++) {
    const [src, keep] = pick([[png, 33], [jpg, sofEnd], [pgm, 13]] as [Buffer, number][]);
    const b = Buffer.from(src);
    for (let k = 1 + rnd(6); k > 0; k--) {
      const at2 = keep + rnd(b.length - keep);
      if (rnd(4) === 0) { b.fill(rnd(256), at2, Math.min(b.length, at2 + rnd(16))); } else b[at2] ^= 1 << rnd(8);
    }
    const cut = rnd(5) === 0 ? keep + rnd(b.length - keep) : b.length;
    const o = decodeOutcome(b.subarray(0, cut));
    if (o === 'frame') frames++; else if (o === 'refused') refused++; else failures.push(`mutated image #${i}: ${o}`);
  }
  console.log(`trust-fuzz images: ${CASES.images} mutated (${frames} decoded, ${refused} refused), ${over.length} over the limit`);
  assert.deepEqual(failures, []);
});

// ----------------------------------------------------------------------------------------------- registration

test('registration challenges (random and JSON-injection shapes) never get a signature without the wearer', { timeout: 300_000 }, async () => {
  const from = mark();
  const list = [...injectionChallenges(), ...Array.from({ length: CASES.registration }, randomChallenge)];
  for (const [i, c] of list.entries()) {
    const what = `registration #${i} ${JSON.stringify(c.slice(0, 40))}`;
    // half in pairing mode (the wearer opened it but never confirms), half outside it
    if (i % 2 === 0) await g.call(what, 'pairBegin', BigInt(g.t));
    await g.msg(what, new Map<CborValue, CborValue>([[1, T.REG_CHALLENGE], [2, c], [3, 'Phone']]), pick([20, MTU]));
    await g.expire(what);
  }
  assertClean('registration', from);
});

// ----------------------------------------------------------------------------------------------- link messages

test('CBOR link messages (random, crafted, mutated fragment streams) never trap, truncate an event or get a signature', { timeout: 300_000 }, async () => {
  const from = mark();
  for (let i = 0; i < CASES.link; i++) {
    const what = `link #${i}`;
    switch (rnd(4)) {
      case 0: await g.msg(what, randomMessage(), pick([20, MTU])); break;
      case 1: await g.rx(what, mutateFragments(fragment(CMD_MSG, cborEncode(randomMessage()), pick([20, MTU])))); break;
      case 2: await g.rx(what, fragment(CMD_MSG, bytes(rnd(300)), MTU)); break;           // not CBOR at all
      default: {                                                                          // the recent-payments reply, after a query
        await g.call(what, 'queryRecent', 1 + rnd(5));
        await g.pump(what);
        await g.msg(what, new Map<CborValue, CborValue>([[1, T.RECENT], [2, Array.from({ length: 1 + rnd(8) }, () =>
          [longName(pick([5, 64, 65, 300, 1100])), pick(['1.00', '0.001', '9'.repeat(30)]), pick(['HKD', 'INR', 'ZZZ'])])]]));
      }
    }
  }
  assertClean('link', from);
});

test('a payment waiting for the wearer: crafted CHALLENGE and RECEIPT messages get no signature', { timeout: 300_000 }, async () => {
  const from = mark();
  const payloads = validPayloads.filter((p) => p.startsWith('000201'));
  for (let i = 0; i < CASES.pending; i++) {
    const what = `pending #${i}`;
    const payload = pick(payloads);
    await g.scan(what, payload);
    const good = new Uint8Array([...bytes(16), ...sha256(payload)]);
    for (let k = 0; k < 1 + rnd(4); k++) {
      const challenge = pick([good, bytes(48), good.subarray(0, 47), new Uint8Array([...good, 0]), new Uint8Array(0)]);
      const m = rnd(4) === 0
        ? new Map<CborValue, CborValue>([[1, T.RECEIPT], [2, pick(['', 'order-1', longName(600)])], [3, rnd(2) === 0], [4, longName(pick([3, 1100]))]])
        : new Map<CborValue, CborValue>([[1, T.CHALLENGE], [2, pick(['order-1', '', longName(1100), '"}'])], [3, challenge]]);
      await g.msg(what, m, pick([20, MTU]));
    }
    await g.expire(what);
  }
  assertClean('pending payment', from);
});

// ----------------------------------------------------------------------------------------------- payloads

test('EMV/UPI payloads through the `payload` command face: no trap, every result line is JSON', { timeout: 600_000 }, async () => {
  const list = [...craftedPayloads(), ...Array.from({ length: CASES.payloadCommand }, () => mutateText(pick(validPayloads)))];
  const failures: string[] = [];
  for (const [i, p] of list.entries()) {
    const arg = p.replace(/\u0000/g, ''); // argv cannot carry NUL
    const r = await runCommand(['payload', arg], { board: 'desktop' });
    if (r.code === 134 || /trap/i.test(r.stderr)) failures.push(`payload #${i}: trap ${r.stderr.trim().slice(-200)}`);
    for (const line of r.stdout.split('\n').filter((l) => l.trim() !== '')) {
      try { JSON.parse(line); } catch { failures.push(`payload #${i}: output line is not JSON: ${line.slice(0, 80)}`); }
    }
  }
  assert.deepEqual(failures, []);
});

test('EMV/UPI payloads through the device face: no trap, no truncated event, no signature', { timeout: 600_000 }, async () => {
  const from = mark();
  const list = [...craftedPayloads(), ...Array.from({ length: CASES.payloadDevice }, () =>
    rnd(6) === 0 ? Buffer.from(bytes(rnd(600))).toString('latin1') : mutateText(pick(validPayloads)))];
  for (const [i, p] of list.entries()) {
    const what = `qr #${i}`;
    await g.scan(what, p);
    if (rnd(2)) {
      // the phone answers with a well-formed challenge for exactly this payload: still no wearer, so no signature
      await g.msg(what, new Map<CborValue, CborValue>([[1, T.CHALLENGE], [2, 'order-x'], [3, new Uint8Array([...bytes(16), ...sha256(p)])]]));
    }
    await g.expire(what);
  }
  assertClean('payload (device face)', from);
});
