// Spoken-code consent through the firmware's matcher (assembly/voice/consent.ts), on real recordings:
// the demo owner (one Speech Commands speaker: assets/demo/enroll for enrolment, assets/demo/wearer for
// answers, disjoint takes) and other Speech Commands speakers. Outcomes are asserted per case with the
// labels of the recordings as the truth; rates are measured by `npm run bench -- consent`.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync, cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConsentEngine, composeAnswer, mixAt, readWordFolder, consentCommand, enrollDirCommand, trimSpeech } from "../host/commands/consent.ts";
import { speechCorpus } from "../host/commands/voice.ts";
import { readWav, encodeWav } from "../host/mic/wav.ts";
import { runCommand } from "../host/engine/index.ts";
import { UsageError } from "../host/args.ts";
import { mulberry32 } from "../host/bench/rng.ts";
import { CODE_WORDS, AUDIO_HOP_SAMPLES as HOP } from "../host/generated/abi.ts";

const demo = new URL("../assets/demo", import.meta.url).pathname;
const scTest = path.join(speechCorpus(), "speech_commands_v0.02_test");
const noiseDir = path.join(speechCorpus(), "sc_background_noise");
let e: ConsentEngine;
let profile: Uint8Array;
const wearer = readWordFolder(path.join(demo, "wearer"));
const take = (w: string, i: number) => { const f = wearer.get(w)!; return readWav(f[i % f.length]).samples; };
const CODES = [["up", "left", "on"], ["yes", "right", "up"], ["right", "yes", "on"], ["left", "up", "yes"], ["on", "right", "left"]];

/** The demo owner's profile, enrolled by engine b (assets/demo/enroll). */
async function demoProfile(b: ConsentEngine): Promise<Uint8Array> {
  const voc = b.vocabulary();
  return b.enrol([...readWordFolder(path.join(demo, "enroll"))].flatMap(([w, fs]) => fs.map((f) => ({ samples: readWav(f).samples, word: voc.indexOf(w) }))));
}

before(async () => {
  e = await ConsentEngine.open({ board: "desktop" });
  profile = await demoProfile(e);
});
let mcu: { e: ConsentEngine; profile: Uint8Array } | undefined;
after(async () => { await e?.close(); await mcu?.e.close(); });

/** The matcher on both kinds of board, each with the demo owner's profile: the desktop (whole windows) and mcu-s3
 *  (the streaming network), opened once. */
async function bothBoards(): Promise<[string, ConsentEngine, Uint8Array][]> {
  if (!mcu) { const b = await ConsentEngine.open({ board: "mcu-s3" }); mcu = { e: b, profile: await demoProfile(b) }; }
  return [["desktop", e, profile], ["mcu-s3", mcu.e, mcu.profile]];
}

/** The dev test split's manifest, read once. */
let devMan: { file: string; label: string; speaker: string | null }[] | undefined;
const devManifest = () => (devMan ??= JSON.parse(readFileSync(path.join(scTest, "manifest.json"), "utf8")) as { file: string; label: string; speaker: string | null }[]);

/** Dev-test-split speakers (sorted) with a take of every one of `words`: [speaker, word → file]. */
function devSpeakers(words: string[]): [string, Map<string, string>][] {
  const man = devManifest();
  const by = new Map<string, Map<string, string>>();
  for (const m of man) {
    if (!m.speaker || !words.includes(m.label)) continue;
    if (!by.has(m.speaker)) by.set(m.speaker, new Map());
    const s = by.get(m.speaker)!;
    if (!s.has(m.label) || m.file < s.get(m.label)!) s.set(m.label, m.file);
  }
  return [...by].filter(([, s]) => words.every((w) => s.has(w))).sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([spk, s]) => [spk, new Map([...s].map(([w, f]) => [w, path.join(scTest, f)]))]);
}

/** One dev-test-split speaker's takes of a word, in file order. */
function devTakes(speaker: string, word: string): string[] {
  return devManifest().filter((m) => m.speaker === speaker && m.label === word).map((m) => path.join(scTest, m.file)).sort();
}

