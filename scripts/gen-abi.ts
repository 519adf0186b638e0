// Generates host/generated/abi.ts, the host's copy of the firmware's ABI constants, from the firmware sources,
// so that no firmware constant is copied into the host by hand:
//   status codes (name, number, message)  assembly/errors.ts (constants + the describe() table)
//   session states and timeouts           assembly/pay/session.ts (S_* and *_TIMEOUT_MS)
//   keyword classes                       assembly/voice/model.ts (CLASSES)
//   audio hop                             assembly/voice/tables.ts (HOP)
//   spoken-code consent (when present)    assembly/voice/code-words.ts (CODE_*), assembly/voice/consent.ts (CONSENT_*)
//   event types                           every `"type", "<name>"` written by assembly/ (events are JSON lines)
//   framing constants                     assembly/link/framing.ts (every exported integer constant)
//   event record limit                    assembly/device/events.ts (EVENT_MAX)
//   button ids                            assembly/device/payflow.ts (BUTTON_*)
// The output is committed (like the other generated tables) and `npm run build` regenerates it; a test
// checks that regenerating gives the same bytes. Usage: gen-abi.ts [--check] [--stdout]
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../host/boards.ts";

export const OUT = path.join(REPO, "host", "generated", "abi.ts");

export class AbiError extends Error {}

function src(rel: string): string {
  return readFileSync(path.join(REPO, rel), "utf8");
}

/** `export const NAME: i32|i64|u32 = <int>;` constants of a file, optionally filtered by a name pattern. */
function intConsts(text: string, name: RegExp = /\w+/): [string, number][] {
  const out: [string, number][] = [];
  const re = /^export const (\w+): [iu](?:32|64|8|16) = (0x[0-9a-fA-F]+|-?\d+);/gm;
  for (const m of text.matchAll(re)) if (name.test(m[1]) && new RegExp(`^(?:${name.source})$`).test(m[1])) out.push([m[1], Number(m[2])]);
  return out;
}

export interface Status {
  id: string;
  code: number;
  name: string;
  message: string;
}

/** The status table: every constant of errors.ts with its one row in describe(). */
export function statusTable(text = src("assembly/errors.ts")): Status[] {
  const consts = intConsts(text, /OK|E_\w+/);
  const rows = new Map<string, { name: string; message: string }>();
  for (const m of text.matchAll(/case (\w+): return row\(message, "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)"\);/g)) {
    if (rows.has(m[1])) throw new AbiError(`assembly/errors.ts: ${m[1]} has two rows`);
    rows.set(m[1], { name: JSON.parse(`"${m[2]}"`), message: JSON.parse(`"${m[3]}"`) });
  }
  const problems: string[] = [];
  for (const [id] of consts) if (!rows.has(id)) problems.push(`${id} has no row in describe()`);
  for (const id of rows.keys()) if (!consts.some(([c]) => c === id)) problems.push(`row ${id} has no constant`);
  const seen = new Map<number, string>();
  for (const [id, code] of consts) {
    if (seen.has(code)) problems.push(`${id} and ${seen.get(code)} share the number ${code}`);
    seen.set(code, id);
  }
  const names = new Map<string, string>();
  for (const [id, r] of rows) {
    if (names.has(r.name)) problems.push(`${id} and ${names.get(r.name)} share the name ${r.name}`);
    names.set(r.name, id);
  }
  if (problems.length) throw new AbiError(`assembly/errors.ts:\n  ${problems.join("\n  ")}`);
  return consts.map(([id, code]) => ({ id, code, ...rows.get(id)! })).sort((a, b) => a.code - b.code);
}

/** Session states in number order with the names stateName() gives them. */
function sessionStates(text: string): { id: string; code: number; name: string }[] {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/case (S_\w+): return "([^"]+)";/g)) names.set(m[1], m[2]);
  return intConsts(text, /S_\w+/)
    .map(([id, code]) => {
      const name = names.get(id);
      if (!name) throw new AbiError(`assembly/pay/session.ts: ${id} has no stateName() row`);
      return { id, code, name };
    })
    .sort((a, b) => a.code - b.code);
}

/** code-words.ts CODE_CLASS (keyword-class indices, one per code word) as the classes' names. */
function codeWordNames(text: string, classes: string[], file: string): string[] {
  const m = /const CODE_CLASS: StaticArray<i32> = \[([^\]]*)\]/.exec(text);
  if (!m) throw new AbiError(`${file}: no CODE_CLASS array`);
  return m[1].split(",").map((v) => {
    const c = classes[Number(v.trim())];
    if (!c) throw new AbiError(`${file}: CODE_CLASS entry ${v.trim()} is not a keyword class`);
    return c;
  });
}

function stringArray(text: string, name: string, file: string): string[] {
  const m = new RegExp(`export const ${name}: StaticArray<string> = \\[([^\\]]*)\\]`).exec(text);
  if (!m) throw new AbiError(`${file}: no ${name} string table`);
  return [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
}

function one(text: string, name: string, file: string): number {
  const c = intConsts(text, new RegExp(name));
  if (c.length !== 1) throw new AbiError(`${file}: no exported integer constant ${name}`);
  return c[0][1];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "__tests__") walk(p, out);
    } else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Every event type the firmware writes: `.str("type", "<name>")` in any firmware source. */
function eventTypes(): string[] {
  const set = new Set<string>();
  for (const f of walk(path.join(REPO, "assembly")))
    for (const m of readFileSync(f, "utf8").matchAll(/"type",\s*"([a-z_]+)"/g)) set.add(m[1]);
  return [...set].sort();
}

