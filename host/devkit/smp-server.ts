// The kit's SMP server: OS group (echo, reset, MCUmgr parameters, OS info), image group (state read/write,
// upload with resume, erase) and the device-face group (64, see device-face-server.ts). Answers in the
// request's SMP version: v2 `{"err":{"group","rc"}}` for group errors, `{"rc"}` otherwise, plus `rsn`.
import { createHash } from "node:crypto";
import { decodeMap, decodeSmp, encodeCbor, encodeSmp, GROUP, IMG_CMD, IMG_ERR, MGMT, OP, OS_CMD, type SmpMessage } from "../serial/smp.ts";
import { encodeConsolePacket } from "../serial/console-framing.ts";
import { compareVersions, parseHeader, parseImage, versionString, ImageError } from "../flash/image.ts";
import type { CborValue } from "../phone/cbor.ts";
import type { FlashStore } from "./flash-store.ts";

export const SMP_BUF_SIZE = 2048;     // what the kit advertises as its SMP MTU (OS params)
export const SLOT_MAX_BYTES = 4 << 20;

class Reply extends Error { constructor(readonly group: number, readonly rc: number, readonly rsn: string, readonly general = false) { super(rsn); } }
const imgErr = (name: string, rsn: string) => new Reply(GROUP.IMAGE, IMG_ERR[name], rsn);
const mgmtErr = (name: string, rsn: string) => new Reply(0, MGMT[name], rsn, true);

export interface KitContext {
  board: string;
  store: FlashStore;
  running: () => boolean;              // the app in slot 0 is up (passed its self-test)
  requestReset: () => void;
  log: (l: string) => void;
  deviceFace: (m: SmpMessage) => Uint8Array | Promise<Uint8Array>;   // group 64, payload in → payload out
}

export class SmpServer {
  constructor(private k: KitContext) {}

  /** One request body in, the framed answer out (null when nothing is to be answered). */
  async handle(body: Uint8Array): Promise<Buffer | null> {
    let m: SmpMessage;
    try { m = decodeSmp(body); } catch { return null; }
    if (m.op !== OP.READ && m.op !== OP.WRITE) return null;
    let payload: Uint8Array;
    try {
      if (m.group >= 64) payload = await this.k.deviceFace(m);
      else payload = encodeCbor(this.dispatch(m, m.payload.length ? decodeMap(m.payload) : {}));
    } catch (e) {
      const r = e instanceof Reply ? e : mgmtErr(m.group >= 64 ? "EUNKNOWN" : "EINVAL", (e as Error).message);
      const err: Record<string, CborValue> = m.version >= 1 && !r.general ? { err: { group: r.group, rc: r.rc } } : { rc: r.general ? r.rc : MGMT.EUNKNOWN };
      if (r.rsn) err.rsn = r.rsn;
      payload = encodeCbor(err);
    }
    return encodeConsolePacket(encodeSmp({ version: m.version, op: m.op + 1, group: m.group, seq: m.seq, id: m.id }, payload));
  }

  private dispatch(m: SmpMessage, req: Record<string, any>): Record<string, CborValue> {
    if (m.group === GROUP.OS) {
      if (m.id === OS_CMD.ECHO) return { r: String(req.d ?? "") };
      if (m.id === OS_CMD.RESET && m.op === OP.WRITE) { setTimeout(() => this.k.requestReset(), 20); return {}; }
      if (m.id === OS_CMD.PARAMS && m.op === OP.READ) return { buf_size: SMP_BUF_SIZE, buf_count: 1 };
      if (m.id === OS_CMD.INFO && m.op === OP.READ) return { output: this.osInfo(String(req.format ?? "s")) };
    } else if (m.group === GROUP.IMAGE) {
      if (m.id === IMG_CMD.STATE) return m.op === OP.READ ? this.state() : this.setState(req);
      if (m.id === IMG_CMD.UPLOAD && m.op === OP.WRITE) return this.upload(req);
      if (m.id === IMG_CMD.ERASE && m.op === OP.WRITE) return this.erase(req);
    }
    throw mgmtErr("ENOTSUP", `group ${m.group} command ${m.id} op ${m.op} is not supported`);
  }

  /** Zephyr's uname-like format letters; `i` (hardware platform) is the board id. */
  private osInfo(format: string): string {
    const parts: Record<string, string> = { s: "glasses-devkit", n: "devkit", r: "0.1.0", v: "emulated", m: "wasm32", p: "wasi", i: this.k.board, o: "glasses-pay" };
    const keys = format.includes("a") ? Object.keys(parts) : [...format].filter((c) => parts[c]);
    return keys.map((c) => parts[c]).join(" ");
  }

  state(): Record<string, CborValue> {
    const f = this.k.store.flags();
    const images: CborValue[] = [];
    for (const slot of [0, 1] as const) {
      const bytes = this.k.store.slot(slot);
      if (!bytes) continue;
      let img;
      try { img = parseImage(bytes); } catch { continue; }
      const hash = img.hash ?? img.computedHash;
      images.push(slot === 0
        ? { image: 0, slot, version: versionString(img.version), hash: new Uint8Array(hash), bootable: true, pending: false,
            confirmed: f.confirmed, active: this.k.running(), permanent: false }
        : { image: 0, slot, version: versionString(img.version), hash: new Uint8Array(hash), bootable: true, pending: f.pending !== "none",
            confirmed: f.testing, active: false, permanent: f.pending === "permanent" });
    }
    return { images, splitStatus: 0 };
  }

