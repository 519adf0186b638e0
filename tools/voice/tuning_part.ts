// The KWS-training part of the dev half of the Speech Commands test split (speakers with
// sha1("voice-val-v1:"+spk) % 5 >= 2, host/bench/voice.ts isValSpeaker): where the consent matcher and the
// speaker threshold are tuned, never the validation part that `npm run bench -- consent` reports on.
import { readFileSync } from "node:fs";
import path from "node:path";
import { speechCorpus } from "../../host/commands/voice.ts";
import { isValSpeaker } from "../../host/bench/voice.ts";

/** speaker → label → clip paths (sorted), for every speaker of the tuning part. */
export function tuningPart(): Map<string, Map<string, string[]>> {
  const dir = path.join(speechCorpus(), "speech_commands_v0.02_test");
  const man: { file: string; label: string; speaker: string | null }[] = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const by = new Map<string, Map<string, string[]>>();
  for (const m of man) {
    if (!m.speaker || isValSpeaker(m.speaker)) continue;
    if (!by.has(m.speaker)) by.set(m.speaker, new Map());
    const s = by.get(m.speaker)!;
    if (!s.has(m.label)) s.set(m.label, []);
    s.get(m.label)!.push(path.join(dir, m.file));
  }
  for (const s of by.values()) for (const l of s.values()) l.sort();
  return by;
}
