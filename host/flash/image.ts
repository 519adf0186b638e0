// MCUboot image format (mcuboot docs/design.md, "Image format"): a 32-byte header, the body (here: a WASI
// firmware module), a protected TLV area (covered by the hash and signature) and an unprotected TLV area
// holding the SHA-256 of header+body+protected TLVs, the signing key's hash and an ECDSA P-256 signature.
import { createHash, sign, verify, type KeyObject } from "node:crypto";
import { publicKeyDer } from "./keys.ts";

export const IMAGE_MAGIC = 0x96f3b83d;
export const HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV = { KEYHASH: 0x01, SHA256: 0x10, ECDSA_SIG: 0x22 } as const;
// Vendor TLV (MCUboot leaves 0x00a0–0xfffe to users): the board id the module was built for, in the
// protected area so that it is signed.
export const TLV_BOARD = 0x00a0;

export interface ImageVersion { major: number; minor: number; revision: number; build: number }

export function parseVersion(s: string): ImageVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\+(\d+))?$/.exec(s);
  if (!m) throw new Error(`version '${s}' is not MAJOR.MINOR.REVISION[+BUILD]`);
  const v = { major: +m[1], minor: +m[2], revision: +m[3], build: +(m[4] ?? 0) };
  if (v.major > 255 || v.minor > 255 || v.revision > 0xffff || v.build > 0xffffffff) throw new Error(`version '${s}' is out of range (255.255.65535+4294967295)`);
  return v;
}
export const versionString = (v: ImageVersion) => `${v.major}.${v.minor}.${v.revision}${v.build ? `+${v.build}` : ""}`;
/** MCUboot's order: major, minor, revision, then build number. */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.revision - b.revision || a.build - b.build;
}

function tlvArea(magic: number, entries: [number, Uint8Array][]): Buffer {
  const size = 4 + entries.reduce((s, [, v]) => s + 4 + v.length, 0);
  const b = Buffer.alloc(size);
  b.writeUInt16LE(magic, 0);
  b.writeUInt16LE(size, 2);
  let o = 4;
  for (const [t, v] of entries) { b.writeUInt16LE(t, o); b.writeUInt16LE(v.length, o + 2); b.set(v, o + 4); o += 4 + v.length; }
  return b;
}

export function buildImage(body: Uint8Array, board: string, version: ImageVersion, key: KeyObject): Buffer {
  const prot = tlvArea(TLV_PROT_INFO_MAGIC, [[TLV_BOARD, Buffer.from(board, "utf8")]]);
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32LE(IMAGE_MAGIC, 0);
  h.writeUInt32LE(0, 4);                 // load address: none (XIP-less)
  h.writeUInt16LE(HEADER_SIZE, 8);
  h.writeUInt16LE(prot.length, 10);
  h.writeUInt32LE(body.length, 12);
  h.writeUInt32LE(0, 16);                // flags
  h[20] = version.major; h[21] = version.minor; h.writeUInt16LE(version.revision, 22); h.writeUInt32LE(version.build, 24);
  const signed = Buffer.concat([h, body, prot]);
  const hash = createHash("sha256").update(signed).digest();
  // ECDSA over SHA-256 of the signed region: the same signature imgtool makes over the digest.
  const sig = sign("sha256", signed, key);
  const keyHash = createHash("sha256").update(publicKeyDer(key)).digest();
  return Buffer.concat([signed, tlvArea(TLV_INFO_MAGIC, [[TLV.SHA256, hash], [TLV.KEYHASH, keyHash], [TLV.ECDSA_SIG, sig]])]);
}

export interface ParsedImage {
  version: ImageVersion;
  headerSize: number;
  bodySize: number;
  body: Uint8Array;
  board: string | null;
  hash: Buffer | null;          // the SHA-256 TLV (the "hash" SMP image lists report)
  computedHash: Buffer;         // SHA-256 of header+body+protected TLVs as they are
  keyHash: Buffer | null;
  signature: Buffer | null;
  signedRegion: Buffer;
}

