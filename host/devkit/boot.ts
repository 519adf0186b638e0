// The kit's boot step, with MCUboot's rules (swap with revert, signature check, downgrade prevention):
//  1. slot 1 marked pending → verify it (hash, signature against the kit's trusted key, board, version not
//     lower than slot 0's). Refused: the mark is cleared and slot 0 keeps running. Accepted: the slots
//     swap; a "test" image runs unconfirmed, a "permanent" one confirmed.
//  2. otherwise, slot 0 runs a test image that was never confirmed → swap back (revert).
//  3. slot 0 is verified again before it runs (a corrupted primary does not boot).
import type { KeyObject } from "node:crypto";
import { checkImage, compareVersions, parseImage, versionString, type ParsedImage } from "../flash/image.ts";
import type { FlashStore } from "./flash-store.ts";

export interface BootResult { image: ParsedImage | null; bytes: Buffer | null; log: string[] }

/** Why an image may not boot on this kit, or null. */
export function bootProblem(bytes: Buffer, trusted: KeyObject, board: string): string | null {
  let img: ParsedImage;
  try { img = parseImage(bytes); } catch (e) { return (e as Error).message; }
  const p = checkImage(img, trusted);
  if (p) return p;
  if (img.board !== board) return `image is for board '${img.board ?? "none"}', this kit is '${board}'`;
  return null;
}

export function boot(store: FlashStore, trusted: KeyObject, board: string): BootResult {
  const log: string[] = [];
  const f = store.flags();
  const s1 = store.slot(1);
  if (f.pending !== "none" && s1) {
    let problem = bootProblem(s1, trusted, board);
    const s0 = store.slot(0);
    if (!problem && s0 && !f.testing) {
      try {
        const a = parseImage(s1).version, b = parseImage(s0).version;
        if (compareVersions(a, b) < 0) problem = `downgrade refused: ${versionString(a)} is older than the running ${versionString(b)}`;
      } catch { /* an unreadable slot 0 is no reason to refuse a valid slot 1 */ }
    }
    if (problem) {
      log.push(`boot: slot 1 refused: ${problem}`);
      store.setFlags({ pending: "none" });
    } else {
      store.swap();
      const test = f.pending === "test";
      store.setFlags({ pending: "none", confirmed: !test, testing: test });
      log.push(`boot: swapped to slot 1 image ${versionString(parseImage(store.slot(0)!).version)} (${test ? "test: reverts on the next reset unless confirmed" : "permanent"})`);
    }
  } else if (f.testing && !f.confirmed) {
    store.swap();
    store.setFlags({ pending: "none", confirmed: true, testing: false });
    log.push("boot: test image was not confirmed: reverted to the previous image");
  } else if (f.pending !== "none") {
    store.setFlags({ pending: "none" });
  }
  const s0 = store.slot(0);
  if (!s0) { log.push("boot: no image in slot 0: waiting for an upload (SMP only)"); return { image: null, bytes: null, log }; }
  const problem = bootProblem(s0, trusted, board);
  if (problem) { log.push(`boot: slot 0 does not verify: ${problem}: not started`); return { image: null, bytes: null, log }; }
  const image = parseImage(s0);
  log.push(`boot: starting slot 0 image ${versionString(image.version)} hash ${image.hash!.toString("hex").slice(0, 16)}…`);
  return { image, bytes: s0, log };
}
