// Command face of the voice engine:
//   listen <clip.wav>… [--threshold T] [--stride N]   → one JSON line per file with scores and events
//   enroll --out <profile> <clip.wav>…  (3–5 clips)     → writes the speaker profile
//   verify-voice --profile <profile> <clip.wav>…        → one JSON line per file: score, accept
// WAVs must be 16 kHz here (any PCM width / float32, any channels); the host's commands resample.
import { OK, E_ARGS, E_IO, E_VOICE_PROFILE, E_TOO_LARGE } from "../errors";
import { printLine } from "../io/output";
import { Json, jsonArray } from "../io/json";
import { readFile, writeFile } from "../io/file";
import { fail, flagValue } from "../commands/fail";
import { parseWav } from "./wav";
import { CLASSES, NCLASS } from "./model";
import { clipBegin, clipFeed, clipFinish, clipScoresPtr } from "./clip";
import { engineSetStride } from "./engine";
import { detectorSetThreshold, eventCount, eventClass, eventTime, eventScore, DEFAULT_THRESHOLD } from "./detector";
import { enrolBegin, enrolAdd, enrolFinish, profileBufferPtr, verifyUtterance, lastVerifyScore,
         DEFAULT_THRESHOLD as SPK_THRESHOLD, PROFILE_BYTES, MIN_ENROL, MAX_ENROL } from "./speaker";

const MAX_WAV_BYTES: i32 = 64 << 20;
const MAX_UTTERANCE: i32 = 16000 * 4;

function positional(args: string[], flagsWithValue: string[]): string[] {
  const out = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) { if (flagsWithValue.includes(a)) i++; continue; }
    out.push(a);
  }
  return out;
}

function fmt(v: f32): f64 { return Math.round(<f64>v * 10000.0) / 10000.0; }

class Loaded { constructor(public samples: Int16Array | null, public status: i32, public message: string) {} }

function loadWav(path: string): Loaded {
  const f = readFile(path, MAX_WAV_BYTES);
  if (!f.ok) return new Loaded(null, E_IO, f.message);
  const w = parseWav(f.data!);
  if (w.status != OK) return new Loaded(null, w.status, path + ": " + w.message);
  return new Loaded(w.samples, OK, "");
}

export function listenCommand(args: string[]): i32 {
  const files = positional(args, ["--threshold", "--stride"]);
  if (files.length == 0) return fail(E_ARGS, "usage: listen <clip.wav>… [--threshold T] [--stride N]");
  const th = flagValue(args, "--threshold");
  detectorSetThreshold(th != null ? <f32>parseFloat(th!) : DEFAULT_THRESHOLD);
  const st = flagValue(args, "--stride");
  engineSetStride(st != null ? I32.parseInt(st!) : 2);
  for (let k = 0; k < files.length; k++) {
    const l = loadWav(files[k]);
    if (l.samples == null) return fail(l.status, l.message);
    const s = l.samples!;
    clipBegin(s.length);
    clipFeed(s.dataStart, s.length);
    const cls = clipFinish();
    const sc = clipScoresPtr();
    let scores = new Json();
    for (let c = 0; c < NCLASS; c++) scores.num(CLASSES[c], fmt(load<f32>(sc + (<usize>c << 2))));
    const evs = new Array<string>();
    for (let e = 0; e < eventCount(); e++) {
      evs.push(new Json().str("keyword", CLASSES[eventClass(e)]).int("t_ms", eventTime(e)).num("score", fmt(eventScore(e))).toString());
    }
    printLine(new Json().str("file", files[k]).str("keyword", CLASSES[cls]).num("score", fmt(load<f32>(sc + (<usize>cls << 2))))
      .raw("scores", scores.toString()).raw("events", jsonArray(evs)).toString());
  }
  return OK;
}

export function enrollCommand(args: string[]): i32 {
  const out = flagValue(args, "--out");
  const files = positional(args, ["--out", "--threshold"]);
  if (out == null || files.length < MIN_ENROL || files.length > MAX_ENROL)
    return fail(E_ARGS, "usage: enroll --out <profile> <clip.wav>… (3 to 5 clips)");
  enrolBegin();
  for (let k = 0; k < files.length; k++) {
    const l = loadWav(files[k]);
    if (l.samples == null) return fail(l.status, l.message);
    const s = l.samples!;
    if (s.length > MAX_UTTERANCE) return fail(E_TOO_LARGE, files[k] + ": utterance longer than 4 s");
    const st = enrolAdd(s.dataStart, s.length, -1);
    if (st != OK) return fail(st, files[k] + ": utterance too short (< 200 ms)");
  }
  const th = flagValue(args, "--threshold");
  const n = enrolFinish(th != null ? <f32>parseFloat(th!) : SPK_THRESHOLD, 0);
  if (n < 0) return fail(-n, "enrolment failed");
  const bytes = new Uint8Array(n);
  memory.copy(bytes.dataStart, profileBufferPtr(), n);
  const e = writeFile(out!, bytes);
  if (e.length > 0) return fail(E_IO, e);
  printLine(new Json().str("profile", out!).int("bytes", n).int("utterances", files.length).toString());
  return OK;
}

export function verifyVoiceCommand(args: string[]): i32 {
  const prof = flagValue(args, "--profile");
  const files = positional(args, ["--profile"]);
  if (prof == null || files.length == 0) return fail(E_ARGS, "usage: verify-voice --profile <profile> <clip.wav>…");
  const p = readFile(prof!, 4096);
  if (!p.ok) return fail(E_IO, p.message);
  const pd = p.data!;
  if (pd.length != PROFILE_BYTES) return fail(E_VOICE_PROFILE, prof! + ": wrong size " + pd.length.toString());
  memory.copy(profileBufferPtr(), pd.dataStart, pd.length);
  for (let k = 0; k < files.length; k++) {
    const l = loadWav(files[k]);
    if (l.samples == null) return fail(l.status, l.message);
    const s = l.samples!;
    if (s.length > MAX_UTTERANCE) return fail(E_TOO_LARGE, files[k] + ": utterance longer than 4 s");
    const r = verifyUtterance(profileBufferPtr(), pd.length, s.dataStart, s.length);
    if (r < 0) return fail(-r, r == -E_VOICE_PROFILE ? prof! + ": invalid profile (magic, version or checksum)" : files[k] + ": utterance too short");
    printLine(new Json().str("file", files[k]).num("score", fmt(lastVerifyScore())).bool("accept", r == 1).toString());
  }
  return OK;
}
