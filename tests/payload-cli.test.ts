// `glasses payload` end to end: the host command runs the firmware's command face through the host
// engine (node, and wasmtime when available) and prints exactly the seven summary keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runCommand, wasmtimePythonProblem, hasWasmtimeCli } from "../host/engine/index.ts";
import { payloadCommand, summarize, PAYLOAD_KEYS } from "../host/commands/payload.ts";
import { sharedPath } from "../host/shared.ts";

const vectors: any[] = JSON.parse(readFileSync(sharedPath("vectors", "payment-qr", "payloads.json"), "utf8"));
const pick = (pred: (v: any) => boolean) => vectors.find(pred)!;
const samples = [
  pick((v) => v.scheme === "HK-FPS" && v.crcValid && v.fields.amount),
  pick((v) => v.scheme === "BR-Pix" && v.crcValid && v.fields.amount === "10."),
  pick((v) => v.scheme === "EMV-MPM-generic" && v.fields.currency === "392"),
  pick((v) => v.crcValidIgnoringCase),
  pick((v) => v.tlvError),
  pick((v) => v.kind === "upi-uri" && v.fields.query.am),
  pick((v) => v.kind === "wechat-url"),
];

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = "";
  (process.stdout as any).write = (s: string | Uint8Array) => { out += typeof s === "string" ? s : Buffer.from(s).toString(); return true; };
  try { return { code: await fn(), out }; } finally { (process.stdout as any).write = write; }
}

test("payload --json prints exactly the seven keys, through the node engine", async () => {
  for (const v of samples) {
    const { code, out } = await capture(() => payloadCommand([v.payload], { board: "desktop", engine: "node", json: true }));
    const o = JSON.parse(out);
    assert.deepEqual(Object.keys(o), [...PAYLOAD_KEYS]);
    const valid = v.kind === "emv-mpm" ? v.crcValid : true;
    assert.equal(o.valid, valid, v.payload);
    assert.equal(code === 0, valid);
    if (!valid) assert.equal(typeof o.error, "string");
  }
});

test("the recorded HK FPS and JPY vectors print their scaled amounts", async () => {
  const hk = samples[0];
  const { out } = await capture(() => payloadCommand(["--json", hk.payload], { board: "desktop", engine: "node", json: false }));
  const o = JSON.parse(out);
  assert.equal(o.currency, "HKD");
  assert.equal(o.scheme, "HK-FPS");
  const br = JSON.parse((await capture(() => payloadCommand([samples[1].payload], { board: "desktop", engine: "node", json: true }))).out);
  assert.equal(br.amount, "10.00");
  assert.equal(br.currency, "BRL");
});

test("node and wasmtime give identical payload results", { skip: !hasWasmtimeCli() && wasmtimePythonProblem() !== null }, async () => {
  for (const v of samples) {
    const a = await runCommand(["payload", v.payload], { board: "desktop", engine: "node" });
    const b = await runCommand(["payload", v.payload], { board: "desktop", engine: "wasmtime" });
    assert.equal(a.code, b.code);
    assert.equal(a.stdout, b.stdout);
    assert.deepEqual(summarize(JSON.parse(a.stdout)), summarize(JSON.parse(b.stdout)));
  }
});

test("usage errors", async () => {
  await assert.rejects(payloadCommand([], { board: "desktop", engine: "node", json: true }), /usage/);
  await assert.rejects(payloadCommand(["a", "b"], { board: "desktop", engine: "node", json: true }), /usage/);
});
