// SMP (Zephyr mcumgr) messages: the 8-byte big-endian header, CBOR payloads for groups below 64, and the
// error codes by name (v1 `{"rc"}` and v2 `{"err":{"group","rc"}}`).
import { cborDecode, cborEncode, type CborValue } from "../phone/cbor.ts";

export const OP = { READ: 0, READ_RSP: 1, WRITE: 2, WRITE_RSP: 3 } as const;
export const GROUP = { OS: 0, IMAGE: 1, DEVICE_FACE: 64 } as const;
export const OS_CMD = { ECHO: 0, RESET: 5, PARAMS: 6, INFO: 7 } as const;
export const IMG_CMD = { STATE: 0, UPLOAD: 1, ERASE: 5 } as const;
export const HEADER_LEN = 8;

export interface SmpHeader { version: number; op: number; flags: number; length: number; group: number; seq: number; id: number }
export interface SmpMessage extends SmpHeader { payload: Uint8Array }

export function encodeSmp(h: Omit<SmpHeader, "length" | "flags"> & { flags?: number }, payload: Uint8Array): Uint8Array {
  const b = Buffer.alloc(HEADER_LEN + payload.length);
  b[0] = ((h.version & 3) << 3) | (h.op & 7);
  b[1] = h.flags ?? 0;
  b.writeUInt16BE(payload.length, 2);
  b.writeUInt16BE(h.group, 4);
  b[6] = h.seq & 0xff;
  b[7] = h.id;
  b.set(payload, HEADER_LEN);
  return new Uint8Array(b);
}

export function decodeSmp(body: Uint8Array): SmpMessage {
  if (body.length < HEADER_LEN) throw new RangeError(`SMP packet of ${body.length} bytes is shorter than its header`);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const length = dv.getUint16(2);
  if (body.length !== HEADER_LEN + length) throw new RangeError(`SMP header says ${length} payload bytes, packet has ${body.length - HEADER_LEN}`);
  return { version: (body[0] >> 3) & 3, op: body[0] & 7, flags: body[1], length, group: dv.getUint16(4), seq: body[6], id: body[7],
    payload: body.subarray(HEADER_LEN) };
}

export const encodeCbor = (v: CborValue) => cborEncode(v);

/** A CBOR map payload as a plain object (string keys), or throws. */
export function decodeMap(payload: Uint8Array): Record<string, any> {
  const { value } = cborDecode(payload);
  if (!(value instanceof Map)) throw new TypeError("SMP payload is not a CBOR map");
  return mapToObject(value);
}

function mapToObject(m: Map<CborValue, CborValue>): Record<string, any> {
  const o: Record<string, any> = {};
  for (const [k, v] of m) o[String(k)] = conv(v);
  return o;
}
function conv(v: CborValue): any {
  if (v instanceof Map) return mapToObject(v);
  if (Array.isArray(v)) return v.map(conv);
  return v;
}

/** MGMT_ERR_* (Zephyr mgmt.h). */
export const MGMT_ERR: Record<number, string> = {
  0: "EOK", 1: "EUNKNOWN", 2: "ENOMEM", 3: "EINVAL", 4: "ETIMEOUT", 5: "ENOENT", 6: "EBADSTATE", 7: "EMSGSIZE",
  8: "ENOTSUP", 9: "ECORRUPT", 10: "EBUSY", 11: "EACCESSDENIED", 12: "UNSUPPORTED_TOO_OLD", 13: "UNSUPPORTED_TOO_NEW",
};
/** IMG_MGMT_ERR_* (Zephyr img_mgmt.h), the v2 rc values of group 1 that this project uses or may meet. */
export const IMG_MGMT_ERR: Record<number, string> = {
  0: "OK", 1: "UNKNOWN", 3: "NO_IMAGE", 4: "NO_TLVS", 5: "INVALID_TLV", 8: "HASH_NOT_FOUND", 9: "NO_FREE_SLOT",
  14: "INVALID_SLOT", 20: "INVALID_OFFSET", 21: "INVALID_LENGTH", 22: "INVALID_IMAGE_HEADER", 23: "INVALID_IMAGE_HEADER_MAGIC",
  24: "INVALID_HASH", 27: "CURRENT_VERSION_IS_NEWER", 28: "IMAGE_ALREADY_PENDING", 30: "INVALID_IMAGE_TOO_LARGE",
  31: "INVALID_IMAGE_DATA_OVERRUN", 32: "IMAGE_CONFIRMATION_DENIED",
};
export const IMG_ERR = Object.fromEntries(Object.entries(IMG_MGMT_ERR).map(([k, v]) => [v, Number(k)])) as Record<string, number>;
export const MGMT = Object.fromEntries(Object.entries(MGMT_ERR).map(([k, v]) => [v, Number(k)])) as Record<string, number>;

export class SmpError extends Error {
  constructor(readonly group: number, readonly rc: number, readonly v2: boolean, readonly reason?: string) {
    const name = v2 && group === GROUP.IMAGE ? `IMG_MGMT_ERR_${IMG_MGMT_ERR[rc] ?? rc}` : v2 && group >= 64 ? `group ${group} rc ${rc}` : `MGMT_ERR_${MGMT_ERR[rc] ?? rc}`;
    super(`device answered ${name}${reason ? `: ${reason}` : ""}`);
  }
}

/** Throws SmpError when a response map carries an error (either form); returns the map otherwise. */
export function checkResponse(group: number, map: Record<string, any>): Record<string, any> {
  if (map.err && typeof map.err === "object" && map.err.rc) throw new SmpError(map.err.group ?? group, map.err.rc, true, map.rsn);
  if (typeof map.rc === "number" && map.rc !== 0) throw new SmpError(group, map.rc, false, map.rsn);
  return map;
}
