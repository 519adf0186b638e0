// Board files (boards/<id>.json): loaded and validated against boards/schema.json with errors that name
// the bad field. The validator covers the JSON-Schema subset the schema uses (type, enum, required,
// properties, additionalProperties, minimum, maximum, minLength, pattern).
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BOARDS_DIR = path.join(REPO, "boards");

export interface Board {
  id: string;
  description: string;
  cpu: { class: "mcu" | "linux-soc" | "desktop"; mhz: number; cyclesPerFuel?: number; runtime?: string };
  maxMemoryPages: number;
  camera: { width: number; height: number; format: string; fps: number; qrMaxCandidates?: number };
  mic: { rate: number; bits: number; channels: number; kwsStreaming?: boolean };
  display: { width: number; height: number; bpp: 1 | 8 };
  link: { mtu: number };
  serial: { baud: number };
  wasm: { simd: boolean };
  budgets: { fuelPerFrame: number; fuelPerAudioHop: number; fuelPerSignature: number; binaryBytes: number; memoryPages: number; derivation?: string };
}

export class BoardError extends Error {}

type Schema = Record<string, any>;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Returns a list of problems, each naming the field by its JSON path. */
export function validate(value: unknown, schema: Schema, at = "$"): string[] {
  const errs: string[] = [];
  const t = typeOf(value);
  if (schema.type) {
    const ok = schema.type === t || (schema.type === "number" && t === "integer");
    if (!ok) return [`${at}: expected ${schema.type}, got ${t}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errs.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${at}: ${value} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${at}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength) errs.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errs.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (t === "object") {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in obj)) errs.push(`${at}.${k}: required field is missing`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) errs.push(...validate(v, sub, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}.${k}: unknown field`);
    }
  }
  return errs;
}

let schemaCache: Schema | undefined;
function schema(): Schema {
  return (schemaCache ??= JSON.parse(readFileSync(path.join(BOARDS_DIR, "schema.json"), "utf8")));
}

/** Parses and validates one board file's text; throws BoardError naming every bad field. */
export function parseBoard(text: string, source: string): Board {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { throw new BoardError(`${source}: not valid JSON: ${(e as Error).message}`); }
  const errs = validate(data, schema());
  const b = data as Board;
  if (!errs.length) {
    if (b.budgets.memoryPages > b.maxMemoryPages) errs.push(`$.budgets.memoryPages: ${b.budgets.memoryPages} exceeds maxMemoryPages ${b.maxMemoryPages}`);
  }
  if (errs.length) throw new BoardError(`${source}: invalid board:\n  ${errs.join("\n  ")}`);
  return b;
}

export function listBoards(): string[] {
  return readdirSync(BOARDS_DIR).filter((f) => f.endsWith(".json") && f !== "schema.json").map((f) => f.slice(0, -5)).sort();
}

export function loadBoard(id: string): Board {
  if (!listBoards().includes(id)) throw new BoardError(`unknown board '${id}'; boards: ${listBoards().join(", ")}`);
  const file = path.join(BOARDS_DIR, `${id}.json`);
  const b = parseBoard(readFileSync(file, "utf8"), `boards/${id}.json`);
  if (b.id !== id) throw new BoardError(`boards/${id}.json: $.id is '${b.id}' but the file is named '${id}.json'`);
  return b;
}

export const DEFAULT_BOARD = "desktop";

/** The builds of a board (scripts/asc.ts compiles them): release ships; the others are for tests and benchmarks. */
export type BuildTarget = "release" | "test" | "test-stub" | "names";
export const BUILD_FILES: Record<BuildTarget, string> = {
  release: "glasses.wasm", test: "glasses.test.wasm", "test-stub": "glasses.test-stub.wasm", names: "glasses.names.wasm",
};

/** Path of a board's build (default: the release). */
export function wasmPath(board: string, target: BuildTarget = "release"): string {
  return path.join(REPO, "build", board, BUILD_FILES[target]);
}

/** The board's compile-time constants, passed to asc as `--use NAME=value`. */
export function boardConstants(b: Board): Record<string, number> {
  const id = Buffer.alloc(16);
  id.write(b.id, "ascii");
  return {
    BOARD_CAMERA_W: b.camera.width, BOARD_CAMERA_H: b.camera.height, BOARD_MIC_RATE: b.mic.rate,
    BOARD_DISPLAY_W: b.display.width, BOARD_DISPLAY_H: b.display.height, BOARD_DISPLAY_BPP: b.display.bpp,
    BOARD_LINK_MTU: b.link.mtu, BOARD_MAX_PAGES: b.maxMemoryPages,
    ...(b.camera.qrMaxCandidates ? { BOARD_QR_MAX_CAND: b.camera.qrMaxCandidates } : {}), BOARD_FRAME_FUEL: b.budgets.fuelPerFrame,
    BOARD_KWS_STREAM: b.mic.kwsStreaming ? 1 : 0,
    BOARD_ID0: id.readInt32LE(0), BOARD_ID1: id.readInt32LE(4), BOARD_ID2: id.readInt32LE(8), BOARD_ID3: id.readInt32LE(12),
  };
}

/** The device face's init record (board/config.ts: magic "GBRD", version 1, seven u32 fields). */
export function deviceConfigRecord(b: Board): Uint8Array {
  const words = [0x44524247, 1, b.camera.width, b.camera.height, b.mic.rate, b.display.width, b.display.height, b.display.bpp, b.link.mtu];
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return out;
}