describe("spoken-code consent (firmware matcher)", () => {
  test("the vocabulary is five spotter words; 125 codes of three", () => {
    assert.deepEqual(e.vocabulary(), ["up", "yes", "left", "right", "on"]);
    assert.deepEqual(e.vocabulary(), [...CODE_WORDS], "the generated ABI's code words are the firmware's");
    assert.equal(e.length, 3);
    assert.throws(() => e.codeIndices(["up", "down", "on"]), UsageError);
    assert.throws(() => e.codeIndices(["up", "on"]), UsageError);
  });

  test("the owner saying the shown code is accepted, the words heard in order; the same audio for another code is not", async () => {
    let accepted = 0;
    for (const [k, code] of CODES.entries()) {
      const audio = composeAnswer(code.map((w, i) => take(w, k + i)));
      const r = await e.prompt(e.codeIndices(code), profile, audio);
      if (r.consent) {
        accepted++;
        assert.equal(r.reason, "code");
        assert.deepEqual(r.heard.map((h) => h.word), code);
        for (let i = 1; i < r.heard.length; i++) assert.ok(r.heard[i].t_ms > r.heard[i - 1].t_ms, JSON.stringify(r.heard));
        assert.ok(r.speaker_score >= r.threshold);
      }
      // a different code (the last two words swapped, or another last word) is never accepted on this audio
      const other = code[1] !== code[2] ? [code[0], code[2], code[1]] : [code[0], code[1], code[1] === "on" ? "up" : "on"];
      const w = await e.prompt(e.codeIndices(other), profile, audio);
      assert.equal(w.consent, false, `${code} heard as ${other}: ${JSON.stringify(w)}`);
    }
    assert.ok(accepted >= 4, `owner accepted in ${accepted}/5 prompts`);
  });

  test("\"no\" or \"stop\" before the code refuses, whatever follows, and between or after the owner's right code too", async () => {
    for (const [word, i] of [["no", 0], ["no", 1], ["stop", 0]] as const) {
      const code = CODES[i];
      const r = await e.prompt(e.codeIndices(code), profile, composeAnswer([take(word, i), ...code.map((w, k) => take(w, k))]));
      assert.equal(r.outcome, "refused", JSON.stringify(r));
      assert.equal(r.reason, word);
      // the owner's own right code, then the refusal: never a consent
      const after = await e.prompt(e.codeIndices(code), profile, composeAnswer([...code.map((w, k) => take(w, k)), take(word, i)]));
      assert.equal(after.outcome, "refused", JSON.stringify(after));
      const between = await e.prompt(e.codeIndices(code), profile, composeAnswer([take(code[0], 0), take(word, i), take(code[1], 1), take(code[2], 2)]));
      assert.equal(between.outcome, "refused", JSON.stringify(between));
    }
  });

  test("a \"no\" or \"stop\" of its own cancels wherever it falls: before, between or after the code's words", { skip: !existsSync(scTest) && "corpus missing" }, async () => {
    // other speakers' real words (dev test split): the speaker check alone would stop their consent, so what is
    // counted is the refusal (the owner's own code with a refusal in it is the test above)
    const code = ["on", "up", "left"];
    const cases: { audio: Int16Array; label: string }[] = [];
    for (const [spk, by] of devSpeakers([...code, "no", "stop"]).slice(0, 12)) {
      const w = code.map((x) => readWav(by.get(x)!).samples);
      const refusal = readWav(by.get(cases.length % 2 ? "stop" : "no")!).samples;
      cases.push({ audio: composeAnswer([refusal, ...w]), label: `${spk} before` });
      cases.push({ audio: composeAnswer([w[0], refusal, w[1], w[2]]), label: `${spk} between` });
      cases.push({ audio: composeAnswer([...w, refusal]), label: `${spk} after` });
    }
    // on the streaming board too, whose network hears a trailing refusal 260 ms later than the desktop's
    for (const [board, b, prof] of await bothBoards()) {
      let refused = 0;
      for (const c of cases) {
        const r = await b.prompt(b.codeIndices(code), prof, c.audio);
        assert.notEqual(r.outcome, "accepted", `${board} ${c.label}: ${JSON.stringify(r)}`);
        if (r.outcome === "refused") refused++;
      }
      assert.ok(refused >= cases.length * 0.9, `${board}: refused ${refused}/${cases.length}`);
    }
  });

  test("a code that repeats a word: the owner saying it twice is accepted", async () => {
    let accepted = 0;
    const codes = [["on", "on", "left"], ["up", "up", "up"], ["yes", "right", "right"], ["left", "left", "yes"]];
    for (const [k, code] of codes.entries()) {
      const r = await e.prompt(e.codeIndices(code), profile, composeAnswer(code.map((w, i) => take(w, k + i))));
      if (r.consent) { accepted++; assert.deepEqual(r.heard.map((h) => h.word), code); }
    }
    assert.ok(accepted >= 3, `owner accepted in ${accepted}/${codes.length} prompts with a repeated word`);
  });

  test("one spoken word does not stand for two: a code repeating it is completed far less often", { skip: !existsSync(scTest) && "corpus missing" }, async (t) => {
    // dev-split speakers say "left up on"; the prompts repeat one of its words in place of a neighbour
    const said = ["left", "up", "on"], prompts = [["up", "up", "on"], ["left", "up", "up"], ["left", "left", "on"], ["left", "on", "on"]];
    let shipped = 0, without = 0, trials = 0;
    try {
      for (const [, by] of devSpeakers(said).slice(0, 20)) {
        const audio = composeAnswer(said.map((w) => readWav(by.get(w)!).samples));
        for (const p of prompts) {
          trials++;
          const r = await e.prompt(e.codeIndices(p), profile, audio);
          if (r.reason === "code" || r.reason === "voice") shipped++;
          await e.setTuning({ segmentGap: 0 });      // no stretch rule
          const o = await e.rescore(e.codeIndices(p), profile);
          await e.setTuning();
          if (o === "accepted" || o === "voice_mismatch") without++;
        }
      }
    } finally { await e.setTuning(); }
    assert.ok(trials >= 40, `${trials} trials`);
    t.diagnostic(`one word for two: completed ${shipped}/${trials}, without the stretch rule ${without}`);
    assert.ok(shipped <= trials * 0.3 && shipped < without / 2, `completed ${shipped}/${trials} (without the stretch rule ${without})`);
  });

  test("the owner's word templates: a word the spotter does not know in this owner's voice holds; another word does not", { skip: !existsSync(scTest) && "corpus missing" }, async (t) => {
    // a Speech Commands speaker whose "right" the spotter hears as _unknown_ (0.95 and 0.88 on their two takes,
    // `glasses listen`): enrolled from their first takes, answering with their second
    const owner = "563aa4e6", voc = e.vocabulary();
    const takes = (w: string) => devTakes(owner, w);
    const prof = await e.enrol(voc.map((w, i) => ({ samples: readWav(takes(w)[0]).samples, word: i })));
    const codes = [["right", "up", "yes"], ["left", "right", "on"], ["yes", "on", "right"], ["up", "left", "right"]];
    let on = 0, off = 0, otherWord = 0;
    try {
      for (const code of codes) {
        const said = composeAnswer(code.map((w) => readWav(takes(w)[1]).samples));
        if ((await e.prompt(e.codeIndices(code), prof, said)).consent) on++;
        await e.setTuning({ templateMin: 2 });        // the rule off: the spotter alone
        if ((await e.prompt(e.codeIndices(code), prof, said)).consent) off++;
        await e.setTuning();
        // the same owner saying "left" where the code shows "right": their "left" is not their "right"
        const wrong = composeAnswer(code.map((w) => readWav(takes(w === "right" ? "left" : w)[1]).samples));
        const r = await e.prompt(e.codeIndices(code), prof, wrong);
        if (r.reason === "code" || r.reason === "voice") otherWord++;
      }
    } finally { await e.setTuning(); }
    t.diagnostic(`codes with "right" accepted: with templates ${on}/${codes.length}, without ${off}; "left" for "right" completed ${otherWord}`);
    assert.ok(on === codes.length && off <= codes.length / 2, `accepted ${on}/${codes.length} with the owner's templates, ${off} without`);
    assert.equal(otherWord, 0);
  });

  // At 10 dB the energy VAD can miss a quieter word in the middle of an answer; the answer must not end there
  // (consent.ts END_HOPS_FEW): with 600 ms for every utterance 16 of these 60 ended before their last word began
  // and 23 were accepted (4 and 35 with the rule).
  test("in noise an answer is not cut off before its last word (a missed middle word does not end it)", { skip: !existsSync(noiseDir) && "corpus missing" }, async (t) => {
    const noises = JSON.parse(readFileSync(path.join(noiseDir, "manifest.json"), "utf8")).map((x: { file: string }) => readWav(path.join(noiseDir, x.file)).samples);
    const voc = e.vocabulary(), all = e.allCodes();
    let early = 0, accepted = 0;
    for (let k = 0; k < 60; k++) {
      const code = all[(k * 37) % all.length];
      const words = code.map((i, j) => take(voc[i], k + j));
      const lastOnset = composeAnswer(words.slice(0, 2), { tailMs: 150 }).length;   // lead, two words, the gap
      const noise = noises[k % noises.length];
      const x = mixAt(composeAnswer(words), noise, 10, (k * 7919) % noise.length);
      await e.beginStream(code, profile);
      let endedAt = -1, out = "pending";
      for (let at = 0; at < x.length && out === "pending"; at += 320) {
        out = await e.feedStream(x.subarray(at, at + 320));
        if (endedAt < 0 && (out !== "pending" || await e.deciding())) endedAt = at;
      }
      if (endedAt >= 0 && endedAt < lastOnset) early++;
      if (out === "accepted") accepted++;
    }
    t.diagnostic(`${early} of 60 answers at 10 dB ended before their last word began; ${accepted} accepted`);
    assert.ok(early <= 5, `${early} of 60 answers at 10 dB ended before their last word began`);
    assert.ok(accepted >= 30, `${accepted} of 60 accepted at 10 dB`);
  });

  // A profile holds two owner models (speaker.ts): one adapted on the enrolment as recorded, one on it plus
  // copies with synthetic noise. The demo owner's own answers, quiet and with real background noise at 10 dB.
  test("in noise the speaker check uses the profile's noise model, which scores the owner higher there; quiet answers keep the quiet model", { skip: !existsSync(noiseDir) && "corpus missing" }, async (t) => {
    const noises = JSON.parse(readFileSync(path.join(noiseDir, "manifest.json"), "utf8")).map((x: { file: string }) => readWav(path.join(noiseDir, x.file)).samples);
    const voc = e.vocabulary(), all = e.allCodes();
    const quietModels: string[] = [], noisyModels: string[] = [], gain: number[] = [];
    const scoreWith = async (code: number[], noiseBelow: number) => {
      await e.setTuning({ noiseBelow });
      assert.ok(await e.rescore(code, profile));
      return e.speakerScore();
    };
    try {
      for (let k = 0; k < 24; k++) {
        const code = all[(k * 53) % all.length];
        const answer = composeAnswer(code.map((i, j) => take(voc[i], k + j)));
        const q = await e.prompt(code, profile, answer);
        if (q.reason === "code" || q.reason === "voice") quietModels.push(q.speaker_model);
        const noise = noises[k % noises.length];
        const n = await e.prompt(code, profile, mixAt(answer, noise, 10, (k * 7919) % noise.length));
        if (n.reason !== "code" && n.reason !== "voice") continue;
        noisyModels.push(n.speaker_model);
        gain.push(await scoreWith(code, 100) - await scoreWith(code, 0));   // always the noise model, never
        await e.setTuning();
      }
    } finally { await e.setTuning(); }
    const mean = gain.reduce((a, b) => a + b, 0) / Math.max(1, gain.length);
    t.diagnostic(`quiet: ${quietModels.filter((m) => m === "quiet").length}/${quietModels.length} on the quiet model; ` +
      `10 dB: ${noisyModels.filter((m) => m === "noise").length}/${noisyModels.length} on the noise model, which scores the owner ${mean.toFixed(3)} higher on average`);
    assert.ok(quietModels.length >= 18 && noisyModels.length >= 12, `${quietModels.length} quiet and ${noisyModels.length} noisy answers reached the speaker check`);
    assert.ok(quietModels.every((m) => m === "quiet"), `quiet answers scored on: ${quietModels}`);
    assert.ok(noisyModels.filter((m) => m === "noise").length >= 0.9 * noisyModels.length, `10 dB answers scored on: ${noisyModels}`);
    assert.ok(mean > 0, `the noise model scores the owner's answers at 10 dB ${mean} against the quiet model`);
  });

  // The matcher puts a word's centre a fixed lag before the step where its posterior peaks (consent.ts
  // WORD_LAG_HOPS), and the speaker check scores the speech around it. The streaming network's steps trail the
  // audio by another 13 frames (kws-stream.ts STREAM_LAG_FRAMES); a lag that ignored them put words 260 ms late on
  // mcu-s3 (the median below was +9.5 hops there). Single words peak up to ~15 hops either side of their middle, so
  // the check is on the median over the demo owner's accepted answers: nearer the right lag than a 13-hop error.
  test("the matcher places the code's words on their speech: median offset within 6 hops, whole-window and streaming boards", async (t) => {
    const voc = e.vocabulary(), n = voc.length;
    const LEAD_MS = 300, GAP_MS = 150, PER_MS = HOP / 20;       // a hop is 20 ms
    for (const [board, b, prof] of await bothBoards()) {
      const offsets: number[] = [];
      for (let k = 0; k < 20; k++) {
        const code = [voc[k % n], voc[(k * 3 + 1) % n], voc[(k * 7 + 2) % n]];
        const words = code.map((w, i) => take(w, k + i));
        const r = await b.prompt(b.codeIndices(code), prof, composeAnswer(words, { leadMs: LEAD_MS, gapMs: GAP_MS }));
        if (r.outcome !== "accepted") continue;
        let at = LEAD_MS * PER_MS;                                // where each word's trimmed speech begins, in samples
        for (const [i, w] of words.map(trimSpeech).entries()) {
          const centre = await b.dev.call("voiceConsentWordCentreHop", i);
          offsets.push(centre - (at + w.length / 2) / HOP);
          at += w.length + GAP_MS * PER_MS;
        }
      }
      offsets.sort((x, y) => x - y);
      const median = offsets[offsets.length >> 1];
      t.diagnostic(`${board}: ${offsets.length / 3} answers accepted, word centre offset median ${median.toFixed(1)} hops`);
      assert.ok(offsets.length >= 3 * 15, `${board}: only ${offsets.length / 3} of 20 answers accepted`);
      assert.ok(Math.abs(median) <= 6, `${board}: the matcher's word centres lie ${median} hops from the words' middles`);
    }
  });

  test("silence and noise are no answer (timeout), and an invalid profile is no_profile", async () => {
    const r = await e.prompt([0, 1, 2], profile, new Int16Array(48000));
    assert.equal(r.outcome, "pending");
    assert.equal(r.reason, "timeout");
    const bad = profile.slice(); bad[30] ^= 1;
    const n = await e.prompt([0, 1, 2], bad, composeAnswer(["up", "yes", "left"].map((w) => take(w, 0))));
    assert.equal(n.outcome, "no_profile");
  });

  test("a sound with nothing to align (no keyword, no code word) is dropped without a deciding hop: every hop until the answer is listened to", async () => {
    for (const [board, b, p] of await bothBoards()) {
      // a 400 ms burst of noise (a cough, a door), 1.5 s of silence, then the owner's code
      const rnd = mulberry32(3);
      const burst = new Int16Array(6400).map(() => Math.round((rnd() * 2 - 1) * 6000));
      const code = composeAnswer(["up", "left", "on"].map((w) => take(w, 0)));
      const audio = new Int16Array(8000 + burst.length + 24000 + code.length);
      audio.set(burst, 8000);
      audio.set(code, 8000 + burst.length + 24000);
      await b.beginStream([0, 2, 4], p);
      let decidingHops = 0, outcome = "pending";
      for (let i = 0; i + HOP <= audio.length && outcome === "pending"; i += HOP) {
        if (i >= 8000 + burst.length + 24000) break;           // up to the answer's first sample
        outcome = await b.feedStream(audio.subarray(i, i + HOP));
        if (await b.deciding()) decidingHops++;
      }
      assert.equal(outcome, "pending", `${board}: the burst is no answer`);
      assert.equal(decidingHops, 0, `${board}: hops spent deciding on the burst (not listened to)`);
      assert.equal(await b.feedStream(audio.subarray(8000 + burst.length + 24000)), "accepted", `${board}: the code after it`);
    }
  });

  test("other people saying the right code score below the owner's own answers", { skip: !existsSync(scTest) && "corpus missing" }, async () => {
    // speakers of the dev test split with every word of the code, not the demo owner (who is one of them)
    const code = ["up", "left", "on"];
    const owner = JSON.parse(readFileSync(path.join(demo, "enroll", "manifest.json"), "utf8"))[0].speaker;
    const own: number[] = [], other: number[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await e.prompt(e.codeIndices(code), profile, composeAnswer(code.map((w, i) => take(w, k + i))));
      if (r.heard.length === 3 && r.reason !== "wrong_code") own.push(r.speaker_score);
    }
    for (const [, by] of devSpeakers(code).filter(([spk]) => spk !== owner).slice(0, 10)) {
      const files = code.map((w) => by.get(w)!);
      const r = await e.prompt(e.codeIndices(code), profile, composeAnswer(files.map((f) => readWav(f).samples)));
      if (r.reason === "code" || r.reason === "voice") other.push(r.speaker_score);
    }
    assert.ok(own.length >= 2 && other.length >= 2, `own ${own}, other ${other}`);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(mean(own) > mean(other), `own ${own} other ${other}`);
  });

  // The firmware's threshold follows the prompt's noise (consent.ts thresholdOf): it is between the quiet model's
  // CONSENT_THRESHOLD and the noise model's at 0 dB (NOISE_LOUD_TH), and a profile can raise it, never lower it.
  test("a profile's own speaker threshold never lowers the firmware's (older or host-written profiles) and a higher one raises it", async () => {
    const voc = e.vocabulary();
    const clips = [...readWordFolder(path.join(demo, "enroll"))].flatMap(([w, fs]) => fs.map((f) => ({ samples: readWav(f).samples, word: voc.indexOf(w) })));
    const lo = await e.dev.call("voiceConsentDefaultThreshold"), hi = await e.dev.call("voiceConsentHighestThreshold");
    const [weakProfile, strictProfile] = [await e.enrol(clips, -100), await e.enrol(clips, 50)];
    const audio = composeAnswer(CODES[0].map((w, i) => take(w, i)));
    // seeded white noise at 10 dB: the noise model
    const rnd = mulberry32(1), white = Int16Array.from({ length: 16000 }, () => Math.round((rnd() - 0.5) * 20000));
    for (const [model, a] of [["quiet", audio], ["noise", mixAt(audio, white, 10)]] as const) {
      const def = await e.prompt(e.codeIndices(CODES[0]), profile, a);
      const weak = await e.prompt(e.codeIndices(CODES[0]), weakProfile, a);
      const strict = await e.prompt(e.codeIndices(CODES[0]), strictProfile, a);
      assert.equal(def.speaker_model, model);
      assert.ok(def.threshold >= lo - 1e-3 && def.threshold <= hi + 1e-3, `${model}: threshold ${def.threshold} outside ${lo}..${hi}`);
      assert.ok(Math.abs(weak.threshold - def.threshold) < 1e-3, `${model}: a low profile threshold gave ${weak.threshold}, the firmware's is ${def.threshold}`);
      assert.ok(Math.abs(strict.threshold - def.threshold - (50 - lo)) < 1e-2, `${model}: profile threshold 50 gave ${strict.threshold}`);
      assert.equal(strict.consent, false);
    }
  });

  test("bad input does not trap: negative or oversized feeds, a code word out of range", async () => {
    const d = e.dev;
    await d.write(await d.call("voiceProfileBuffer"), profile);
    assert.equal(await d.call("voiceConsentBegin", 0, 1, 9, profile.length, 0n), 2);   // never matchable: wrong_code
    assert.equal(await d.call("voiceConsentFeed", -1, 0n), -1);
    assert.ok(await d.call("voiceConsentFeed", 1 << 20, 0n) < 0);
    assert.equal(await d.call("voiceConsentBegin", 0, 1, 2, 12, 0n), 5);              // wrong length: no_profile
  });

  test("enrolment needs every code word: three plain \"yes\" clips or a missing word are refused", async () => {
    const yes = [1, 2, 3].map((i) => ({ samples: readWav(path.join(demo, "audio", `enroll-${i}.wav`)).samples, word: -1 }));
    await assert.rejects(e.enrol(yes), /every code word/);
    const voc = e.vocabulary();
    const noOn = [...readWordFolder(path.join(demo, "enroll"))].filter(([w]) => w !== "on")
      .flatMap(([w, fs]) => fs.map((f) => ({ samples: readWav(f).samples, word: voc.indexOf(w) })));
    await assert.rejects(e.enrol(noOn), /every code word/);
    const dir = mkdtempSync(path.join(process.cwd(), "tmp-consent-"));
    try {
      cpSync(path.join(demo, "enroll"), path.join(dir, "owner"), { recursive: true });
      rmSync(path.join(dir, "owner", "on"), { recursive: true });
      await assert.rejects(enrollDirCommand(["--out", path.join(dir, "p"), path.join(dir, "owner")], { board: "desktop", engine: "node", json: true }), /no recordings of on/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test("glasses consent and the firmware's command face give the same answer as the device exports", async () => {
    const dir = mkdtempSync(path.join(process.cwd(), "tmp-consent-"));
    const logs: string[] = [];
    const orig = console.log;
    try {
      const prof = path.join(dir, "owner.vsp");
      writeFileSync(prof, profile);
      const code = ["yes", "right", "up"];
      const f = path.join(dir, "answer.wav");
      writeFileSync(f, encodeWav(composeAnswer(code.map((w) => take(w, 1))), 16000));
      const rel = path.relative(process.cwd(), f), relProf = path.relative(process.cwd(), prof);
      const direct = await e.prompt(e.codeIndices(code), profile, readWav(f).samples);
      console.log = (s: string) => { logs.push(s); };
      assert.equal(await consentCommand(["--profile", prof, "--code", code.join(" "), f], { board: "desktop", engine: "node", json: true }), 0);
      console.log = orig;
      const host = JSON.parse(logs[0]);
      assert.deepEqual(Object.keys(host), ["file", "consent", "reason", "heard", "speaker_score", "threshold", "speaker_model"]);
      assert.equal(host.consent, direct.consent);
      assert.deepEqual(host.heard, direct.heard);
      const res = await runCommand(["consent", "--profile", relProf, "--code", code.join(" "), rel], { board: "desktop" });
      assert.equal(res.code, 0, res.stderr);
      const fw = JSON.parse(res.stdout.trim());
      assert.equal(fw.consent, direct.consent);
      assert.equal(fw.reason, direct.reason === "timeout" ? "pending" : direct.reason);
      assert.deepEqual(fw.heard.map((h: any) => h.word), direct.heard.map((h) => h.word));
      assert.equal(fw.speaker_model, direct.speaker_model);
      const voc = await runCommand(["consent", "--vocabulary"], { board: "desktop" });
      assert.deepEqual(JSON.parse(voc.stdout.trim()).vocabulary, e.vocabulary());
      const bad = await runCommand(["consent", "--profile", relProf, "--code", "up down on", rel], { board: "desktop" });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /not a code word/);
    } finally { console.log = orig; rmSync(dir, { recursive: true, force: true }); }
  });
});
