// Persistent state: a set of small sections (id → bytes) serialised into one versioned, checksummed,
// sealed blob.
//
// Blob layout (little-endian):
//   0  u32 magic "GLST"      4  u16 version (1)      6  u16 flags (bit 0: payload sealed, always set)
//   8  u32 generation        12 u32 payload length   16 payload: seal(sections { u16 id, u16 len, bytes })
//   16+len u32 CRC-32 of everything before it
// The sections are sealed (crypto/seal.ts: ChaCha20-Poly1305 under an HKDF key from the device secret
// the host supplies from its secure storage), with the header bytes as associated data; an unsealed,
// tampered or foreign blob is refused. The CRC catches accidental corruption before authentication.
// The host keeps two slots and writes the new blob beside the old one before switching (whole-or-nothing);
// `generation` tells it which is newer. loadState() validates the whole blob before touching the live
// sections, so a truncated or corrupt blob is refused and never half-loaded.
import { OK, E_STATE_CORRUPT, E_STATE_VERSION, E_TOO_LARGE, E_TRUNCATED, E_STATE_AUTH, E_NOT_INIT, E_ARGS, E_STATE_ROLLBACK } from "../errors";
import { crc32 } from "../util/crc32";
import { sealWithLabel, openWithLabel, SEAL_OVERHEAD } from "../crypto/seal";

export const STATE_MAGIC: u32 = 0x54534c47; // "GLST"
export const STATE_VERSION: u16 = 1;
export const STATE_HEADER: i32 = 16;
// The sections area: room for the largest state, the voice profile (6,488 bytes since profile v7; v6's 6,684 set
// this size) and MAX_MANDATES mandates at their largest (about 2.75 KiB each, with 255-byte names) besides
// the small sections. A blob written under the earlier 16 KiB still opens: its payload length is in its header.
export const STATE_CAPACITY: i32 = 20480;
export const STATE_BLOB_MAX: i32 = STATE_HEADER + STATE_CAPACITY + SEAL_OVERHEAD + 4;
export const FLAG_SEALED: u16 = 1;
export const SECRET_MIN: i32 = 16;
export const SECRET_MAX: i32 = 64;

const sections: usize = memory.data(STATE_CAPACITY, 8);
let sectionsLen: i32 = 0;
let generation: u32 = 0;
const blob: usize = memory.data(STATE_BLOB_MAX, 8);
const opened: usize = memory.data(STATE_CAPACITY, 8);
const secret: usize = memory.data(SECRET_MAX, 8);
let secretLen: i32 = 0;

/** Sets the device secret the state is sealed under (from the host's secure storage). */
export function stateSetSecret(ptr: usize, len: i32): i32 {
  if (len < SECRET_MIN || len > SECRET_MAX) return E_ARGS;
  memory.copy(secret, ptr, len);
  secretLen = len;
  return OK;
}
export function stateHasSecret(): bool { return secretLen > 0; }

function findSection(id: u16): i32 {
  let off = 0;
  while (off + 4 <= sectionsLen) {
    const sid = load<u16>(sections + off);
    const len = <i32>load<u16>(sections + off, 2);
    if (sid == id) return off;
    off += 4 + len;
  }
  return -1;
}

/** Stores (or replaces) section id. */
export function stateSet(id: u16, ptr: usize, len: i32): i32 {
  if (len < 0 || len > 0xffff) return E_TOO_LARGE;
  const at = findSection(id);
  let used = sectionsLen;
  if (at >= 0) used -= 4 + <i32>load<u16>(sections + at, 2);
  if (used + 4 + len > STATE_CAPACITY) return E_TOO_LARGE;
  if (at >= 0) {
    const oldEnd = at + 4 + <i32>load<u16>(sections + at, 2);
    memory.copy(sections + at, sections + oldEnd, sectionsLen - oldEnd);
    sectionsLen -= oldEnd - at;
  }
  store<u16>(sections + sectionsLen, id);
  store<u16>(sections + sectionsLen, <u16>len, 2);
  memory.copy(sections + sectionsLen + 4, ptr, len);
  sectionsLen += 4 + len;
  return OK;
}

