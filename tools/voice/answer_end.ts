// How the end of an answer (assembly/voice/consent.ts END_HOPS, END_HOPS_FEW) trades owners' codes at 10 dB
// against other people's conversation decided as one answer, on the TUNING part (tools/voice/tuning_part.ts;
// never the validation part the consent bench reports on). Measures the current build, so a variant is a
// rebuild with other constants (tools/voice/README.md, "The end of an answer", gives the three compared):
//   node --import tsx tools/voice/answer_end.ts [BOARD]
// Conversation: 450 recordings of two speakers' words (4-7, 80-380 ms apart) at 0/5/10 dB, each decided for 40
// (owner, code) pairs as the bench draws them; owners: 12 codes each from their second takes at 10 dB. Seeded.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConsentEngine, composeAnswer, mixAt } from "../../host/commands/consent.ts";
import { speechCorpus } from "../../host/commands/voice.ts";
import { readWav } from "../../host/mic/wav.ts";
import { mulberry32 } from "../../host/bench/rng.ts";
import { tuningPart } from "./tuning_part.ts";
const by = tuningPart();
const cache = new Map<string, Int16Array>();
const pcm = (f: string) => { let s = cache.get(f); if (!s) { s = readWav(f).samples; cache.set(f, s); } return s; };
const e = await ConsentEngine.open({ board: process.argv[2] ?? "desktop" });
const vocab = e.vocabulary();
const ownerIds = [...by.keys()].filter((s) => vocab.every((w) => (by.get(s)!.get(w)?.length ?? 0) >= 2)).sort();
const owners: { id: string; profile: Uint8Array }[] = [];
for (const id of ownerIds) owners.push({ id, profile: await e.enrol(vocab.map((w, i) => ({ samples: pcm(by.get(id)!.get(w)![0]), word: i }))) });
const noiseDir = path.join(speechCorpus(), "sc_background_noise");
const noises = JSON.parse(readFileSync(path.join(noiseDir, "manifest.json"), "utf8")).map((x: any) => readWav(path.join(noiseDir, x.file)).samples) as Int16Array[];
const r = mulberry32(21);
const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
const spk = [...by.keys()];
const labels = ["_unknown_", "on", "off", "yes", "up", "down", "left", "right", "go", "no", "stop"];
const wordsOf = (s: string) => labels.flatMap((l) => by.get(s)!.get(l) ?? []);
const code = () => [0, 1, 2].map(() => Math.floor(r() * vocab.length));
let trials = 0, acc = 0, comp = 0;
for (const snr of [0, 5, 10]) {
  for (let i = 0; i < 150; i++) {
    const a = pick(spk), b = pick(spk);
    const ws = [...wordsOf(a), ...wordsOf(b)];
    if (ws.length < 2) { i--; continue; }
    const audio = composeAnswer(Array.from({ length: 4 + Math.floor(r() * 4) }, () => pcm(pick(ws))), { gapMs: 80 + Math.floor(r() * 300) });
    const n = pick(noises);
    const x = mixAt(audio, n, snr, Math.floor(r() * n.length));
    const others = owners.filter((o) => o.id !== a);
    const draws = Array.from({ length: 40 }, () => ({ o: pick(others), c: code() }));
    for (let p = 0; p < 40; p++) {
      let out: string | null = p === 0 ? (await e.prompt(draws[p].c, draws[p].o.profile, x)).outcome : await e.rescore(draws[p].c, draws[p].o.profile);
      if (out === null) out = "refused";
      trials++;
      if (out === "accepted") acc++;
      if (out === "accepted" || out === "voice_mismatch") comp++;
      if (p === 0 && (out === "refused" || out === "pending")) { trials += 39; break; }
    }
  }
}
console.log(`conversation (tuning): ${acc} consents, ${comp} completions in ${trials} trials`);
// owners at 10 dB
let n = 0, ok = 0; const reasons: Record<string, number> = {};
for (const id of ownerIds) {
  const m = by.get(id)!; const o = owners.find((x) => x.id === id)!;
  for (let k = 0; k < 12; k++) {
    const c = code();
    const a = composeAnswer(c.map((i) => pcm(m.get(vocab[i])![1])));
    const nz = pick(noises);
    const res = await e.prompt(c, o.profile, mixAt(a, nz, 10, Math.floor(r() * nz.length)));
    n++; if (res.consent) ok++; reasons[res.reason] = (reasons[res.reason] ?? 0) + 1;
  }
}
console.log(`owners 10 dB (tuning): ${ok}/${n}`, JSON.stringify(reasons));
await e.close();
