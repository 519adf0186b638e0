// `glasses flash`: the mcumgr way. Read the kit (board, SMP buffer size, image state), refuse an image for
// another board before sending a byte, upload with `len`/`off`/`sha`/`upgrade` (resuming from the offset
// the kit reports after a lost link), check the hash in the slot list, mark for test, reset, wait for the
// kit, and confirm once the new image runs (the kit only keeps it up when its self-test passed).
import { createHash } from "node:crypto";
import { GROUP, IMG_CMD, OS_CMD } from "../serial/smp.ts";
import { LinkLostError, NoAnswerError } from "../serial/smp-client.ts";
import { parseImage, versionString } from "./image.ts";
import type { KitSession } from "./session.ts";

export interface SlotState { image?: number; slot: number; version: string; hash: string; bootable: boolean; pending: boolean; confirmed: boolean; active: boolean; permanent: boolean }
export type Step = { step: string; [k: string]: unknown };

export async function kitBoard(s: KitSession): Promise<string> {
  return String((await s.client.read(GROUP.OS, OS_CMD.INFO, { format: "i" }, s.o.timeoutMs)).output);
}

export async function readImages(s: KitSession): Promise<SlotState[]> {
  const r = await s.client.read(GROUP.IMAGE, IMG_CMD.STATE, {}, s.o.timeoutMs);
  return (r.images ?? []).map((i: any) => ({ ...i, hash: Buffer.from(i.hash ?? []).toString("hex") }));
}

export interface UploadProgress { sent: number; total: number; resumedFrom?: number }

/** Uploads a whole image file; resumes through reconnects. Returns the number of reconnects. */
export async function uploadImage(s: KitSession, file: Uint8Array, onProgress: (p: UploadProgress) => void, onStep: (st: Step) => void): Promise<number> {
  const sha = createHash("sha256").update(file).digest();
  let bufSize = 2048;
  try { bufSize = Number((await s.client.read(GROUP.OS, OS_CMD.PARAMS, {}, s.o.timeoutMs)).buf_size) || bufSize; } catch { /* kit without params: default */ }
  // Room for the SMP header and the CBOR keys (first chunk: len, sha, upgrade as well), base64 aside.
  const chunk = Math.max(64, bufSize - 8 - 96);
  let off = 0, first = true, reconnects = 0;
  while (off < file.length || first) {
    const data = file.subarray(off, Math.min(file.length, off + chunk));
    const req: Record<string, any> = { image: 0, off, data };
    if (off === 0) Object.assign(req, { len: file.length, sha: new Uint8Array(sha), upgrade: true });
    let r;
    try {
      r = await s.client.write(GROUP.IMAGE, IMG_CMD.UPLOAD, req, s.o.timeoutMs);
    } catch (e) {
      if (!(e instanceof LinkLostError || e instanceof NoAnswerError)) throw e;
      onStep({ step: "link-lost", at: off, error: (e as Error).message });
      // A pulled cable may show as a closed port or only as silence: open the port afresh either way.
      await s.reconnect();
      reconnects++;
      if (reconnects > 20) throw new Error(`gave up after ${reconnects} reconnects: ${(e as Error).message}`);
      // Ask from the start with the whole file's sha: the kit answers where its copy ends.
      off = 0; first = true;
      continue;
    }
    const next = Number(r.off);
    if (first && off === 0 && next > data.length) onStep({ step: "resume", from: next });
    first = false;
    off = next;
    onProgress({ sent: off, total: file.length });
  }
  return reconnects;
}

export interface FlashOptions { confirm: boolean; bootWaitMs: number; onStep: (s: Step) => void; onProgress: (p: UploadProgress) => void }

export async function flashImage(s: KitSession, file: Uint8Array, o: FlashOptions): Promise<{ version: string; hash: string; confirmed: boolean }> {
  const img = parseImage(file);
  const hash = img.hash?.toString("hex");
  if (!hash) throw new Error("the image has no SHA-256 TLV: sign it with `glasses image`");
  const board = await kitBoard(s);
  o.onStep({ step: "kit", board, port: s.o.port });
  if (img.board !== board) throw new Error(`image is for board '${img.board ?? "none"}' but the kit on ${s.o.port} is '${board}': not uploading`);
  let slots = await readImages(s);
  o.onStep({ step: "state", images: slots });
  const running = slots.find((x) => x.slot === 0 && x.active);
  if (running?.hash === hash && running.confirmed) { o.onStep({ step: "done", already: true, version: running.version }); return { version: running.version, hash, confirmed: true }; }
  if (!slots.some((x) => x.slot === 1 && x.hash === hash) && running?.hash !== hash) {
    const t0 = Date.now();
    const reconnects = await uploadImage(s, file, o.onProgress, o.onStep);
    const secs = (Date.now() - t0) / 1000;
    o.onStep({ step: "upload", bytes: file.length, seconds: +secs.toFixed(3), bytes_per_s: Math.round(file.length / secs), reconnects });
    slots = await readImages(s);
  }
  if (running?.hash !== hash) {
    const s1 = slots.find((x) => x.slot === 1);
    if (s1?.hash !== hash) throw new Error(`hash check failed: slot 1 holds ${s1?.hash ?? "nothing"}, the image is ${hash}`);
    o.onStep({ step: "hash-check", slot: 1, hash });
    await s.client.write(GROUP.IMAGE, IMG_CMD.STATE, { hash: new Uint8Array(Buffer.from(hash, "hex")), confirm: false }, s.o.timeoutMs);
    o.onStep({ step: "test", hash });
    const consoleMark = s.client.console.length;
    await s.client.write(GROUP.OS, OS_CMD.RESET, {}, s.o.timeoutMs);
    o.onStep({ step: "reset" });
    await new Promise((r) => setTimeout(r, 150));
    await s.waitForKit(o.bootWaitMs);
    slots = await readImages(s);
    const active = slots.find((x) => x.active);
    if (active?.hash !== hash) {
      const said = s.client.console.slice(consoleMark).filter((l) => /boot:|self-test|app:/.test(l));
      throw new Error(`the kit did not keep the new image (running ${active ? `${active.version} ${active.hash.slice(0, 16)}…` : "nothing"})` +
        (said.length ? `; the kit said:\n  ${said.join("\n  ")}` : "; see the kit's console"));
    }
    o.onStep({ step: "running", version: active.version, selftest: "pass" });
  }
  if (!o.confirm) { o.onStep({ step: "done", confirmed: false, note: "left in test: the next reset reverts unless confirmed" }); return { version: versionString(img.version), hash, confirmed: false }; }
  await s.client.write(GROUP.IMAGE, IMG_CMD.STATE, { confirm: true }, s.o.timeoutMs);
  slots = await readImages(s);
  const now = slots.find((x) => x.active);
  if (!now?.confirmed) throw new Error("confirm was accepted but the image is still not confirmed");
  o.onStep({ step: "confirm", version: now.version, hash });
  o.onStep({ step: "done", confirmed: true });
  return { version: now.version, hash, confirmed: true };
}