export class ImageError extends Error {}

/** Just the header (the first chunk of an upload carries it). */
export function parseHeader(buf: Uint8Array): { version: ImageVersion; headerSize: number; protSize: number; bodySize: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_SIZE) throw new ImageError(`image is ${b.length} bytes, shorter than an MCUboot header`);
  const magic = b.readUInt32LE(0);
  if (magic !== IMAGE_MAGIC) throw new ImageError(`not an MCUboot image: magic 0x${magic.toString(16)} is not 0x96f3b83d`);
  const headerSize = b.readUInt16LE(8);
  if (headerSize < HEADER_SIZE) throw new ImageError(`header size ${headerSize} is below ${HEADER_SIZE}`);
  return { version: { major: b[20], minor: b[21], revision: b.readUInt16LE(22), build: b.readUInt32LE(24) }, headerSize,
    protSize: b.readUInt16LE(10), bodySize: b.readUInt32LE(12) };
}

function readTlvs(b: Buffer, at: number, magic: number, what: string): { end: number; tlvs: [number, Buffer][] } {
  if (at + 4 > b.length) throw new ImageError(`image is truncated: no ${what} TLV area`);
  if (b.readUInt16LE(at) !== magic) throw new ImageError(`bad ${what} TLV magic 0x${b.readUInt16LE(at).toString(16)}`);
  const size = b.readUInt16LE(at + 2);
  if (at + size > b.length || size < 4) throw new ImageError(`${what} TLV area overruns the image`);
  const tlvs: [number, Buffer][] = [];
  for (let o = at + 4; o < at + size;) {
    if (o + 4 > at + size) throw new ImageError(`${what} TLV header overruns its area`);
    const t = b.readUInt16LE(o), n = b.readUInt16LE(o + 2);
    if (o + 4 + n > at + size) throw new ImageError(`${what} TLV 0x${t.toString(16)} overruns its area`);
    tlvs.push([t, b.subarray(o + 4, o + 4 + n)]);
    o += 4 + n;
  }
  return { end: at + size, tlvs };
}

export function parseImage(buf: Uint8Array): ParsedImage {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const h = parseHeader(b);
  const bodyEnd = h.headerSize + h.bodySize;
  if (bodyEnd > b.length) throw new ImageError(`image is truncated: header says ${h.bodySize} body bytes`);
  let at = bodyEnd;
  let board: string | null = null;
  if (h.protSize) {
    const p = readTlvs(b, at, TLV_PROT_INFO_MAGIC, "protected");
    if (p.end - at !== h.protSize) throw new ImageError(`protected TLV size ${p.end - at} does not match the header's ${h.protSize}`);
    for (const [t, v] of p.tlvs) if (t === TLV_BOARD) board = v.toString("utf8");
    at = p.end;
  }
  const signedRegion = b.subarray(0, at);
  const u = readTlvs(b, at, TLV_INFO_MAGIC, "unprotected");
  const get = (t: number) => u.tlvs.find(([k]) => k === t)?.[1] ?? null;
  return { version: h.version, headerSize: h.headerSize, bodySize: h.bodySize, body: b.subarray(h.headerSize, bodyEnd), board,
    hash: get(TLV.SHA256), computedHash: createHash("sha256").update(signedRegion).digest(), keyHash: get(TLV.KEYHASH),
    signature: get(TLV.ECDSA_SIG), signedRegion };
}

/** MCUboot's boot-time check: hash TLV matches, signature verifies against a trusted key. Returns a problem or null. */
export function checkImage(img: ParsedImage, trusted: KeyObject): string | null {
  if (!img.hash) return "no SHA-256 TLV";
  if (!img.hash.equals(img.computedHash)) return "SHA-256 TLV does not match the image (corrupted)";
  if (!img.signature) return "no ECDSA signature TLV";
  if (!verify("sha256", img.signedRegion, trusted, img.signature)) return "bad signature (not signed by the trusted key)";
  return null;
}
