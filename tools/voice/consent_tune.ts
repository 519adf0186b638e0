// Tunes the consent matcher's thresholds (assembly/voice/consent.ts: WORD_MIN, WORD_MARGIN,
// REFUSE_THRESHOLD) and the speaker threshold stored in new profiles (speaker.ts CONSENT_THRESHOLD) on the
// KWS-training part of the dev half of the SC test split (speakers with sha1("voice-val-v1:"+spk) % 5 >= 2),
// never on the validation part that `npm run bench -- consent` reports on. Seeded; prints one table.
//   node --import tsx tools/voice/consent_tune.ts [--seed N] [--small] [--refuse 0.5,0.6,0.7] [--min 0.45,0.6] [--margin 0.1]
//     [--gap 0,4] [--no-stretch-owner] [--far 0.02,0.005] [--th 0.4,0.5] [--bystanders 250] [--pairs 1] [--enrol-other W,…]
//     [--template 0.8,0.85,2] [--noise-below 0,4,100] [--owner-snr 10] [--bystander-snr 10] [--board B]
//     (B: the build to tune, desktop by default; mcu-s3 streams)
// --template lists the owner's word-template rule's minimum similarities (consent.ts TEMPLATE_MIN; above 1:
// the rule off; default: the shipped value), a grid dimension like the others; so is --noise-below, where the
// speaker check switches to the profile's noise model (consent.ts NOISE_BELOW; 0: never, 100: always).
// --owner-snr sets the owners' noisy condition (10 dB by default; the table's owner_10dB columns), and
// --bystander-snr mixes noise into the bystanders' recordings (quiet by default): the thresholds that follow the
// prompt's noise (consent.ts thresholdOf, speaker.ts CONSENT_THRESHOLD_NOISE) are set by the bystander rule at
// each level. Each condition's energy over the noise floor (what chooses the model and the threshold) is printed
// as percentiles on stderr, and a row per setting gives the rates at the firmware's own per-prompt thresholds.
// --pairs N re-decides each bystander's random-code recording for N (owner, code) pairs, as the bench does, so
// that rates near 1 in 10,000 can be told apart; --far lists the speaker thresholds' shares to report.
// The grid over WORD_MIN × WORD_MARGIN × SEGMENT_GAP reuses each prompt's audio through the
// firmware's consentRescore (they only change the decision at an utterance's end, not where it happens);
// REFUSE_THRESHOLD changes where prompts end, so each of its values reruns every prompt.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConsentEngine, composeAnswer, mixAt } from "../../host/commands/consent.ts";
import { speechCorpus } from "../../host/commands/voice.ts";
import { mulberry32 } from "../../host/bench/rng.ts";
import { ENROL_OTHER as BENCH_ENROL_OTHER } from "../../host/bench/consent.ts";
import { readWav } from "../../host/mic/wav.ts";
import { tuningPart } from "./tuning_part.ts";

const args = process.argv.slice(2);
/** --flag a,b,c as numbers (def when absent). */
const list = (flag: string, def: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : def).split(",").map(Number);
const seed = list("--seed", "7")[0];
const small = args.includes("--small");
const rnd = mulberry32(seed);
const pick = <T>(x: T[]): T => x[Math.floor(rnd() * x.length)];

const by = tuningPart();
const pcmCache = new Map<string, Int16Array>();
const pcm = (f: string) => { let s = pcmCache.get(f); if (!s) { s = readWav(f).samples; pcmCache.set(f, s); } return s; };
const noiseDir = path.join(speechCorpus(), "sc_background_noise");
const noises = JSON.parse(readFileSync(path.join(noiseDir, "manifest.json"), "utf8"))
  .map((e: any) => { const s = readWav(path.join(noiseDir, e.file)).samples; return s.slice(0, Math.floor(s.length * 0.75)); }) as Int16Array[];

const board = args.includes("--board") ? args[args.indexOf("--board") + 1] : "desktop";
const e = await ConsentEngine.open({ board });
const vocab = e.vocabulary();
// other words of the owner's enrolment besides one take of each code word: the bench's (no, stop), or
// --enrol-other W,… ("" for none)
const ENROL_OTHER = args.includes("--enrol-other") ? args[args.indexOf("--enrol-other") + 1].split(",").filter(Boolean) : BENCH_ENROL_OTHER;
const code3 = () => [0, 1, 2].map(() => Math.floor(rnd() * vocab.length));
const ownerIds = [...by.keys()].filter((s) => vocab.every((w) => (by.get(s)!.get(w)?.length ?? 0) >= 2)).sort();
const owners: { id: string; profile: Uint8Array; takes: (w: string) => Int16Array; no: string[] }[] = [];
for (const id of ownerIds) {
  const m = by.get(id)!;
  const clips = vocab.map((w, i) => ({ samples: pcm(m.get(w)![0]), word: i }));
  for (const w of ENROL_OTHER) if (m.get(w)) clips.push({ samples: pcm(m.get(w)![0]), word: -1 });
  // the owner's "no" prompts never use an enrolled take
  owners.push({ id, profile: await e.enrol(clips, -100), takes: (w) => pcm(pick(m.get(w)!.slice(1))), no: (m.get("no") ?? []).slice(ENROL_OTHER.includes("no") ? 1 : 0) });
}
console.error(`${owners.length} tuning owners, ${by.size} speakers (seed ${seed})`);

