// Generates glasses.h, the C view of the firmware's device face, from the firmware's own sources:
//   - every export of assembly/device/api.ts (the device face) with its wasm signature in WAMR's
//     notation ("(iiiI)i") and a C prototype of the call, with the doc comment above it;
//   - status codes and messages from assembly/errors.ts;
//   - fixed buffer sizes from the constants that size them (events.ts, state/blob.ts, api.ts, …);
//   - one row per board (boards/*.json): the init record's fields and the board-sized buffers.
// Nothing in it is typed by hand, so it cannot drift from the firmware: it is generated at build time
// (build/glasses.h) rather than committed, and tests/header.test.ts checks it against every module.
//   node --import tsx scripts/wamr/gen-header.ts [--out FILE]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO, listBoards, loadBoard, deviceConfigRecord } from "../../host/boards.ts";
import { BUTTON, STATUSES } from "../../host/generated/abi.ts";

export const HEADER_PATH = path.join(REPO, "build", "glasses.h");
const src = (p: string) => readFileSync(path.join(REPO, "assembly", p), "utf8");

export interface FaceParam { name: string; type: string }
export interface FaceFunction { name: string; params: FaceParam[]; result: string; doc: string }
export interface FaceGlobal { name: string; type: string; doc: string }

// AssemblyScript types on the wasm32 boundary: pointers (usize) are offsets into linear memory.
const WASM: Record<string, string> = { i32: "i", u32: "i", bool: "i", usize: "i", isize: "i", i8: "i", u8: "i", i16: "i", u16: "i",
  i64: "I", u64: "I", f32: "f", f64: "F" };
const C: Record<string, string> = { i32: "int32_t", u32: "uint32_t", bool: "int32_t", usize: "uint32_t", isize: "int32_t",
  i8: "int32_t", u8: "uint32_t", i16: "int32_t", u16: "uint32_t", i64: "int64_t", u64: "uint64_t", f32: "float", f64: "double", void: "void" };

function docText(raw: string | undefined): string {
  if (!raw) return "";
  return raw.split("\n").map((l) => l.replace(/^\s*\*?\s?/, "").trim()).filter(Boolean).join(" ").replace(/\s+/g, " ");
}