  private slotByHash(hash: Uint8Array | undefined): 0 | 1 | -1 {
    for (const slot of [0, 1] as const) {
      const b = this.k.store.slot(slot);
      if (!b) continue;
      try { const h = parseImage(b).hash; if (h && hash && Buffer.from(hash).equals(h)) return slot; } catch { /* unreadable slot */ }
    }
    return -1;
  }

  private setState(req: Record<string, any>): Record<string, CborValue> {
    const confirm = req.confirm === true;
    const slot = req.hash instanceof Uint8Array ? this.slotByHash(req.hash) : 0;
    if (slot < 0) throw imgErr("HASH_NOT_FOUND", "no slot holds an image with that hash");
    if (slot === 0) {
      if (!confirm) throw imgErr("IMAGE_CONFIRMATION_DENIED", "the running image cannot be marked for test");
      if (!this.k.running()) throw imgErr("IMAGE_CONFIRMATION_DENIED", "the image in slot 0 is not running (self-test failed or not verified)");
      this.k.store.setFlags({ confirmed: true, testing: false });
      this.k.log("image: slot 0 confirmed");
    } else {
      if (this.k.store.upload()) throw imgErr("IMAGE_ALREADY_PENDING", "an upload is in progress");
      this.k.store.setFlags({ pending: confirm ? "permanent" : "test" });
      this.k.log(`image: slot 1 marked ${confirm ? "permanent" : "for test"} on the next reset`);
    }
    return this.state();
  }

  private upload(req: Record<string, any>): Record<string, CborValue> {
    const store = this.k.store;
    const off = req.off, data: Uint8Array = req.data;
    if (typeof off !== "number" || !(data instanceof Uint8Array)) throw mgmtErr("EINVAL", "upload needs off and data");
    let u = store.upload();
    if (off === 0) {
      const len = req.len;
      if (typeof len !== "number" || len <= 0) throw imgErr("INVALID_LENGTH", "len is required with off 0");
      if (len > SLOT_MAX_BYTES) throw imgErr("INVALID_IMAGE_TOO_LARGE", `${len} bytes do not fit a ${SLOT_MAX_BYTES}-byte slot`);
      const sha = req.sha instanceof Uint8Array ? Buffer.from(req.sha).toString("hex") : "";
      // Same file as the upload in progress: tell the client where to carry on (resume).
      if (u && sha && u.sha === sha && u.len === len && u.off > 0) return { off: u.off };
      // Zephyr's img_mgmt_slot_in_use: slot 1 holding the image to revert to is not free.
      if (store.flags().testing) throw imgErr("NO_FREE_SLOT", "slot 1 holds the image a reset reverts to: confirm the running test image or reset first");
      let h;
      try { h = parseHeader(data); } catch (e) {
        throw imgErr(/magic/.test((e as Error).message) ? "INVALID_IMAGE_HEADER_MAGIC" : "INVALID_IMAGE_HEADER", (e as Error).message);
      }
      const s0 = store.slot(0);
      if (s0 && !store.flags().testing) {
        try {
          const cur = parseImage(s0).version;
          // MCUboot refuses downgrades at boot; `upgrade: true` (Zephyr) also refuses the same version.
          const c = compareVersions(h.version, cur);
          if (c < 0) throw imgErr("CURRENT_VERSION_IS_NEWER", `${versionString(h.version)} is older than the running ${versionString(cur)}`);
          if (c === 0 && req.upgrade === true) throw imgErr("CURRENT_VERSION_IS_NEWER", `${versionString(h.version)} is not newer than the running ${versionString(cur)} (upgrade only)`);
        } catch (e) { if (e instanceof Reply) throw e; }
      }
      store.beginUpload(len, sha);
      u = store.upload();
    }
    if (!u) return { off: 0 };                              // nothing in progress (e.g. after an erase): start again
    if (off !== u.off) return { off: u.off };               // out of step: the client resends from here
    if (off + data.length > u.len) throw imgErr("INVALID_IMAGE_DATA_OVERRUN", `chunk ends at ${off + data.length}, image is ${u.len} bytes`);
    const next = store.writeChunk(off, data);
    if (next < u.len) return { off: next };
    const whole = store.partial();
    if (u.sha && createHash("sha256").update(whole).digest("hex") !== u.sha) {
      store.abortUpload();
      throw imgErr("INVALID_HASH", "the uploaded bytes do not match the sha given with the first chunk");
    }
    try {
      const img = parseImage(whole);
      if (img.board !== this.k.board) { store.abortUpload(); throw imgErr("INVALID_TLV", `image is for board '${img.board ?? "none"}', this kit is '${this.k.board}'`); }
    } catch (e) {
      if (e instanceof Reply) throw e;
      store.abortUpload();
      throw imgErr("INVALID_IMAGE_HEADER", e instanceof ImageError ? e.message : String(e));
    }
    store.finishUpload();
    this.k.log(`image: upload of ${u.len} bytes complete in slot 1`);
    return { off: next, match: true };
  }

  private erase(req: Record<string, any>): Record<string, CborValue> {
    const slot = typeof req.slot === "number" ? req.slot : 1;
    if (slot !== 1) throw imgErr("INVALID_SLOT", "only slot 1 can be erased");
    if (this.k.store.flags().testing) throw imgErr("IMAGE_CONFIRMATION_DENIED", "slot 1 holds the image to revert to; confirm slot 0 first");
    this.k.store.abortUpload();
    this.k.store.writeSlot(1, null);
    this.k.store.setFlags({ pending: "none" });
    return {};
  }
}
