// Every board's release module under WAMR (iwasm built from ../shared/vendor by scripts/wamr/build.ts):
// the command face must print byte-identical stdout and stderr, and exit with the same code, as under Node.
// The fast interpreter runs every board (it has SIMD through SIMDe); the classic interpreter, which has no
// SIMD, runs the boards whose runtime cannot do SIMD (their build has none), and refuses the others.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createECDH, createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { listBoards, loadBoard, wasmPath, REPO } from "../host/boards.ts";
import { ensureBuilt } from "../host/build.ts";
import { runCommand } from "../host/engine/index.ts";
import { loadImage, fitFrame, encodePgm } from "../host/camera/image.ts";
import { buildVariant } from "../host/wamr/build.ts";
import { runIwasm, type IwasmMode } from "../host/wamr/iwasm.ts";
import { boardRuntime } from "../host/wamr/runtime.ts";

const DEMO = path.join(REPO, "assets", "demo");
const work = mkdtempSync(path.join(tmpdir(), "glasses-wamr-"));
const KEY = createHash("sha256").update("wamr comparison key").digest("hex");
const MSG = Buffer.from("pay 25.00 HKD to Luckin Coffee").toString("hex");
const PUB = (() => { const e = createECDH("prime256v1"); e.setPrivateKey(Buffer.from(KEY, "hex")); return e.getPublicKey("hex"); })();

/** The demo frames (with a code, without, tampered) as PGM at one board's camera size, paths relative to `work`. */
function framesFor(board: string): string[] {
  const b = loadBoard(board);
  const dir = path.join(work, `frames-${b.camera.width}x${b.camera.height}`);
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const sub of ["frames", "frames-nocode", "frames-tampered"]) {
    for (const f of readdirSync(path.join(DEMO, sub)).filter((n) => n.endsWith(".png")).sort()) {
      const { frame } = fitFrame(loadImage(path.join(DEMO, sub, f)), b.camera.width, b.camera.height);
      const name = `${sub}-${f.replace(/\.png$/, ".pgm")}`;
      writeFileSync(path.join(dir, name), encodePgm(frame));
      out.push(path.relative(work, path.join(dir, name)));
    }
  }
  return out;
}

/** The demo owner's enrolment clips as `word=enroll/word/clip.wav`, one argument per clip, in a stable order. */
function enrollArgs(): string[] {
  const out: string[] = [];
  for (const word of readdirSync(path.join(work, "enroll")).sort()) {
    for (const f of readdirSync(path.join(work, "enroll", word)).filter((n) => n.endsWith(".wav")).sort()) out.push(`${word}=enroll/${word}/${f}`);
  }
  return out;
}

function cases(board: string): [string, string[]][] {
  const wav = (n: string) => `audio/${n}.wav`;
  return [
    ["selftest", ["selftest"]],
    ["version", ["version"]],
    ["scan demo frames", ["scan", ...framesFor(board)]],
    ["listen", ["listen", wav("yes"), wav("no"), wav("impostor-yes")]],
    ["crypto sign", ["crypto", "sign", "--key", KEY, "--msg", MSG, "--low-s"]],
    ["crypto verify", ["crypto", "verify", "--pub", PUB, "--msg", MSG, "--sig", "SIG"]],
    ["payload", ["payload", "@payload"]],
    ["enroll", ["enroll", "--out", `profile-${board}.bin`, ...enrollArgs()]],
    ["verify-voice", ["verify-voice", "--profile", `profile-${board}.bin`, wav("yes"), wav("impostor-yes")]],
    ["bad input", ["scan", "audio/yes.wav"]],
  ];
}

before(() => {
  buildVariant("fast");
  buildVariant("classic");
  mkdirSync(path.join(work, "audio"));
  for (const word of readdirSync(path.join(DEMO, "enroll"), { withFileTypes: true }).filter((e) => e.isDirectory())) {
    mkdirSync(path.join(work, "enroll", word.name), { recursive: true });
    for (const f of readdirSync(path.join(DEMO, "enroll", word.name)).filter((n) => n.endsWith(".wav")))
      copyFileSync(path.join(DEMO, "enroll", word.name, f), path.join(work, "enroll", word.name, f));
  }
  for (const f of readdirSync(path.join(DEMO, "audio")).filter((n) => n.endsWith(".wav"))) copyFileSync(path.join(DEMO, "audio", f), path.join(work, "audio", f));
});

for (const board of listBoards()) {
  const simd = loadBoard(board).wasm.simd;
  const modes: IwasmMode[] = simd ? ["fast"] : ["fast", "classic"];
  for (const mode of modes) {
    test(`${board}: command face under iwasm ${mode} is byte-identical to Node`, async () => {
      ensureBuilt(board);
      const wasm = wasmPath(board);
      const payload = (await import("node:fs")).readFileSync(path.join(DEMO, "payload.txt"), "utf8").trim();
      let sig = "";
      for (const [name, args0] of cases(board)) {
        const args = args0.map((a) => (a === "@payload" ? payload : a === "SIG" ? sig : a));
        const n = await runCommand(args, { wasm, engine: "node", preopens: { [work]: "." } });
        const w = runIwasm(mode, wasm, args, work);
        assert.equal(w.stdout, n.stdout, `${name}: stdout differs`);
        assert.equal(w.stderr, n.stderr, `${name}: stderr differs`);
        assert.equal(w.code, n.code, `${name}: exit code differs`);
        if (name === "crypto sign") sig = JSON.parse(n.stdout).der;
        // Each case must do its work, not just fail the same way on both engines.
        if (name === "bad input") assert.notEqual(n.code, 0);
        else assert.equal(n.code, 0, `${name} failed: ${n.stderr}`);
        if (name === "crypto verify") assert.match(n.stdout, /"valid":true/);
        // The demo walks towards the code: at QVGA only the nearer frames resolve it, at VGA more do.
        if (name === "scan demo frames") assert.ok(n.stdout.includes(JSON.stringify(payload)), "no demo frame decoded to the demo payload");
      }
    });
  }
  if (simd) {
    test(`${board}: a SIMD build is refused by the classic interpreter (so its runtime must support SIMD)`, () => {
      ensureBuilt(board);
      const r = runIwasm("classic", wasmPath(board), ["selftest"], work);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /unsupported opcode fd/);
      assert.ok(boardRuntime(loadBoard(board)).simd, `${board} uses SIMD but its runtime '${loadBoard(board).cpu.runtime}' cannot run it`);
    });
  }
}

test("every board names a runtime, and a runtime without SIMD gets a build without SIMD", () => {
  for (const board of listBoards()) {
    const b = loadBoard(board);
    const rt = boardRuntime(b);
    if (!rt.simd) assert.equal(b.wasm.simd, false, `${board}: runtime '${b.cpu.runtime}' has no SIMD but wasm.simd is true`);
  }
});
