// Which codes another person's spoken code completes: on the KWS-training part of the dev test split (never
// the validation part), each of N recordings of a random code (one speaker's takes, composed as the bench
// does) is re-decided for all 125 codes through the firmware's consentRescore, and completions (the code
// aligned; accepted or voice_mismatch) are counted by how many words differ and by whether the prompt or the
// spoken code has a word twice in a row (one spoken word standing for two is the failure this separates).
//   node --import tsx tools/voice/code_confusion.ts [--recordings 250] [--gap G] [--seed N] [--board B]
//   (G: consent.ts SEGMENT_GAP for this run; 0 turns the stretch rule off, -4 keeps stretches without the
//    stretch-owner test; -1, the default, is the shipped rule)
import { ConsentEngine, composeAnswer } from "../../host/commands/consent.ts";
import { mulberry32 } from "../../host/bench/rng.ts";
import { readWav } from "../../host/mic/wav.ts";
import { tuningPart } from "./tuning_part.ts";

const args = process.argv.slice(2);
const opt = (f: string, d: string) => (args.includes(f) ? args[args.indexOf(f) + 1] : d);
const N = Number(opt("--recordings", "250")), GAP = Number(opt("--gap", "-1"));
const rnd = mulberry32(Number(opt("--seed", "5")));
const pick = <T>(x: T[]) => x[Math.floor(rnd() * x.length)];

const by = tuningPart();
const e = await ConsentEngine.open({ board: opt("--board", "desktop") });
const vocab = e.vocabulary(), V = vocab.length;
if (e.length !== 3) throw new Error("written for codes of three words");
// any profile will do: completions do not depend on the speaker check (a threshold far below every score)
const speakers = [...by.keys()].sort();
const m0 = by.get(speakers.find((s) => vocab.every((w) => by.get(s)!.get(w)))!)!;
const profile = await e.enrol(vocab.map((w, i) => ({ samples: readWav(m0.get(w)![0]).samples, word: i })), -100);
await e.setTuning({ segmentGap: GAP });
const twice = (c: number[]) => c[0] === c[1] || c[1] === c[2];
const cells = new Map<string, [number, number]>();
for (let n = 0; n < N; ) {
  const m = by.get(pick(speakers))!;
  const said = [0, 1, 2].map(() => Math.floor(rnd() * V));
  if (!said.every((i) => m.get(vocab[i]))) continue;
  n++;
  const r = await e.prompt(said, profile, composeAnswer(said.map((i) => readWav(pick(m.get(vocab[i])!)).samples)));
  for (const code of e.allCodes()) {
    const o = r.outcome === "pending" || r.outcome === "refused" ? r.outcome : await e.rescore(code, profile);
    const key = `differ ${code.filter((x, i) => x !== said[i]).length} | prompt ${twice(code) ? "repeats" : "no repeat"} | said ${twice(said) ? "repeats" : "no repeat"}`;
    const c = cells.get(key) ?? [0, 0];
    c[1]++;
    if (o === "accepted" || o === "voice_mismatch") c[0]++;
    cells.set(key, c);
  }
}
await e.close();
console.log(`completions by case (${N} recordings × ${V ** 3} codes, SEGMENT_GAP setting ${GAP})`);
for (const k of [...cells.keys()].sort()) { const [c, t] = cells.get(k)!; console.log(`${k.padEnd(48)} ${String(c).padStart(5)} / ${String(t).padEnd(6)} ${(100 * c / t).toFixed(1)} %`); }
