// The two-terminal walkthrough as commands: `glasses devkit --pty` in one process, `glasses image`, `echo`,
// `flash --json`, `images --json` in others; and the errors a user meets first (no such port, port busy,
// bad signature).
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../host/boards.ts";
import { resolveWasm } from "../host/engine/index.ts";
import { devKey, image, tmp } from "./flash-fixtures.ts";

const cli = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(REPO, "host", "cli.ts"), ...args],
  { encoding: "utf8", timeout: 50_000, env: { ...process.env, GLASSES_NO_AUTOBUILD: "1" } });

describe("glasses devkit / image / flash / images from the command line", () => {
  const dir = tmp("cli");
  const key = devKey();
  const keyFile = path.join(dir, "key.pem");
  writeFileSync(keyFile, String(key.export({ type: "pkcs8", format: "pem" })), { mode: 0o600 });
  const v1 = path.join(dir, "v1.img");
  writeFileSync(v1, image(key, "1.0.0"));
  const kit = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "host", "cli.ts"), "devkit", "--board", "desktop", "--pty",
    "--data", path.join(dir, "kit"), "--trust", keyFile, "--image", v1], { stdio: ["ignore", "pipe", "pipe"] });
  let kitOut = "";
  const ready = new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`devkit printed no pty: ${kitOut}`)), 40_000);
    kit.stdout.on("data", (b) => { kitOut += b; const m = /pty (\/dev\/pts\/\d+)/.exec(kitOut); if (m) { clearTimeout(t); resolve(m[1]); } });
  });
  after(async () => { kit.kill("SIGTERM"); await new Promise((r) => kit.once("exit", r)); });

  test("image → echo → flash --json → images --json", { timeout: 120_000 }, async () => {
    const pty = await ready;
    const img = path.join(dir, "v2.img");
    const made = cli(["image", "--board", "desktop", "--key", keyFile, "--version", "1.1.0", resolveWasm({ board: "desktop" }), "-o", img, "--json"]);
    assert.equal(made.status, 0, made.stderr);
    const info = JSON.parse(made.stdout);
    assert.equal(cli(["image", "--verify", "--key", keyFile, img]).status, 0);
    const otherKey = path.join(dir, "other.pem");
    writeFileSync(otherKey, String(devKey().export({ type: "pkcs8", format: "pem" })));
    const bad = cli(["image", "--verify", "--key", otherKey, img]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /REFUSED: bad signature/);

    assert.match(cli(["echo", "--port", pty, "ping"]).stdout, /^ping \(/);
    const f = cli(["flash", "--port", pty, "--baud", "921600", "--json", img]);
    assert.equal(f.status, 0, f.stderr);
    const steps = f.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(steps.map((s) => s.step), ["kit", "state", "upload", "hash-check", "test", "reset", "running", "confirm", "done"]);
    assert.doesNotMatch(f.stderr, /\[#|ETA/, "no progress bar when stderr is not a terminal");
    const images = JSON.parse(cli(["images", "--port", pty, "--json"]).stdout).images;
    assert.deepEqual(images[0], { image: 0, slot: 0, version: "1.1.0", hash: info.hash, bootable: true, pending: false, confirmed: true, active: true, permanent: false });
    await new Promise((r) => setTimeout(r, 300));   // the kit's log arrives once spawnSync lets the loop run
    assert.match(kitOut, /swapped to slot 1 image 1\.1\.0/);
  });

  test("no such port, port busy", { timeout: 60_000 }, async () => {
    await ready;
    const none = cli(["echo", "--port", "/dev/glasses-no-such-port"]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no such port: \/dev\/glasses-no-such-port/);
    const busy = cli(["echo", "--port", path.join(dir, "kit", "tty-kit")]);   // the kit's own end, which it holds
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /is busy: another program has it open/);
  });
});
