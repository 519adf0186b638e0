// Speaker verification on real speakers (FSDD dev speakers saying a digit; Speech Commands validation
// speakers repeating a word): enrol 3 takes, verify other takes of the same speaker and of other speakers.
// The threshold-free check (own takes above other speakers' takes) is the main one; the default one-word
// threshold is set on Speech Commands speakers (tools/voice/ubm.py --eval), where FSDD's takes of one digit
// score higher for everyone: measured 36/36 own takes and 24/72 other speakers' takes accepted, 96.9 % of
// pairs ordered.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { VoiceEngine, speechCorpus, enrollCommand, verifyVoiceCommand } from "../host/commands/voice.ts";
import { readWav } from "../host/mic/wav.ts";

const fsdd = path.join(speechCorpus(), "fsdd", "recordings");
const ok = existsSync(fsdd);
let v: VoiceEngine;
before(async () => { v = await VoiceEngine.open({ board: "desktop" }); });
after(async () => { await v?.close(); });
const clip = (digit: number, spk: string, take: number) => readWav(path.join(fsdd, `${digit}_${spk}_${take}.wav`)).samples;

describe("voice speaker verification", { skip: !ok && "FSDD not found" }, () => {
  test("FSDD: own takes score above other speakers' takes of the same digit", async () => {
    const spk = ["george", "jackson", "nicolas"];
    let tgtAcc = 0, tgtN = 0, impAcc = 0, impN = 0, pairs = 0, ordered = 0;
    for (const digit of [1, 4, 7]) {
      for (const s of spk) {
        const prof = await v.enrol([0, 1, 2].map((t) => clip(digit, s, t)));
        const tgt: number[] = [], imp: number[] = [];
        for (const t of [10, 20, 30, 40]) { const r = await v.verify(prof, clip(digit, s, t)); tgt.push(r.score); tgtN++; if (r.accept) tgtAcc++; }
        for (const o of spk) if (o !== s) for (const t of [10, 20, 30, 40]) { const r = await v.verify(prof, clip(digit, o, t)); imp.push(r.score); impN++; if (r.accept) impAcc++; }
        for (const a of tgt) for (const b of imp) { pairs++; if (a > b) ordered++; }
      }
    }
    assert.ok(ordered / pairs >= 0.9, `target > impostor in ${ordered}/${pairs} pairs`);
    assert.ok(tgtAcc / tgtN >= 0.8, `target accept ${tgtAcc}/${tgtN}`);
    assert.ok(impAcc / impN <= 0.45, `impostor accept ${impAcc}/${impN}`);
  });

  // tools/voice/ubm.py --golden: the Python twin that chose the MAP relevance (ubm.py --eval) enrols the same
  // clips with the shipped UBM; the firmware's profile and scores must be that model, or the choice measured
  // there is not the one shipped (at relevance 8 instead of 1 the twin's offsets differ from these by more than a
  // step in 1,360 of 3,072 places: a one-off run of ubm.py's map_means)
  test("enrolment and scoring match the Python twin (ubm.py --golden): MAP offsets and log-likelihood ratios", async () => {
    const g = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "tools/voice/golden/speaker_golden.json"), "utf8")).enrolment;
    const prof = await v.enrol(g.enrol.map((f: string) => readWav(path.join(speechCorpus(), f)).samples));
    // the quiet model follows the 20-byte head (speaker.ts: magic, version, clips, threshold, word mask)
    const off = new Int8Array(prof.buffer, prof.byteOffset + 20, g.offsets.length);
    let far = 0, near = 0;
    g.offsets.forEach((q: number, i: number) => { const d = Math.abs(off[i] - q); if (d > 1) far++; else if (d === 1) near++; });
    assert.equal(far, 0, `${far} of ${g.offsets.length} offsets differ by more than one step (twin relevance ${g.relevance})`);
    assert.ok(near <= g.offsets.length * 0.02, `${near} offsets one step off (rounding of float differences only)`);
    for (const t of g.verify) {
      const r = await v.verify(prof, readWav(path.join(speechCorpus(), t.file)).samples);
      assert.ok(Math.abs(r.score - t.score) <= 0.01, `${t.file}: firmware ${r.score}, twin ${t.score}`);
    }
  });

  test("profiles are 6,488 bytes (v7) with a checksum; a corrupted profile is refused", async () => {
    const prof = await v.enrol([3, 4, 5].map((t) => clip(2, "jackson", t)));
    assert.equal(prof.length, 6488);
    assert.equal(Buffer.from(prof.subarray(0, 4)).toString("latin1"), "VSP7");
    const bad = prof.slice(); bad[40] ^= 0x10;
    await assert.rejects(v.verify(bad, clip(2, "jackson", 9)), /invalid voice profile/);
    await assert.rejects(v.enrol([clip(2, "jackson", 3), clip(2, "jackson", 4)]), /3 to 32/);
  });

  test("verifying a voice in the middle of a keyword stream leaves the stream undisturbed", async () => {
    const prof = await v.enrol([0, 1, 2].map((t) => clip(5, "george", t)));
    const word = readWav(path.join(speechCorpus(), "speech_commands_v0.02_test", "yes", "022cd682_nohash_0.wav")).samples;
    const run = async (interrupt: boolean) => {
      const d = v.dev, ap = await d.call("voiceAudioBuffer");
      await d.call("voiceBegin", word.length);
      await d.write(ap, new Uint8Array(word.slice(0, 7000).buffer)); await d.call("voiceFeed", 7000);
      if (interrupt) await v.verify(prof, clip(5, "george", 20));
      const rest = word.slice(7000);
      await d.write(ap, new Uint8Array(rest.buffer)); await d.call("voiceFeed", rest.length);
      const cls = await d.call("voiceFinish");
      return { cls, scores: Array.from(await v.f32s(await d.call("voiceScores"), 12)) };
    };
    assert.deepEqual(await run(true), await run(false));
  });

  test("enroll (a folder of word recordings) and verify-voice commands write and read a profile file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "voice-prof-"));
    const out = path.join(dir, "owner.vsp");
    const demo = new URL("../assets/demo", import.meta.url).pathname;
    const flags = { board: "desktop", engine: "node" as const, json: true };
    const logs: string[] = [];
    const orig = console.log;
    console.log = (s: string) => { logs.push(s); };
    try {
      assert.equal(await enrollCommand(["--out", out, path.join(demo, "enroll")], flags), 0);
      assert.equal(readFileSync(out).length, 6488);
      // the demo owner's own "left" (not an enrolment take) against another speaker's "left"
      const other = path.join(speechCorpus(), "speech_commands_v0.02_test", "left", "022cd682_nohash_0.wav");
      assert.equal(await verifyVoiceCommand(["--profile", out, path.join(demo, "wearer", "left", "left-1.wav"), other], flags), 0);
    } finally { console.log = orig; rmSync(dir, { recursive: true, force: true }); }
    const rows = logs.slice(1).map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(rows[0]), ["file", "score", "accept"]);
    assert.ok(rows[0].score > rows[1].score, JSON.stringify(rows));
  });
});
