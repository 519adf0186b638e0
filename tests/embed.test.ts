// The C reference host (embed/wamr, WAMR embedding API) pays the demo: the mcu-s3 release module under
// WAMR pairs with the reference wallet (pairing mode, comparison code, the glasses' button), enrols the demo
// owner from word folders, gets the demo frames (PGM) from files, answers the spoken code the HUD shows with
// the owner's recordings of those words, talks to the wallet over the same loopback link the TypeScript host
// uses, and the wallet (@simplewebauthn/server) verifies the assertion. The state blob on disk must be at least
// as new as every "persist" the firmware asked for, and a second run on the same data pays without pairing.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifyAuthenticationResponse } from "@simplewebauthn/server";
import { REPO, loadBoard, wasmPath } from "../host/boards.ts";
import { ensureBuilt } from "../host/build.ts";
import { loadImage, fitFrame, encodePgm } from "../host/camera/image.ts";
import { Wallet } from "../host/phone/wallet.ts";
import { PhoneLink } from "../host/phone/glasses-link.ts";
import { PhoneLinkServer } from "../host/phone/link-server.ts";
import { buildHost } from "../scripts/wamr/build-host.ts";

const BOARD = "mcu-s3";
const demo = path.join(REPO, "assets", "demo");
let host = "";
// The paying runs get a repeatable random source (tests/fixtures/seeded-random.c, LD_PRELOAD): the firmware's
// spoken codes come from WASI random_get, and the same code every run keeps recognition luck out of this test.
// Seeds 3 and 4 are fixed picks of codes (seed 1 drew two codes the demo wearer's clips fail, as some demo
// sessions do: `npm run bench -- consent` reports the demo wearer's rate and measures recognition).
const seededRandom = path.join(REPO, "build", "wamr", "seeded-random.so");

before(() => {
  host = buildHost(); ensureBuilt(BOARD);
  const cc = spawnSync("cc", ["-shared", "-fPIC", "-O2", "-o", seededRandom, path.join(REPO, "tests", "fixtures", "seeded-random.c")], { encoding: "utf8" });
  assert.equal(cc.status, 0, `building the seeded random fixture: ${cc.error?.message ?? cc.stderr}`);
});

function pgmFrames(dir: string): void {
  const b = loadBoard(BOARD);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(path.join(demo, "frames")).filter((n) => n.endsWith(".png")).sort()) {
    writeFileSync(path.join(dir, f.replace(/\.png$/, ".pgm")), encodePgm(fitFrame(loadImage(path.join(demo, "frames", f)), b.camera.width, b.camera.height).frame));
  }
}

async function runHost(args: string[], onConnect: () => void, seed?: number): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = seed === undefined ? process.env : { ...process.env, LD_PRELOAD: seededRandom, GLASSES_TEST_SEED: String(seed) };
  const p = spawn(host, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "", stderr = "";
  p.stdout.on("data", (d) => (stdout += d));
  p.stderr.on("data", (d) => (stderr += d));
  const timer = setInterval(onConnect, 20);
  const code = await new Promise<number>((r) => p.on("exit", (c) => r(c ?? 134)));
  clearInterval(timer);
  return { code, stdout, stderr };
}