const MINS = list("--min", "0.45,0.6"), MARGINS = list("--margin", "0.1");
const FARS = list("--far", "0.02");                   // the speaker threshold's share of other people's right codes passing
const PAIRS = list("--pairs", "1")[0];
const THS = args.includes("--th") ? list("--th", "") : [];   // speaker thresholds to report as well
const BYSTANDERS = list("--bystanders", "250")[0];    // bystander recordings (each: a random code, and the right code)
// the matcher's repeat rule (consent.ts SEGMENT_GAP, 0 off; -1: shipped), with or without its stretch-owner test
const GAPS = list("--gap", "-1");
const STRETCH_OWNER = !args.includes("--no-stretch-owner");
const TEMPLATES = list("--template", "NaN");
const NOISE_BELOWS = list("--noise-below", "NaN");
const OWNER_SNR = list("--owner-snr", "10")[0];
const BYSTANDER_SNR = args.includes("--bystander-snr") ? list("--bystander-snr", "")[0] : null;
// every setting re-decided by consentRescore; a Row's arrays are indexed like GRID
const GRID = MINS.flatMap((mn) => MARGINS.flatMap((mg) => GAPS.flatMap((ga) => TEMPLATES.flatMap((tm) => NOISE_BELOWS.map((nb) => ({ mn, mg, ga, tm, nb }))))));
/** Sets the matcher (NaN: the firmware's default). */
const setTuning = (mn: number, mg: number, ga: number, tm: number, nb: number) =>
  e.setTuning({ wordMin: mn, margin: mg, refuse, segmentGap: ga, stretchOwner: STRETCH_OWNER, templateMin: tm, noiseBelow: nb });