/** The device face as declared in assembly/device/api.ts. */
export function deviceFace(text = src("device/api.ts")): { functions: FaceFunction[]; globals: FaceGlobal[] } {
  const functions: FaceFunction[] = [];
  const fnRe = /((?:\/\*\*[\s\S]*?\*\/\s*)*)export function (\w+)\(([^)]*)\)\s*:\s*(\w+)/g;
  for (const m of text.matchAll(fnRe)) {
    const docs = [...m[1].matchAll(/\/\*\*([\s\S]*?)\*\//g)].map((d) => docText(d[1]));
    const params = m[3].split(",").map((p) => p.trim()).filter(Boolean).map((p) => {
      const pm = /^(\w+)\s*:\s*(\w+)/.exec(p);
      if (!pm) throw new Error(`api.ts: cannot read parameter '${p}' of ${m[2]}`);
      return { name: pm[1], type: pm[2] };
    });
    for (const t of [...params.map((p) => p.type), m[4]]) if (!(t in C)) throw new Error(`api.ts: ${m[2]} uses type ${t}, which has no C mapping here`);
    functions.push({ name: m[2], params, result: m[4], doc: docs[docs.length - 1] ?? "" });
  }
  const globals: FaceGlobal[] = [];
  for (const m of text.matchAll(/((?:\/\*\*[\s\S]*?\*\/\s*)?)export const (\w+)\s*:\s*(\w+)/g)) globals.push({ name: m[2], type: m[3], doc: docText(/\/\*\*([\s\S]*?)\*\//.exec(m[1])?.[1]) });
  return { functions, globals };
}

/** WAMR's signature notation: "(params)result", i = i32, I = i64, f = f32, F = f64. */
export function wamrSignature(f: FaceFunction): string {
  return `(${f.params.map((p) => WASM[p.type]).join("")})${f.result === "void" ? "" : WASM[f.result]}`;
}

export interface StatusCode { name: string; value: number; id: string; message: string; note: string }

/** Status codes from the ABI table generated from assembly/errors.ts (scripts/gen-abi.ts): one source. */
export function statusCodes(text = src("errors.ts")): StatusCode[] {
  const notes = new Map<string, string>();
  for (const m of text.matchAll(/export const (\w+)\s*:\s*i32\s*=\s*(\d+);[ \t]*(?:\/\/\s*(.*))?/g)) notes.set(m[1], (m[3] ?? "").trim());
  return STATUSES.map((s) => ({ name: s.id, value: s.code, id: s.name, message: s.message, note: notes.get(s.id) ?? "" }));
}

/** Evaluates `const NAME: T = EXPR;` integer constants across firmware files (names resolved among them). */
export function firmwareConstants(files: string[]): Record<string, number> {
  const exprs: Record<string, string> = {};
  for (const f of files) for (const m of src(f).matchAll(/(?:export )?const (\w+)\s*:\s*[iu](?:32|64|size)\s*=\s*([^;]+);/g)) exprs[m[1]] ??= m[2].trim();
  const out: Record<string, number> = {};
  for (let pass = 0; pass < 5; pass++) {
    for (const [k, e] of Object.entries(exprs)) {
      if (k in out) continue;
      const sub = e.replace(/\b[A-Z_][A-Z0-9_]*\b/g, (n) => (n in out ? String(out[n]) : n));
      if (/^[\d\s+\-*<>()x]+$/i.test(sub)) out[k] = Number(Function(`return (${sub});`)());
    }
  }
  return out;
}

function need(k: Record<string, number>, name: string): number {
  if (!(name in k)) throw new Error(`gen-header: firmware constant ${name} not found; update scripts/wamr/gen-header.ts`);
  return k[name];
}

/** The state blob's header offsets, read from the code that writes them (state/blob.ts). */
function stateGenerationOffset(): number {
  const m = /store<u32>\(blob, generation, (\d+)\)/.exec(src("state/blob.ts"));
  if (!m) throw new Error("gen-header: cannot find where state/blob.ts stores the generation");
  return Number(m[1]);
}

export function bufferSizes(): Record<string, { value: number; what: string }> {
  const k = firmwareConstants(["device/api.ts", "device/events.ts", "state/blob.ts", "crypto/seal.ts", "board/config.ts", "voice/exports.ts", "device/sensors.ts"]);
  return {
    LINK_BUFFER: { value: need(k, "LINK_BUFFER"), what: "bytes of linkRxBuffer() and of linkTxBuffer()" },
    EVENT_MAX: { value: need(k, "EVENT_MAX"), what: "bytes of eventBuffer(): the longest event record" },
    STATE_BLOB_MAX: { value: need(k, "STATE_BLOB_MAX"), what: "bytes of stateBlob() and stateInBuffer(): the largest sealed state" },
    SECRET_MAX: { value: need(k, "SECRET_MAX"), what: "bytes of secretBuffer(): the longest device secret" },
    SECRET_MIN: { value: need(k, "SECRET_MIN"), what: "the shortest device secret setDeviceSecret() accepts" },
    AUDIO_MAX_SAMPLES: { value: need(k, "VOICE_AUDIO_MAX"), what: "int16 samples audioBuffer() holds (one onAudio call)" },
    CONFIG_BYTES: { value: need(k, "CONFIG_WORDS") * 4, what: "bytes of the init record written to configBuffer()" },
    STATE_GENERATION_OFFSET: { value: stateGenerationOffset(), what: "byte offset of the u32 LE generation in a state blob" },
  };
}

export function generateHeader(): string {
  const face = deviceFace();
  const codes = statusCodes();
  const sizes = bufferSizes();
  const L: string[] = [];
  L.push("/* glasses.h: the firmware's device face for C hosts (WAMR embedding).",
    " * GENERATED by scripts/wamr/gen-header.ts from assembly/device/api.ts, assembly/errors.ts and boards/<id>.json.",
    " * Do not edit; regenerate. docs/firmware-contract.md explains call order, events and persistence. */",
    "#ifndef GLASSES_H", "#define GLASSES_H", "", "#include <stdint.h>", "");
  L.push("/* ---- status codes (assembly/errors.ts): 0 is success, failures are positive ---- */");
  for (const c of codes) L.push(`#define GLASSES_${c.name} ${c.value}${c.note ? `  /* ${c.note.replace(/\*\//g, "")} */` : ""}`);
  for (const [fn, key] of [["glasses_status_name", "id"], ["glasses_status_message", "message"]] as const) {
    L.push("", `static inline const char *${fn}(int32_t status) {`, "  switch (status) {");
    for (const c of codes) L.push(`  case ${c.value}: return ${JSON.stringify(c[key])};`);
    L.push("  default: return \"unknown status\";", "  }", "}");
  }
  L.push("");
  L.push("/* ---- onButton(id, tMs) ids (assembly/device/payflow.ts) ---- */");
  for (const [n, v] of Object.entries(BUTTON)) L.push(`#define GLASSES_BUTTON_${n} ${v}`);
  L.push("");
  L.push("/* ---- fixed sizes (same on every board) ---- */");
  for (const [n, s] of Object.entries(sizes)) L.push(`#define GLASSES_${n} ${s.value}  /* ${s.what} */`);
  const rec = deviceConfigRecord(loadBoard(listBoards()[0]));
  const dv = new DataView(rec.buffer);
  L.push(`#define GLASSES_CONFIG_MAGIC 0x${dv.getUint32(0, true).toString(16)}u  /* "GBRD" as u32 LE, word 0 of the init record */`,
    `#define GLASSES_CONFIG_VERSION ${dv.getUint32(4, true)}u`, "");
  L.push("/* ---- boards (boards/<id>.json): init record fields and board-sized buffers ---- */",
    "struct glasses_board {", "  const char *id;",
    "  uint32_t camera_w, camera_h, mic_rate, display_w, display_h, display_bpp, link_mtu; /* init record words 2..8 */",
    "  uint32_t frame_bytes; /* frameBuffer(): camera_w * camera_h gray bytes */",
    "  uint32_t hud_bytes;   /* hudBuffer(): rows of ceil(display_w * bpp / 8) bytes, MSB first for 1 bpp */",
    "  uint32_t max_pages;   /* the module's linear-memory cap, 64 KiB pages */", "};");
  const rows = listBoards().map((id) => {
    const b = loadBoard(id);
    const r = deviceConfigRecord(b);
    const w = (i: number) => new DataView(r.buffer).getUint32(i * 4, true);
    const hud = (b.display.bpp === 1 ? (b.display.width + 7) >> 3 : b.display.width) * b.display.height;
    return `  { ${JSON.stringify(id)}, ${[2, 3, 4, 5, 6, 7, 8].map(w).join(", ")}, ${b.camera.width * b.camera.height}, ${hud}, ${b.maxMemoryPages} }`;
  });
  L.push(`#define GLASSES_BOARD_COUNT ${rows.length}`, "#define GLASSES_BOARDS_INIT { \\", rows.join(", \\\n") + " \\", "}", "");
  L.push("/* ---- device face: every export, WAMR signature, and the C prototype of the call ----",
    " * Pointers (uint32_t) are offsets into the module's linear memory: convert them with",
    " * wasm_runtime_addr_app_to_native(). Times (t_ms / tMs) are milliseconds on the host's monotonic clock. */");
  for (const f of face.functions) {
    if (f.doc) L.push(`/* ${f.doc.replace(/\*\//g, "")} */`);
    const ps = f.params.length ? f.params.map((p) => `${C[p.type]} ${p.name}`).join(", ") : "void";
    L.push(`typedef ${C[f.result]} glasses_${f.name}_fn(${ps});`);
    L.push(`#define GLASSES_SIG_${f.name} "${wamrSignature(f)}"`);
  }
  L.push("", "struct glasses_export { const char *name; const char *signature; };",
    `#define GLASSES_EXPORT_COUNT ${face.functions.length}`, "#define GLASSES_EXPORTS_INIT { \\",
    face.functions.map((f) => `  { "${f.name}", GLASSES_SIG_${f.name} }`).join(", \\\n") + " \\", "}", "");
  L.push("/* exported globals (wasm globals, read with wasm_runtime_get_export_global_inst or use the value) */");
  for (const g of face.globals) L.push(`/* ${g.name}: ${C[g.type] ?? g.type} global${g.doc ? ` — ${g.doc}` : ""} */`);
  L.push(`#define GLASSES_GLOBALS_INIT { ${face.globals.map((g) => JSON.stringify(g.name)).join(", ")} }`, `#define GLASSES_GLOBAL_COUNT ${face.globals.length}`, "");
  L.push("#endif /* GLASSES_H */", "");
  return L.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args.includes("--help")) { console.log("usage: node --import tsx scripts/wamr/gen-header.ts [--out FILE]   (default build/glasses.h)"); process.exit(0); }
  const i = args.indexOf("--out");
  const out = i >= 0 ? path.resolve(args[i + 1]) : HEADER_PATH;
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, generateHeader());
  console.log(out);
}
