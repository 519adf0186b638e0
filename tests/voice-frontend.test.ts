// Voice front end and network vs the training side (tools/voice/golden.py → tools/voice/golden/voice_golden.json):
// the firmware's features must equal the training features within the stated tolerance, the int8 network
// input must match, and the int8 network must reproduce the Python int8 reference's logits bit for bit.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { REPO } from "../host/boards.ts";
import { VoiceEngine, speechCorpus, CLASSES } from "../host/commands/voice.ts";
import { readWav } from "../host/mic/wav.ts";

const golden = JSON.parse(readFileSync(path.join(REPO, "tools/voice/golden/voice_golden.json"), "utf8"));
const corpus = path.join(speechCorpus(), golden.corpus_folder);
const tol = golden.tolerance;
let v: VoiceEngine;

before(async () => { v = await VoiceEngine.open({ board: "desktop" }); });
after(async () => { await v?.close(); });

function centred(pcm: Int16Array): Int16Array {
  const full = new Int16Array(16000);
  if (pcm.length >= 16000) full.set(pcm.subarray((pcm.length - 16000) >> 1, ((pcm.length - 16000) >> 1) + 16000));
  else full.set(pcm, (16000 - pcm.length) >> 1);
  return full;
}

describe("voice golden features", { skip: !existsSync(corpus) && "speech corpus not found" }, () => {
  for (const clip of golden.clips) {
    test(`front end, int8 input and logits match training for ${clip.file}`, async () => {
      const pcm = centred(readWav(path.join(corpus, clip.file)).samples);
      const dev = v.dev;
      await dev.call("voiceFrontendReset");
      const ap = await dev.call("voiceAudioBuffer");
      let cepMax = 0, melMax = 0;
      for (let t = 0; t < 50; t++) {
        await dev.write(ap, new Uint8Array(pcm.buffer, t * 640, 640));
        await dev.call("voiceFrontendHop");
        const cep = await v.f32s(await dev.call("voiceCep"), 13);
        const lm = await v.f32s(await dev.call("voiceLogMel"), 40);
        for (let i = 0; i < 13; i++) cepMax = Math.max(cepMax, Math.abs(cep[i] - clip.cep[t][i]));
        for (let i = 0; i < 40; i++) melMax = Math.max(melMax, Math.abs(lm[i] - clip.logmel[t][i]));
      }
      assert.ok(cepMax <= tol.cep_abs, `cepstrum max |diff| ${cepMax} > ${tol.cep_abs}`);
      assert.ok(melMax <= tol.logmel_abs, `log-mel max |diff| ${melMax} > ${tol.logmel_abs}`);
      await dev.call("voiceKwsLoad");
      const inPtr = await dev.call("voiceKwsInput");
      const q = new Int8Array((await dev.read(inPtr, 500)).buffer);
      let mism = 0, worst = 0;
      for (let t = 0; t < 50; t++) for (let f = 0; f < 10; f++) {
        const d = Math.abs(q[t * 10 + f] - clip.q[t][f]);
        if (d) mism++;
        worst = Math.max(worst, d);
      }
      assert.ok(worst <= tol.q_lsb, `int8 input differs by ${worst} LSB`);
      assert.ok(mism / 500 <= tol.q_mismatch_frac, `${mism} of 500 int8 inputs differ`);
      // the training side's exact int8 input → the firmware's logits must equal the Python int8 reference
      await dev.write(inPtr, new Uint8Array(Int8Array.from(clip.q.flat()).buffer));
      const cls = await dev.call("voiceKwsRun");
      const logits = Array.from(new Int32Array((await dev.read(await dev.call("voiceKwsLogits"), 48)).buffer));
      assert.deepEqual(logits, clip.logits);
      assert.equal(CLASSES[cls], clip.class);
      const sc = await v.f32s(await dev.call("voiceKwsScores"), 12);
      for (let i = 0; i < 12; i++) assert.ok(Math.abs(sc[i] - clip.scores[i]) < 1e-4, `score ${i}: ${sc[i]} vs ${clip.scores[i]}`);
    });
  }

  // the speaker check's noise-subtracted cepstra (assembly/voice/noise-floor.ts) against tools/voice/ubm.py --golden
  const spk = JSON.parse(readFileSync(path.join(REPO, "tools/voice/golden/speaker_golden.json"), "utf8"));
  test(`speaker cepstra with the noise floor subtracted match training for ${spk.file}, quiet and with running water`, async () => {
    const x = centred(readWav(path.join(corpus, spk.file)).samples);
    const tap = readWav(path.join(speechCorpus(), "sc_background_noise", spk.noise)).samples;
    const noisy = x.map((s, i) => Math.max(-32768, Math.min(32767, s + (tap[i] >> 1))));
    const dev = v.dev;
    const ap = await dev.call("voiceAudioBuffer");
    let plainVsDenoised = 0;
    for (const [pcm, want] of [[x, spk.cases[0].cep], [noisy, spk.cases[1].cep]] as [Int16Array, number[][]][]) {
      await dev.call("voiceFrontendReset");
      await dev.call("voiceNoiseFloorReset");
      let worst = 0;
      for (let t = 0; t < 50; t++) {
        await dev.write(ap, new Uint8Array(pcm.buffer, t * 640, 640));
        await dev.call("voiceFrontendHop");
        const plain = await v.f32s(await dev.call("voiceCep"), 13);
        const c = await v.f32s(await dev.call("voiceNoiseFloorHop"), 12);
        for (let i = 0; i < 12; i++) {
          worst = Math.max(worst, Math.abs(c[i] - want[t][i]));
          plainVsDenoised = Math.max(plainVsDenoised, Math.abs(c[i] - plain[i + 1]));
        }
      }
      assert.ok(worst <= spk.tolerance, `speaker cepstrum max |diff| ${worst} > ${spk.tolerance}`);
    }
    // the subtraction changes the features (in noise by much more than the tolerance)
    assert.ok(plainVsDenoised > 100 * spk.tolerance, `noise subtraction changed the cepstra by only ${plainVsDenoised}`);
  });

  test("streaming in odd-sized chunks gives the same answer as one feed", async () => {
    const clip = golden.clips[0];
    const pcm = readWav(path.join(corpus, clip.file)).samples;
    const a = await v.listen(pcm);
    // feed the same clip in 7 uneven pieces through the raw exports
    const dev = v.dev;
    await dev.call("voiceBegin", pcm.length);
    const ap = await dev.call("voiceAudioBuffer");
    const cuts = [0, 77, 1000, 4321, 4400, 9000, 15000, pcm.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const part = pcm.slice(cuts[i], cuts[i + 1]);
      await dev.write(ap, new Uint8Array(part.buffer));
      await dev.call("voiceFeed", part.length);
    }
    const cls = await dev.call("voiceFinish");
    assert.equal(CLASSES[cls], a.keyword);
    const sc = await v.f32s(await dev.call("voiceScores"), 12);
    assert.ok(Math.abs(sc[cls] - a.score) < 1e-4);
  });
});
