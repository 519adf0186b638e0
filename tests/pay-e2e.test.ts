// The product end to end: camera frames and microphone audio go into the firmware, which decodes the code,
// shows a fresh spoken code, listens for it in the owner's voice, signs; the reference wallet verifies with
// @simplewebauthn/server over the loopback link. The simulated wearer reads the code only from the firmware's
// confirm event and answers with real recordings (assets/demo/wearer: one Speech Commands speaker; other
// speakers from the official Speech Commands test split).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { verifyAuthenticationResponse } from "@simplewebauthn/server";
import { runPay, type PayOptions } from "../host/commands/pay.ts";
import { REPO } from "../host/boards.ts";
import { sharedPath } from "../host/shared.ts";
import { ConsentEngine } from "../host/commands/consent.ts";

const demo = path.join(REPO, "assets", "demo");
const enroll = path.join(demo, "enroll");
const payload = readFileSync(path.join(demo, "payload.txt"), "utf8");
let CODE_WORDS: string[] = [];   // the firmware's code vocabulary, from its consent kernel
const work = mkdtempSync(path.join(tmpdir(), "glasses-e2e-wearers-"));

/** The owner's answers: the shipped demo wearer's clips (tools/demo/make-wearer.ts). The refusal path is tested below. */
function ownerFolder(): string {
  const dir = path.join(work, "owner");
  for (const w of readdirSync(path.join(demo, "wearer"))) {
    const src = path.join(demo, "wearer", w);
    if (!w.match(/^[a-z]+$/)) continue;
    mkdirSync(path.join(dir, w), { recursive: true });
    for (const f of readdirSync(src)) if (f.endsWith(".wav")) copyFileSync(path.join(src, f), path.join(dir, w, f));
  }
  return dir;
}

/** Speakers of the official test split (never in the training data) with every code word and "no". */
function otherSpeakers(n: number): string[] {
  const corpus = sharedPath("corpus", "speech", "speech_commands_v0.02_test");
  const manifest = JSON.parse(readFileSync(path.join(corpus, "manifest.json"), "utf8")) as any[];
  const bySpeaker = new Map<string, Map<string, string>>();
  for (const c of manifest) {
    if (!c.speaker || !(CODE_WORDS.includes(c.label) || c.label === "no")) continue;
    const m = bySpeaker.get(c.speaker) ?? new Map<string, string>();
    if (!m.has(c.label)) m.set(c.label, c.file);
    bySpeaker.set(c.speaker, m);
  }
  const out: string[] = [];
  for (const [speaker, words] of [...bySpeaker].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (words.size < CODE_WORDS.length + 1) continue;
    const dir = path.join(work, `speaker-${speaker}`);
    for (const [w, f] of words) { mkdirSync(path.join(dir, w), { recursive: true }); copyFileSync(path.join(corpus, f), path.join(dir, w, path.basename(f))); }
    out.push(dir);
    if (out.length === n) break;
  }
  return out;
}

let owner = "";
before(async () => {
  owner = ownerFolder();
  const e = await ConsentEngine.open({ board: "desktop" });
  CODE_WORDS = e.vocabulary();
  await e.close();
});
after(() => rmSync(work, { recursive: true, force: true }));

