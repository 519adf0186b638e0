// Command face of the voice engine:
//   listen <clip.wav>… [--threshold T] [--stride N]   → one JSON line per file with scores and events
//   enroll --out <profile> <word>=<clip.wav>…           → writes the speaker profile (every code word at least once)
//   verify-voice --profile <profile> <clip.wav>…        → one JSON line per file: score, accept
//   consent --profile <profile> --code "up left go" <clip.wav>…  → the consent matcher on each clip
//   consent --vocabulary                                → the code words
// WAVs must be 16 kHz here (any PCM width / float32, any channels); the host's commands resample.
import { OK, E_ARGS, E_IO, E_VOICE_PROFILE, E_TOO_LARGE } from "../errors";
import { printLine } from "../io/output";
import { Json, jsonArray, jsonEscape } from "../io/json";
import { readFile, writeFile } from "../io/file";
import { fail, flagValue } from "../commands/fail";
import { parseWav } from "./wav";
import { CLASSES, NCLASS } from "./model";
import { clipBegin, clipFeed, clipFinish, clipScoresPtr } from "./clip";
import { engineSetStride } from "./engine";
import { detectorSetThreshold, eventCount, eventClass, eventTime, eventScore, DEFAULT_THRESHOLD } from "./detector";
import { enrolBegin, enrolAdd, enrolFinish, profileBufferPtr, verifyUtterance, lastVerifyScore,
         CONSENT_THRESHOLD, PROFILE_BYTES, MIN_ENROL, MAX_ENROL } from "./speaker";
import { consentBegin, consentFeed, consentFlush, consentResultJson, CONSENT_PENDING, CONSENT_NO_PROFILE } from "./consent";
import { codeWordIndex, codeWordName, codeWordMask, CODE_LENGTH, CODE_VOCAB_SIZE } from "./code-words";

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

function vocabularyList(): string {
  let v = "";
  for (let i = 0; i < CODE_VOCAB_SIZE; i++) v += (i > 0 ? " " : "") + codeWordName(i);
  return v;
}

export const ENROLL_USAGE = "usage: enroll --out <profile> <word>=<clip.wav>… (at least one clip of every code word: " + vocabularyList() + "; other words such as yes=<clip> also count)";

export function enrollCommand(args: string[]): i32 {
  const out = flagValue(args, "--out");
  const items = positional(args, ["--out", "--threshold"]);
  if (out == null || items.length < MIN_ENROL || items.length > MAX_ENROL) return fail(E_ARGS, ENROLL_USAGE);
  enrolBegin();
  for (let k = 0; k < items.length; k++) {
    const eq = items[k].indexOf("=");
    if (eq <= 0) return fail(E_ARGS, items[k] + ": expected <word>=<clip.wav>; " + ENROLL_USAGE);
    const word = items[k].substring(0, eq), file = items[k].substring(eq + 1);
    const l = loadWav(file);
    if (l.samples == null) return fail(l.status, l.message);
    const s = l.samples!;
    if (s.length > MAX_UTTERANCE) return fail(E_TOO_LARGE, file + ": utterance longer than 4 s");
    const st = enrolAdd(s.dataStart, s.length, codeWordIndex(word));
    if (st != OK) return fail(st, file + ": utterance too short (< 200 ms)");
  }
  const th = flagValue(args, "--threshold");
  const n = enrolFinish(th != null ? <f32>parseFloat(th!) : CONSENT_THRESHOLD, codeWordMask());
  if (n == -E_VOICE_PROFILE) return fail(E_VOICE_PROFILE, "every code word needs a clip (" + vocabularyList() + ")");
  if (n < 0) return fail(-n, "enrolment failed");
  const bytes = new Uint8Array(n);
  memory.copy(bytes.dataStart, profileBufferPtr(), n);
  const e = writeFile(out!, bytes);
  if (e.length > 0) return fail(E_IO, e);
  printLine(new Json().str("profile", out!).int("bytes", n).int("utterances", items.length).toString());
  return OK;
}

export const CONSENT_USAGE = "usage: consent --profile <profile> --code \"w1 w2 w3\" <clip.wav>… | consent --vocabulary";

export function consentCommand(args: string[]): i32 {
  if (args.includes("--vocabulary")) {
    const words = new Array<string>();
    for (let i = 0; i < CODE_VOCAB_SIZE; i++) words.push("\"" + codeWordName(i) + "\"");
    printLine(new Json().raw("vocabulary", "[" + words.join(",") + "]").int("code_length", CODE_LENGTH).toString());
    return OK;
  }
  const prof = flagValue(args, "--profile");
  const codeText = flagValue(args, "--code");
  const files = positional(args, ["--profile", "--code"]);
  if (prof == null || codeText == null || files.length == 0) return fail(E_ARGS, CONSENT_USAGE);
  const parts = codeText!.replaceAll(",", " ").split(" ").filter((w: string) => w.length > 0);
  if (parts.length != CODE_LENGTH) return fail(E_ARGS, "a code is " + CODE_LENGTH.toString() + " words of: " + vocabularyList());
  const code = new StaticArray<i32>(CODE_LENGTH);
  for (let i = 0; i < CODE_LENGTH; i++) {
    code[i] = codeWordIndex(parts[i]);
    if (code[i] < 0) return fail(E_ARGS, "'" + parts[i] + "' is not a code word; the vocabulary is: " + vocabularyList());
  }
  const p = readFile(prof!, PROFILE_BYTES);
  if (!p.ok) return fail(E_IO, p.message);
  const pd = p.data!;
  for (let k = 0; k < files.length; k++) {
    const l = loadWav(files[k]);
    if (l.samples == null) return fail(l.status, l.message);
    const s = l.samples!;
    consentBegin(code[0], code[1], code[2], pd.dataStart, pd.length, 0);
    let r = consentFeed(s.dataStart, s.length, 0);
    if (r == CONSENT_NO_PROFILE) return fail(E_VOICE_PROFILE, prof! + ": invalid voice profile (magic, version or checksum)");
    if (r == CONSENT_PENDING) r = consentFlush();
    printLine("{\"file\":\"" + jsonEscape(files[k]) + "\"," + consentResultJson().substring(1));
  }
  return OK;
}

export function verifyVoiceCommand(args: string[]): i32 {
  const prof = flagValue(args, "--profile");
  const files = positional(args, ["--profile"]);
  if (prof == null || files.length == 0) return fail(E_ARGS, "usage: verify-voice --profile <profile> <clip.wav>…");
  const p = readFile(prof!, PROFILE_BYTES);
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