test("the C host pays the demo under WAMR and the wallet verifies the assertion", { timeout: 180_000 }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), "glasses-embed-"));
  pgmFrames(path.join(work, "frames"));
  const mtu = loadBoard(BOARD).link.mtu;
  const wallet = new Wallet({ dbPath: path.join(work, "wallet.sqlite") });
  const phone = new PhoneLink(wallet, mtu, async () => true);
  const server = new PhoneLinkServer(phone, mtu);
  await server.listen();
  let paired = false;
  try {
    const r = await runHost(["--module", wasmPath(BOARD), "--board", BOARD, "--link", String(server.port), "--data", path.join(work, "data"),
      "--frames", path.join(work, "frames"), "--wearer", path.join(demo, "wearer"), "--hud", path.join(work, "hud"),
      "--enroll", path.join(demo, "enroll")],
      () => { if (!paired && (server as any).sock) { paired = true; server.send(phone.beginRegistration("Embed test phone")); } }, 3);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const result = events[events.length - 1];
    assert.equal(result.type, "host_result", r.stderr);
    assert.equal(r.code, 0, `C host ended in state ${result.state}: ${r.stderr}`);
    assert.equal(result.paid, true);
    const pairing = events.find((e) => e.type === "confirm" && e.what === "pairing");
    assert.equal(pairing?.comparison, phone.record.pairing?.comparison, "the HUD shows the phone's comparison code");
    assert.equal(pairing?.confirm_by, "button");
    const ask = events.find((e) => e.type === "confirm" && e.what === "payment");
    assert.equal(ask.code.length, 3, "the payment was confirmed by a spoken code");
    assert.equal(phone.record.registration?.ok, true, "pairing through the C host");
    assert.equal(phone.record.result?.ok, true, `wallet: ${JSON.stringify(phone.record.result)}`);

    // The assertion again, independently of the wallet, with the credential it registered.
    const a = phone.record.assertion!;
    const cd = JSON.parse(Buffer.from(a.response.clientDataJSON, "base64url").toString("utf8"));
    assert.equal(cd.payment.payeeName, "Luckin Coffee");
    assert.deepEqual(cd.payment.total, { currency: "HKD", value: "25.00" });
    const v = await verifyAuthenticationResponse({
      response: a as any, expectedChallenge: cd.challenge, expectedOrigin: "https://glasses.local", expectedRPID: "glasses.local",
      expectedType: "payment.get", requireUserVerification: true,
      credential: { id: phone.record.credential!.id, publicKey: Buffer.from(phone.record.credential!.publicKey, "base64url"), counter: 0 },
    });
    assert.equal(v.verified, true);

    // Persist-before-send: the saved blob's generation covers every generation the firmware asked for.
    const asked = events.filter((e) => e.type === "persist").map((e) => e.generation);
    assert.ok(asked.length >= 1, "the firmware asked for a persist before releasing the signature");
    const blob = readFileSync(path.join(work, "data", "glasses-state.bin"));
    assert.ok(blob.readUInt32LE(8) >= Math.max(...asked));
    assert.equal(existsSync(path.join(work, "data", "glasses-state.bin.new")), false, "no temp file left behind");
    assert.equal(statSync(path.join(work, "data", "device-secret")).mode & 0o777, 0o600);
    // The HUD was written as PGM at the board's display size.
    const huds = readdirSync(path.join(work, "hud"));
    assert.ok(huds.length >= 2);
    assert.ok(readFileSync(path.join(work, "hud", huds[0])).subarray(0, 16).toString("latin1").startsWith("P5\n256 128\n255\n"));

    // A second run on the same data: the glasses are paired and enrolled, and pay again (a new code, a higher counter).
    const again = await runHost(["--module", wasmPath(BOARD), "--board", BOARD, "--link", String(server.port), "--data", path.join(work, "data"),
      "--frames", path.join(work, "frames"), "--wearer", path.join(demo, "wearer")], () => {}, 4);
    const evs2 = again.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(evs2.some((e) => e.type === "confirm" && e.what === "pairing"), false, "no second pairing");
    assert.equal(evs2.find((e) => e.type === "confirm")?.what, "payment");
    assert.equal(phone.record.result?.ok, true, `wallet, second payment: ${JSON.stringify(phone.record.result)}`);
    assert.ok(Number(readFileSync(path.join(work, "data", "glasses-state.bin.anchor"), "utf8")) >= blob.readUInt32LE(8));
  } finally {
    await server.close();
    wallet.close();
  }
});

test("the C host refuses bad input with a clear message", async () => {
  const r = await runHost(["--module", wasmPath(BOARD), "--board", "no-such-board", "--link", "1", "--data", tmpdir(), "--frames", tmpdir(), "--wearer", tmpdir()], () => {});
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown --board/);
  const u = await runHost(["--module", wasmPath(BOARD)], () => {});
  assert.equal(u.code, 2);
  assert.match(u.stderr, /usage: glasses-host/);
});
