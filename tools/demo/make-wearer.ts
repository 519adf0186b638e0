// Writes the demo's simulated wearer and owner enrolment (assets/demo/enroll, assets/demo/wearer) from one real
// speaker of the project's dev corpus:
//   node --import tsx tools/demo/make-wearer.ts [--check]
// The speaker is chosen by a rule, not by how well the firmware hears them: of the tuning part of the dev half
// of the Speech Commands test split (tools/voice/tuning_part.ts: never the validation part the consent bench
// reports on), the speaker with the most takes of the code words and of "no" and "stop", at least two of each
// (ties: the smaller id). The first take of each word (sorted by file name) enrols the owner; up to four
// others per word are what the simulated wearer says. WAV files are copied unchanged. --check only verifies
// that the committed folders are what this would write.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CODE_WORDS } from "../../host/generated/abi.ts";
import { tuningPart } from "../voice/tuning_part.ts";

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const DEMO = path.join(REPO, "assets", "demo");
const WEARER_TAKES = 3;
const check = process.argv.includes("--check");
if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log("usage: node --import tsx tools/demo/make-wearer.ts [--check]   (writes assets/demo/enroll and assets/demo/wearer)");
  process.exit(0);
}

const words = [...CODE_WORDS, "no", "stop"];            // the firmware's code words (generated ABI), then the refusal words

const by = tuningPart();
let speaker = "", best = -1;
for (const [s, m] of [...by].sort(([a], [b]) => a.localeCompare(b))) {
  const n = words.map((w) => m.get(w)?.length ?? 0);
  if (Math.min(...n) < 2) continue;
  const total = n.reduce((a, b) => a + b, 0);
  if (total > best) { best = total; speaker = s; }
}
if (!speaker) throw new Error("no tuning-part speaker has two takes of every word: " + words.join(" "));

type Entry = { file: string; word: string; speaker: string; utterance: number; original: string; source: string; sha1: string };
const plan: Record<"enroll" | "wearer", { entry: Entry; from: string }[]> = { enroll: [], wearer: [] };
for (const w of words) {
  const takes = by.get(speaker)!.get(w)!;
  takes.forEach((from, i) => {
    if (i > WEARER_TAKES) return;
    const utterance = Number(/_nohash_(\d+)\.wav$/.exec(from)![1]);
    const role = i === 0 ? "enroll" : "wearer";
    const file = `${w}/${w}-${utterance}.wav`;
    const original = path.relative(path.join(from, "..", "..", ".."), from);
    plan[role].push({ from, entry: { file, word: w, speaker, utterance, original, source: "corpus/speech/" + original.split(path.sep)[0],
      sha1: createHash("sha1").update(readFileSync(from)).digest("hex") } });
  });
}

const README = `# Simulated wearer and owner enrolment: real speech, Speech Commands

\`assets/demo/enroll/<word>/*.wav\` (one take of each code word and of no/stop) enrol the demo owner;
\`assets/demo/wearer/<word>/*.wav\` (up to ${WEARER_TAKES} other takes per word, never used for enrolment) are what the
simulated wearer says when it answers a prompt. Both are ONE speaker of Speech Commands, contributor
\`${speaker}\` (the \`speaker\` field), from the project's dev corpus \`corpus/speech/speech_commands_v0.02_test\`
(the official test split; this speaker is in the part the keyword spotter trains on and the consent matcher is
tuned on, never in the part \`npm run bench -- consent\` reports on). Chosen by a rule, not by how well the
firmware hears them: the speaker of that part with the most takes of the code words and no/stop
(\`tools/demo/make-wearer.ts\`, which writes both folders). \`manifest.json\` lists every file with its
original name in the dataset and its SHA-1.

**Dataset:** Speech Commands, Pete Warden / Google. Warden P., "Speech Commands: A Dataset for
Limited-Vocabulary Speech Recognition", arXiv:1804.03209, 2018.
**Licence:** Creative Commons Attribution 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/. Changes: files selected and renamed (audio unchanged).
`;

let differs = 0;
for (const role of ["enroll", "wearer"] as const) {
  const dir = path.join(DEMO, role);
  const manifest = JSON.stringify(plan[role].map((p) => p.entry), null, 1) + "\n";
  if (check) {
    const same = existsSync(path.join(dir, "manifest.json")) && readFileSync(path.join(dir, "manifest.json"), "utf8") === manifest
      && plan[role].every((p) => existsSync(path.join(dir, p.entry.file)) && readFileSync(path.join(dir, p.entry.file)).equals(readFileSync(p.from)));
    const extra = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".wav") && !plan[role].some((p) => p.entry.file === String(f)));
    if (!same || extra.length) { differs++; console.error(`${role}: differs from what make-wearer.ts writes${extra.length ? ` (extra: ${extra.join(", ")})` : ""}`); }
    continue;
  }
  // written next to the folder, then swapped in, so a failure leaves the old folder whole
  const tmp = dir + ".new";
  rmSync(tmp, { recursive: true, force: true });
  for (const p of plan[role]) {
    mkdirSync(path.join(tmp, p.entry.word), { recursive: true });
    writeFileSync(path.join(tmp, p.entry.file), readFileSync(p.from));
  }
  writeFileSync(path.join(tmp, "manifest.json"), manifest);
  writeFileSync(path.join(tmp, "README.md"), README);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  console.log(`${role}: ${plan[role].length} clips of speaker ${speaker}`);
}
if (check) {
  if (differs) process.exit(1);
  console.log(`enroll and wearer match speaker ${speaker}`);
}
