// The generated ABI and the release's export list. host/generated/abi.ts must be what scripts/gen-abi.ts makes
// from the firmware sources today, and must agree with what the firmware itself prints; a release module
// exports the documented device face and nothing else (host/device-face.ts), on every board.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generate, statusTable, OUT, AbiError } from "../scripts/gen-abi.ts";
import { STATUSES, KEYWORD_CLASSES, AUDIO_HOP_SAMPLES } from "../host/generated/abi.ts";
import { DEVICE_FACE, WASI_EXPORTS } from "../host/device-face.ts";
import { listBoards, REPO } from "../host/boards.ts";
import { resolveWasm, runCommand } from "../host/engine/index.ts";
import { wasmInfo } from "../host/wasm-info.ts";
import { describeStatus, FirmwareError } from "../host/status.ts";
import path from "node:path";

test("host/generated/abi.ts is current: regenerating gives the same bytes", () => {
  assert.equal(readFileSync(OUT, "utf8"), generate(), "run `npm run gen:abi` and commit host/generated/abi.ts");
});

test("the status table refuses a constant without a row, a row without a constant and shared numbers", () => {
  const good = readFileSync(path.join(REPO, "assembly/errors.ts"), "utf8");
  assert.ok(statusTable(good).length >= 30);
  assert.throws(
    () => statusTable(good.replace(/^export const E_LINK_CMD: i32 = 98;.*$/m, "")),
    (e: Error) => e instanceof AbiError && /row E_LINK_CMD has no constant/.test(e.message),
  );
  assert.throws(() => statusTable(good + "\nexport const E_NEW: i32 = 250;\n"), /E_NEW has no row/);
  assert.throws(() => statusTable(good.replace("E_LINK_CMD: i32 = 98", "E_LINK_CMD: i32 = 97")), /share the number 97/);
});

test("the firmware prints the same status name and message as the generated table", async () => {
  const r = await runCommand(["no-such-command"], { board: "desktop" });
  const line = JSON.parse(r.stderr.trim().split("\n").pop()!);
  const row = STATUSES.find((s) => s.code === r.code)!;
  assert.equal(row.id, "E_UNKNOWN_COMMAND");
  assert.equal(line.error, row.name);
  assert.equal(line.status, row.code);
  assert.ok(line.message.startsWith(row.message), `${line.message} vs ${row.message}`);
  assert.equal(describeStatus(row.code), `unknown_command: unknown command`);
  assert.equal(new FirmwareError("init", -7).message, "init: not_init: device not initialised: call init() first");
});

test("keyword classes and hop size agree with the test build's voice kernel", async () => {
  const { NodeDevice } = await import("../host/engine/index.ts");
  const dev = NodeDevice.open(resolveWasm({ board: "desktop", target: "test" }));
  assert.equal(dev.exports.voiceHopSamples(), AUDIO_HOP_SAMPLES);
  assert.ok(KEYWORD_CLASSES.includes("yes" as any) && KEYWORD_CLASSES.includes("stop" as any));
});

for (const board of listBoards()) {
  test(`${board}: the release exports exactly the documented device face (+ memory, _start)`, () => {
    const exports = wasmInfo(resolveWasm({ board })).exports;
    const allowed = new Set([...Object.keys(DEVICE_FACE), ...WASI_EXPORTS]);
    const extra = exports.filter((e) => !allowed.has(e));
    const missing = [...allowed].filter((e) => !exports.includes(e));
    assert.deepEqual(extra, [], `exports outside the device face (host/device-face.ts): ${extra.join(", ")}`);
    assert.deepEqual(missing, [], `documented but not exported: ${missing.join(", ")}`);
  });
}

test("desktop: the test build adds the kernels and keeps WASI-only imports", () => {
  const info = wasmInfo(resolveWasm({ board: "desktop", target: "test" }));
  for (const name of ["qrDecode", "cryptoSign", "voiceHopSamples", "linkFeed", "hudFbInit", "payloadParse", ...Object.keys(DEVICE_FACE)]) {
    assert.ok(info.exports.includes(name), `test build lacks ${name}`);
  }
  for (const i of info.imports) assert.match(i, /^wasi_snapshot_preview1\./);
});
