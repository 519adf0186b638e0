// `scan` over files: images larger than the camera are read without losing small modules (no lossy
// pre-shrink); file names that are not UTF-8 are decoded and reported, never skipped; the firmware's
// command face keeps the same memory over any number of files (mcu-s3, 64-page cap).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, readdirSync, readFileSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WASI } from "node:wasi";
import { makeModules, render, blank, paste } from "../tools/qr/render.ts";
import { encodePgm } from "../host/camera/image.ts";
import { scanCommand } from "../host/commands/scan.ts";
import { resolveWasm } from "../host/engine/index.ts";
import { REPO } from "../host/boards.ts";

async function scanLines(args: string[], board = "desktop"): Promise<{ rc: number; recs: any[] }> {
  const lines: string[] = [];
  const log = console.log; console.log = (s: string) => lines.push(s);
  let rc: number;
  try { rc = await scanCommand([...args, "--json"], { board, engine: "node", json: true } as any); } finally { console.log = log; }
  return { rc, recs: lines.map((l) => JSON.parse(l)) };
}

test("a 4000x3000 photo with 2 px modules is read at full resolution (tiles), not shrunk to 0.7 px modules", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "qr-big-"));
  try {
    const text = "upi://pay?pa=shop@bank&pn=Small%20Print&am=12.00&cu=INR&tn=order%2042";
    const big = blank(4000, 3000, 200);
    const code = render(makeModules(text, { ec: "M" }), { scale: 2 });
    paste(big, code, 2610, 1790);
    writeFileSync(path.join(dir, "photo.pgm"), encodePgm(big));
    const { rc, recs } = await scanLines([path.join(dir, "photo.pgm")]);
    assert.equal(rc, 0);
    assert.equal(recs[0].codes.length, 1);
    assert.equal(recs[0].codes[0].text, text);
    assert.ok(recs[0].frames > 1, "decoded from tiles");
    // corners in the original image's pixels: the symbol starts 4 modules (quiet zone) inside the paste
    const [x0, y0] = recs[0].codes[0].corners[0];
    assert.ok(Math.abs(x0 - (2610 + 8)) < 3 && Math.abs(y0 - (1790 + 8)) < 3, `corner ${x0},${y0}`);
    assert.ok(typeof recs[0].decode_ms === "number" && recs[0].decode_ms > 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("file names that are not UTF-8 are decoded and reported, not skipped", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "qr-names-"));
  try {
    const g = render(makeModules("latin-1 name", { ec: "M" }), { scale: 4 });
    const raw = Buffer.concat([Buffer.from(dir + "/caf"), Buffer.from([0xe9]), Buffer.from(".pgm")]); // "café" in Latin-1
    writeFileSync(raw, encodePgm(g));
    writeFileSync(path.join(dir, "plain.pgm"), encodePgm(g));
    const { rc, recs } = await scanLines([dir]);
    assert.equal(rc, 0);
    assert.equal(recs.length, 2);
    const odd = recs.find((r) => r.file_name_not_utf8);
    assert.ok(odd, JSON.stringify(recs));
    assert.equal(odd.file_hex, raw.toString("hex"));
    assert.equal(odd.codes[0].text, "latin-1 name");
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("the firmware's scan keeps the same memory over 20 or 600 files (mcu-s3)", () => {
  const wasm = resolveWasm({ board: "mcu-s3" });
  const dir = mkdtempSync(path.join(REPO, "build", "qr-many-"));
  try {
    for (let i = 0; i < 30; i++) {
      const f = blank(320, 240, 220);
      paste(f, render(makeModules(`file ${i}`, { ec: "M" }), { scale: 3 }), 20 + i, 20 + (i % 7));
      writeFileSync(path.join(dir, `f${String(i).padStart(2, "0")}.pgm`), encodePgm(f));
    }
    const names = readdirSync(dir).map((f) => path.relative(REPO, path.join(dir, f)));
    const run = (n: number) => {
      const files = Array.from({ length: n }, (_, i) => names[i % names.length]);
      const outFile = path.join(dir, "out.txt"), out = openSync(outFile, "w");
      const wasi = new WASI({ version: "preview1", args: ["glasses", "scan", ...files], env: {}, preopens: { ".": REPO }, returnOnExit: true, stdout: out });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), wasi.getImportObject() as WebAssembly.Imports);
      const code = wasi.start(inst);
      closeSync(out);
      const lines = readFileSync(outFile, "utf8").trim().split("\n");
      return { code, lines: lines.length, pages: (inst.exports.memory as WebAssembly.Memory).buffer.byteLength / 65536 };
    };
    const few = run(20), many = run(600);
    console.log(`# scan: 20 files -> ${few.pages} pages, 600 files -> ${many.pages} pages`);
    assert.equal(few.code, 0); assert.equal(many.code, 0);
    assert.equal(many.lines, 600);
    assert.equal(many.pages, few.pages);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