async function pay(opts: Partial<PayOptions> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "glasses-e2e-"));
  try {
    return await runPay({ frames: path.join(demo, "frames"), wearer: owner, enroll, dataDir, board: "desktop", engine: "node", log: () => {},
      // Seeded so the drawn codes are the same every run: recognition rates are measured by `npm run bench -- consent`, not here.
      entropySeed: "pay-e2e", ...opts });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("pay end to end on the demo sample", () => {
  test("the owner says the code on the HUD: paid, and the assertion verifies independently", async () => {
    const r = await pay();
    assert.equal(r.status, "paid", String(r.reason));
    assert.deepEqual([r.payee, r.amount, r.currency], ["Luckin Coffee", "25.00", "HKD"]);
    assert.ok(r.codes.length === 1 || r.codes.length === 2, "paid on the first code or on the one new code after a failure");
    assert.equal(r.consent.result, "accepted");
    assert.equal(r.bill!.userVerified, true);
    const cd = JSON.parse(Buffer.from(r.assertion!.response.clientDataJSON, "base64url").toString("utf8"));
    assert.equal(cd.type, "payment.get");
    assert.deepEqual(cd.payment.total, { currency: "HKD", value: "25.00" });
    assert.equal(cd.payment.payeeName, "Luckin Coffee");
    const challenge = Buffer.from(cd.challenge, "base64url");
    const qrHash = createHash("sha256").update(payload).digest();
    assert.ok(challenge.subarray(challenge.length - 32).equals(qrHash), "challenge binds the scanned payload");
    const v = await verifyAuthenticationResponse({
      response: r.assertion as any, expectedChallenge: cd.challenge, expectedOrigin: "https://glasses.local",
      expectedRPID: "glasses.local", expectedType: "payment.get", requireUserVerification: true,
      credential: { id: r.credential!.id, publicKey: Buffer.from(r.credential!.publicKey, "base64url"), counter: 0 },
    });
    assert.equal(v.verified, true);
  });

  test("frames from a video file (ffmpeg) work the same", async () => {
    const { spawnSync } = await import("node:child_process");
    const dir = mkdtempSync(path.join(tmpdir(), "glasses-video-"));
    try {
      const video = path.join(dir, "walk-up.mkv");
      const r = spawnSync("ffmpeg", ["-loglevel", "error", "-framerate", "10", "-i", path.join(demo, "frames", "frame-%02d.png"),
        "-c:v", "ffv1", "-pix_fmt", "gray", video]);
      assert.equal(r.status, 0, `ffmpeg (apt-get install ffmpeg) failed: ${r.error?.message ?? r.stderr}`);
      // The same seed as the PNG frames: the same codes, so the whole outcome must match the frames' run.
      const fromVideo = await pay({ frames: video });
      const fromPngs = await pay();
      assert.equal(fromVideo.status, "paid", String(fromVideo.reason));
      assert.deepEqual([fromVideo.status, fromVideo.payee, fromVideo.amount, fromVideo.codes],
        [fromPngs.status, fromPngs.payee, fromPngs.amount, fromPngs.codes]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the same flow on the MCU board (QVGA camera, 1-bit HUD)", async () => {
    const r = await pay({ board: "mcu-s3" });
    assert.equal(r.status, "paid", String(r.reason));
  });

  test("the owner says no: cancelled, nothing signed", async () => {
    const r = await pay({ wearerSays: "no" });
    assert.equal(r.status, "cancelled");
    assert.match(String(r.reason), /said no/);
    assert.equal(r.consent.result, "refused");
    assert.equal(r.assertion, null);
  });

  test("the owner stays silent: the question times out, nothing signed", async () => {
    const r = await pay({ wearerSays: "silent" });
    assert.equal(r.status, "cancelled");
    assert.match(String(r.reason), /timeout: no answer from the wearer/);
    assert.equal(r.consent.result, "timeout");
    assert.equal(r.assertion, null);
  });

  // 6 speakers of the official test split, each saying the right code (a shoulder-surfer who saw the HUD).
  test("other people who saw the HUD say the code in their own voice: nothing is signed for them", async () => {
    const speakers = otherSpeakers(6);
    assert.equal(speakers.length, 6);
    let paid = 0;
    for (const s of speakers) {
      const r = await pay({ wearer: s });
      if (r.status === "paid") paid++;
      else assert.equal(r.assertion, null, `${s}: ${r.reason}`);
    }
    // the target is at most 2% for a shoulder-surfer with the right code (issue 10); 6 trials resolve only gross failure
    assert.ok(paid <= 1, `${paid} of 6 other speakers got a signature`);
  });

  test("pay refuses to start without an enrolled owner", async () => {
    await assert.rejects(pay({ enroll: undefined }), /refuses to start without an enrolled owner: give --enroll DIR/);
  });

  test("a tampered code (amount changed, CRC not) is refused", async () => {
    const r = await pay({ frames: path.join(demo, "frames-tampered") });
    assert.equal(r.status, "refused");
    assert.match(String(r.reason), /crc/i);
  });

  test("no code in view: the scan times out", async () => {
    const r = await pay({ frames: path.join(demo, "frames-nocode") });
    assert.equal(r.status, "cancelled");
    assert.match(String(r.reason), /timeout: no payment code/);
  });
});