const obj = (pairs: [string, number][], hex = false): string =>
  `{\n${pairs.map(([k, v]) => `  ${k}: ${hex ? `0x${v.toString(16).padStart(2, "0")}` : v},`).join("\n")}\n}`;

export function generate(): string {
  const statuses = statusTable();
  const session = src("assembly/pay/session.ts");
  const states = sessionStates(session);
  const timeouts = intConsts(session, /\w+_TIMEOUT_MS/);
  const classes = stringArray(src("assembly/voice/model.ts"), "CLASSES", "assembly/voice/model.ts");
  const hop = one(src("assembly/voice/tables.ts"), "HOP", "assembly/voice/tables.ts");
  const framing = intConsts(src("assembly/link/framing.ts"));
  const eventMax = one(src("assembly/device/events.ts"), "EVENT_MAX", "assembly/device/events.ts");
  const buttons = intConsts(src("assembly/device/payflow.ts"), /BUTTON_\w+/).map(
    ([n, v]) => [n.slice("BUTTON_".length), v] as [string, number],
  );
  const consentFile = "assembly/voice/consent.ts";
  const wordsFile = "assembly/voice/code-words.ts";
  const has = (f: string): boolean => existsSync(path.join(REPO, f));
  const consent = [
    ...(has(wordsFile) ? intConsts(src(wordsFile), /CODE_\w+/) : []),
    ...(has(consentFile) ? intConsts(src(consentFile), /CONSENT_\w+/) : []),
  ];
  const codeWords = has(wordsFile) ? codeWordNames(src(wordsFile), classes, wordsFile) : [];
  const L: string[] = [];
  L.push("// GENERATED by scripts/gen-abi.ts from the firmware sources (assembly/): do not edit by hand.");
  L.push("// Regenerate with `npm run gen:abi` (npm run build does it too); tests/abi.test.ts checks it is current.");
  L.push("");
  L.push("/** Status codes by constant name (assembly/errors.ts). */");
  L.push(`export const STATUS = ${obj(statuses.map((s) => [s.id, s.code]))} as const;`);
  L.push("");
  L.push("export interface StatusInfo { id: string; code: number; name: string; message: string }");
  L.push("");
  L.push("/** Every status code with its stable name and human message, in number order. */");
  L.push(`export const STATUSES: readonly StatusInfo[] = [\n${statuses.map((s) => `  ${JSON.stringify(s)},`).join("\n")}\n];`);
  L.push("");
  L.push("/** Session states by number (assembly/pay/session.ts stateName()). */");
  L.push(`export const SESSION_STATES = ${obj(states.map((s) => [s.id, s.code]))} as const;`);
  L.push(`export const SESSION_STATE_NAMES: readonly string[] = ${JSON.stringify(states.map((s) => s.name))};`);
  L.push("");
  L.push("/** Session deadlines in milliseconds (assembly/pay/session.ts). */");
  L.push(`export const SESSION_TIMEOUTS_MS = ${obj(timeouts)} as const;`);
  L.push("");
  L.push("/** Keyword-spotter output classes in model order (assembly/voice/model.ts). */");
  L.push(`export const KEYWORD_CLASSES = ${JSON.stringify(classes)} as const;`);
  L.push("");
  L.push("/** Samples per audio hop: what one onAudio call / voice hop consumes (assembly/voice/tables.ts). */");
  L.push(`export const AUDIO_HOP_SAMPLES = ${hop};`);
  L.push("");
  L.push(`/** Spoken-code consent constants (${wordsFile} and ${consentFile}); empty until those files exist. */`);
  L.push(`export const CONSENT = ${consent.length ? obj(consent) : "{}"} as const;`);
  L.push("");
  L.push(`/** The spoken code's words in code-word index order (${wordsFile} CODE_CLASS through the keyword classes). */`);
  L.push(`export const CODE_WORDS = ${JSON.stringify(codeWords)} as const;`);
  L.push("");
  L.push('/** Every event "type" the firmware emits (one JSON line per event). */');
  L.push(`export const EVENT_TYPES = ${JSON.stringify(eventTypes())} as const;`);
  L.push("export type EventType = (typeof EVENT_TYPES)[number];");
  L.push("");
  L.push("/** Longest event record in bytes (assembly/device/events.ts). */");
  L.push(`export const EVENT_MAX = ${eventMax};`);
  L.push("");
  L.push("/** The glasses' buttons for onButton(id, tMs) (assembly/device/payflow.ts BUTTON_*). */");
  L.push(`export const BUTTON = ${obj(buttons)} as const;`);
  L.push("");
  L.push("/** Link framing: commands, error codes, sizes (assembly/link/framing.ts). */");
  L.push(`export const LINK = ${obj(framing, false)} as const;`);
  L.push("");
  return L.join("\n");
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  try {
    const text = generate();
    const old = existsSync(OUT) ? readFileSync(OUT, "utf8") : null;
    if (process.argv.includes("--stdout")) process.stdout.write(text);
    else if (process.argv.includes("--check")) {
      if (old !== text) {
        console.error(`${path.relative(REPO, OUT)} is out of date: run npm run gen:abi`);
        process.exit(1);
      }
    } else if (old !== text) {
      const tmp = `${OUT}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, OUT);
      console.log(`wrote ${path.relative(REPO, OUT)}`);
    }
  } catch (e) {
    console.error(e instanceof AbiError ? e.message : e);
    process.exit(1);
  }
}