/** A bystander's recording as the tuning hears it: quiet, or with noise at --bystander-snr. */
const bystanderAudio = (a: Int16Array) => { if (BYSTANDER_SNR === null) return a; const nz = pick(noises); return mixAt(a, nz, BYSTANDER_SNR, Math.floor(rnd() * nz.length)); };
type Row = { refused: boolean; aligned: boolean[]; score: number[]; threshold: number[]; overNoise?: number };
/** Re-decides the last prompt for every setting of GRID. */
async function rescoreAll(row: Row, code: number[], profile: Uint8Array): Promise<Row> {
  for (const { mn, mg, ga, tm, nb } of GRID) {
    await setTuning(mn, mg, ga, tm, nb);
    const o = await e.rescore(code, profile);
    row.aligned.push(o === "accepted" || o === "voice_mismatch");
    row.score.push(o === "accepted" || o === "voice_mismatch" ? await e.speakerScore() : NaN);
    row.threshold.push(o === "accepted" || o === "voice_mismatch" ? await e.threshold() : NaN);
  }
  return row;
}
async function run(code: number[], profile: Uint8Array, audio: Int16Array): Promise<Row> {
  await setTuning(NaN, NaN, -1, NaN, NaN);
  const r = await e.prompt(code, profile, audio);
  const overNoise = r.outcome === "accepted" || r.outcome === "voice_mismatch" ? await e.speechOverNoise() : undefined;
  return rescoreAll({ refused: r.outcome === "refused", aligned: [], score: [], threshold: [], overNoise }, code, profile);
}
let refuse = 0.6;
const out: any[] = [];
for (refuse of list("--refuse", "0.5,0.6,0.7")) {
  const n = small ? 2 : 6;
  const ownQ: Row[] = [], own10: Row[] = [], ownNo: Row[] = [], byCode: Row[] = [], byRight: Row[] = [];
  for (const o of owners) for (let k = 0; k < n; k++) {
    const c = code3();
    const ans = composeAnswer(c.map((i) => o.takes(vocab[i])));
    ownQ.push(await run(c, o.profile, ans));
    const nz = pick(noises);
    own10.push(await run(c, o.profile, mixAt(ans, nz, OWNER_SNR, Math.floor(rnd() * nz.length))));
    if (o.no.length) {
      ownNo.push(await run(c, o.profile, composeAnswer([pcm(pick(o.no)), ...c.map((i) => o.takes(vocab[i]))])));
    }
  }
  const spk = [...by.keys()];
  for (let k = 0; k < (small ? 60 : BYSTANDERS); k++) {
    const s = pick(spk), m = by.get(s)!, c = code3();
    if (!c.every((i) => m.get(vocab[i]))) { k--; continue; }
    const audio = bystanderAudio(composeAnswer(c.map((i) => pcm(pick(m.get(vocab[i])!)))));
    const others = owners.filter((o) => o.id !== s);
    const draws = Array.from({ length: PAIRS }, () => ({ code: code3(), o: pick(others) }));
    const first = await run(draws[0].code, draws[0].o.profile, audio);
    byCode.push(first);
    for (const d of draws.slice(1)) {
      if (first.refused) { byCode.push(first); continue; }     // a refusal does not depend on the code or owner
      byCode.push(await rescoreAll({ refused: false, aligned: [], score: [], threshold: [] }, d.code, d.o.profile));
    }
    byRight.push(await run(c, pick(others).profile, audio));
  }
  const frac = (rows: Row[], g: number, f: (r: Row) => boolean) => rows.filter(f).length / Math.max(1, rows.length);
  for (const [name, rows] of [["owners quiet", ownQ], [`owners ${OWNER_SNR} dB`, own10], ["bystanders", byCode]] as const) {
    const v = rows.map((r) => r.overNoise).filter((x) => x !== undefined).sort((a, b) => a! - b!) as number[];
    const q = (p: number) => v.length ? v[Math.min(v.length - 1, Math.floor(p * v.length))].toFixed(2) : "-";
    console.error(`energy over the noise floor, ${name} (${v.length} decided): 1 % ${q(0.01)}, 5 % ${q(0.05)}, median ${q(0.5)}, 95 % ${q(0.95)}, 99 % ${q(0.99)}`);
  }
  GRID.forEach(({ mn, mg, ga, tm, nb }, g) => { for (const FAR of FARS) {
    // speaker threshold at FAR (default 2 %) of other speakers' right-code completions passing
    const imp = byRight.filter((r) => !r.refused && r.aligned[g]).map((r) => r.score[g]).sort((x, y) => y - x);
    const th = imp.length ? imp[Math.floor(imp.length * FAR)] : -1;
    const pass = (r: Row) => !r.refused && r.aligned[g] && r.score[g] > th;     // exactly the FAR share of other people's right codes
    out.push({ refuse, wordMin: mn, margin: mg, gap: ga, template: tm, noiseBelow: nb,
      owner_quiet_code: +frac(ownQ, g, (r) => !r.refused && r.aligned[g]).toFixed(3), owner_10dB_code: +frac(own10, g, (r) => !r.refused && r.aligned[g]).toFixed(3),
      owner_no_refused: +frac(ownNo, g, (r) => r.refused).toFixed(3),
      bystander_code_completion: +frac(byCode, g, (r) => !r.refused && r.aligned[g]).toFixed(4),
      speaker_threshold: +th.toFixed(3), far: FAR, right_code_trials: imp.length, owner_quiet_accept: +frac(ownQ, g, pass).toFixed(3), owner_10dB_accept: +frac(own10, g, pass).toFixed(3),
      bystander_code_consent: +frac(byCode, g, pass).toFixed(5), bystander_trials: byCode.length });
  } });
  // the same at the firmware's own thresholds (each prompt's, which follow its noise: consent.ts thresholdOf) and
  // at given speaker thresholds (--th), for every setting; the firmware's rule, score >= threshold on its f32 values
  GRID.forEach(({ mn, mg, ga, tm, nb }, gi) => {
    for (const th of ["firmware" as const, ...THS]) {
      const pass = (r: Row) => !r.refused && r.aligned[gi] && r.score[gi] >= (th === "firmware" ? r.threshold[gi] : Math.fround(th));
      out.push({ refuse, wordMin: mn, margin: mg, gap: ga, template: tm, noiseBelow: nb, speaker_threshold: th,
        right_code: +frac(byRight, gi, pass).toFixed(4), right_code_trials: byRight.length,
        owner_quiet_accept: +frac(ownQ, gi, pass).toFixed(3), owner_10dB_accept: +frac(own10, gi, pass).toFixed(3),
        bystander_code_consent: +frac(byCode, gi, pass).toFixed(5), bystander_consents: byCode.filter(pass).length, bystander_trials: byCode.length });
    }
  });
  console.error(`refuse ${refuse} done`);
}
await e.close();
console.table(out);
console.log(JSON.stringify(out));