/** Copies section id into out (at most max bytes); returns its length, or -1 when absent or too big. */
export function stateGet(id: u16, out: usize, max: i32): i32 {
  const at = findSection(id);
  if (at < 0) return -1;
  const len = <i32>load<u16>(sections + at, 2);
  if (len > max) return -1;
  memory.copy(out, sections + at + 4, len);
  return len;
}

/** Length of section id, or -1 when absent. */
export function stateSize(id: u16): i32 {
  const at = findSection(id);
  return at < 0 ? -1 : <i32>load<u16>(sections + at, 2);
}

export function stateClear(): void { memory.fill(sections, 0, sectionsLen); sectionsLen = 0; }
export function stateGeneration(): u32 { return generation; }
export function stateBlobPtr(): usize { return blob; }

/** Seals the live sections into the blob buffer (next generation); returns its length or -status. */
export function stateSerialize(): i32 {
  if (secretLen == 0) return -E_NOT_INIT;
  generation++;
  if (generation > minGeneration) minGeneration = generation;
  store<u32>(blob, STATE_MAGIC);
  store<u16>(blob, STATE_VERSION, 4);
  store<u16>(blob, FLAG_SEALED, 6);
  store<u32>(blob, generation, 8);
  const plen = sectionsLen + SEAL_OVERHEAD;
  store<u32>(blob, <u32>plen, 12);
  // The header is the label (authenticated), so a blob cannot be replayed under another generation.
  const st = sealWithLabel(blob + STATE_HEADER, secret, secretLen, blob, STATE_HEADER, sections, sectionsLen);
  if (st != OK) return -st;
  const end = STATE_HEADER + plen;
  store<u32>(blob + end, crc32(blob, end));
  return end + 4;
}

// The lowest generation a blob may have to be loaded: the anchor a store keeps (the highest generation it
// ever saved) or, on a real board, a hardware monotonic counter (RPMB, OTP fuses, a secure element counter)
// that the firmware bumps before each persisted signature. A restored older blob is then refused.
let minGeneration: u32 = 0;
export function stateSetMinGeneration(g: u32): void { if (g > minGeneration) minGeneration = g; }
export function stateMinGeneration(): u32 { return minGeneration; }

/** Validates and opens a blob completely, then replaces the live sections with it. */
export function stateLoad(ptr: usize, len: i32): i32 {
  if (len < STATE_HEADER + 4) return E_TRUNCATED;
  if (load<u32>(ptr) != STATE_MAGIC) return E_STATE_CORRUPT;
  if (load<u16>(ptr, 4) != STATE_VERSION) return E_STATE_VERSION;
  const plen = <i32>load<u32>(ptr, 12);
  if (plen < SEAL_OVERHEAD || plen > STATE_CAPACITY + SEAL_OVERHEAD) return E_STATE_CORRUPT;
  if (len < STATE_HEADER + plen + 4) return E_TRUNCATED;
  if (len != STATE_HEADER + plen + 4) return E_STATE_CORRUPT;
  if (load<u32>(ptr, 8) < minGeneration) return E_STATE_ROLLBACK;
  if (crc32(ptr, STATE_HEADER + plen) != load<u32>(ptr + STATE_HEADER + plen)) return E_STATE_CORRUPT;
  if (load<u16>(ptr, 6) != FLAG_SEALED) return E_STATE_AUTH;      // never accept an unsealed blob
  if (secretLen == 0) return E_NOT_INIT;
  const st = openWithLabel(opened, secret, secretLen, ptr, STATE_HEADER, ptr + STATE_HEADER, plen);
  if (st != OK) return st;
  const n = plen - SEAL_OVERHEAD;
  // Section records must tile the payload exactly.
  let off = 0;
  while (off < n) {
    if (off + 4 > n) return E_STATE_CORRUPT;
    off += 4 + <i32>load<u16>(opened + off, 2);
  }
  if (off != n) return E_STATE_CORRUPT;
  memory.copy(sections, opened, n);
  memory.fill(opened, 0, n);
  sectionsLen = n;
  generation = load<u32>(ptr, 8);
  minGeneration = generation;
  return OK;
}
