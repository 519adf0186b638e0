// The streaming spotter (assembly/voice/kws-stream.ts), which boards with mic.kwsStreaming (mcu-s3) run on
// live audio: labelled real clips inside longer recordings (so the live path, not the clip-level window,
// decides), the desktop build's whole-window spotter on the same audio as the reference, and its cost in
// fuel on the MCU build against the board's audio budget.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { VoiceEngine, CLASSES, speechCorpus } from "../host/commands/voice.ts";
import { valClips } from "../host/bench/voice.ts";
import { fuelPerHop } from "../host/bench/consent.ts";
import { loadBoard } from "../host/boards.ts";
import { readWav, concatPcm } from "../host/mic/wav.ts";

const corpusOk = existsSync(path.join(speechCorpus(), "speech_commands_v0.02_test", "manifest.json"));
let mcu: VoiceEngine, desk: VoiceEngine;
before(async () => { mcu = await VoiceEngine.open({ board: "mcu-s3" }); desk = await VoiceEngine.open({ board: "desktop" }); });
after(async () => { await mcu?.close(); await desk?.close(); });

/** A clip with 0.5 s of silence before and after: 2 s, longer than one window, so the live path runs. */
const padded = (samples: Int16Array) => concatPcm(new Int16Array(8000), samples, new Int16Array(8000));

describe("streaming keyword spotter (mcu-s3)", { skip: !corpusOk && "speech corpus not found" }, () => {
  test("keywords inside 2 s recordings: accuracy within 10 points of the whole-window spotter on a 40-clip slice", async () => {
    const all = valClips();
    const words = CLASSES.filter((c) => !c.startsWith("_"));
    const clips = words.flatMap((w) => all.filter((x) => x.label === w).filter((_, i) => i % 11 === 0).slice(0, 4));
    assert.equal(clips.length, 40);
    let okStream = 0, okWindow = 0;
    for (const c of clips) {
      const pcm = padded(readWav(c.file).samples);
      if ((await mcu.listen(pcm)).keyword === c.label) okStream++;
      if ((await desk.listen(pcm)).keyword === c.label) okWindow++;
    }
    console.log(`streaming ${okStream}/40, whole windows ${okWindow}/40`);
    assert.ok(okStream >= 30, `streaming spotter: ${okStream}/40`);
    assert.ok(okStream >= okWindow - 4, `streaming ${okStream}/40 vs whole windows ${okWindow}/40`);
  });

  test("a 6 s recording with yes, no, stop between silence gives those events in order", async () => {
    const all = valClips();
    const pick = (w: string) => readWav(all.filter((c) => c.label === w)[3].file).samples;
    const words = ["yes", "no", "stop"];
    const pcm = concatPcm(new Int16Array(8000), ...words.flatMap((w) => [pick(w), new Int16Array(16000)]));
    const r = await mcu.listen(pcm, { threshold: 0.6 });
    assert.deepEqual(r.events.map((e) => e.keyword).filter((k) => words.includes(k)), words, JSON.stringify(r.events));
  });
});

// tools/voice/golden.py: qnet.py's streaming forward (what stream_eval.py --stream hears words with) on the shipped
// model, against the firmware's streaming network fed the same quantised frames one at a time: the Python measurement
// of the streaming boards is the network they run only if the two agree bit for bit.
test("the streaming network's logits equal qnet.py's streaming twin (golden.py) bit for bit", async () => {
  const g = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "tools/voice/golden/voice_golden.json"), "utf8"));
  assert.ok(g.stream?.length >= 2, "voice_golden.json has no streaming cases: run tools/voice/golden.py");
  const d = mcu.dev, inp = await d.call("voiceKwsInput");
  for (const c of g.stream as { file: string; q: number[][]; logits: number[] }[]) {
    await d.call("voiceKwsStreamReset");
    for (const frame of [...c.q, c.q[0].map(() => 0)]) {       // every frame, then one more: the last row's blocks finish with it
      await d.write(inp, Uint8Array.from(frame, (v) => v & 0xff));
      await d.call("voiceKwsStreamFrame");
    }
    await d.call("voiceKwsStreamInfer");
    const logits = Array.from(new Int32Array((await d.read(await d.call("voiceKwsLogits"), 48)).slice().buffer));
    assert.deepEqual(logits, c.logits, c.file);
  }
});

test("live listening on the mcu-s3 build: within the board's audio budget per hop, speech, silence and the decision (whole windows every 40 ms would cost 14.9x)", { timeout: 300_000 }, async () => {
  const f: any = await fuelPerHop(true);
  assert.ok(f.speech, `fuel measured (${f.note ?? ""})`);
  const budget = loadBoard("mcu-s3").budgets.fuelPerAudioHop;
  assert.equal(f.budget_per_hop, budget);
  assert.ok(f.speech.mean <= budget, `speech ${f.speech.mean} fuel/hop vs budget ${budget}`);
  assert.ok(f.silence.mean <= budget, `silence ${f.silence.mean} fuel/hop vs budget ${budget}`);
  // a network row's blocks are split over two hops, so no single hop carries a whole row
  assert.ok(Math.max(f.speech.max, f.silence.max) <= budget, `worst hop ${Math.max(f.speech.max, f.silence.max)} fuel vs budget ${budget}`);
  // the decision (alignment, speaker check) runs over the hops after the answer, each within the budget
  assert.equal(f.decision.outcome, "code", "the demo owner's own code");
  assert.ok(f.decision.hops >= 2 && f.decision.max_hop_fuel <= budget, `deciding hops: ${JSON.stringify(f.decision)} vs budget ${budget}`);
  // in long silence the streaming network idles: a hop costs under 40 % of the budget (the front end and VAD)
  assert.ok(f.silence_settled.max <= 0.4 * budget, `settled silence ${f.silence_settled.max} fuel/hop vs ${0.4 * budget}`);
});

test("after long silence the idle streaming network wakes on the answer: the same words and outcome as right away (mcu-s3)", { timeout: 300_000 }, async () => {
  const { ConsentEngine, composeAnswer, readWordFolder } = await import("../host/commands/consent.ts");
  const demo = new URL("../assets/demo", import.meta.url).pathname;
  const e = await ConsentEngine.open({ board: "mcu-s3" });
  try {
    const voc = e.vocabulary();
    const enroll = [...readWordFolder(path.join(demo, "enroll"))].flatMap(([w, fs]) => fs.map((f) => ({ samples: readWav(f).samples, word: voc.indexOf(w) })));
    const profile = await e.enrol(enroll);
    const wearer = readWordFolder(path.join(demo, "wearer"));
    let same = 0, accepted = 0;
    const codes = [[0, 2, 4], [3, 1, 0], [4, 4, 2], [1, 3, 2]];
    for (const [k, code] of codes.entries()) {
      const words = code.map((i, j) => readWav(wearer.get(voc[i])![(k + j) % wearer.get(voc[i])!.length]).samples);
      const soon = await e.prompt(code, profile, composeAnswer(words));
      // 3 s of silence first: the network idles after 64 hops and must wake on the first word
      const late = await e.prompt(code, profile, composeAnswer(words, { leadMs: 3000 }));
      if (late.reason === soon.reason && JSON.stringify(late.heard.map((h) => h.word)) === JSON.stringify(soon.heard.map((h) => h.word))) same++;
      if (late.consent) accepted++;
    }
    assert.ok(same >= codes.length - 1, `${same}/${codes.length} prompts decided alike after 3 s of silence`);
    assert.ok(accepted >= codes.length - 1, `the owner accepted in ${accepted}/${codes.length} prompts after 3 s of silence`);
  } finally { await e.close(); }
});
