// CLI conventions: global flags anywhere, --version from package.json (host and firmware), usage for every
// command without running it, numeric options range-checked before a command runs, --json never mixed with
// human text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../host/boards.ts";
import { COMMANDS } from "../host/cli.ts";

const BIN = path.join(REPO, "bin", "glasses.js");
const glasses = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, CI: "true" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const version = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;

test("--version prints the host version and the version the firmware reports, both from package.json", () => {
  const r = glasses("--version");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), `glasses host ${version}, firmware ${version} (desktop), node ${process.version}`);
  const j = glasses("--json", "-V", "--board", "mcu-s3");
  assert.deepEqual(JSON.parse(j.out), { host: version, firmware: version, board: "mcu-s3", node: process.version });
});

test("help CMD and CMD --help print the same usage for every command and run nothing", () => {
  for (const name of Object.keys(COMMANDS)) {
    const a = glasses("help", name),
      b = glasses(name, "--help");
    assert.equal(a.code, 0, `${name}: ${a.err}`);
    assert.equal(b.code, 0, `${name} --help: ${b.err}`);
    assert.equal(a.out, b.out);
    assert.ok(a.out.startsWith(`usage: glasses ${name}`), `${name}: ${a.out.split("\n")[0]}`);
    assert.equal(a.err, "");
  }
  assert.equal(glasses("help", "nosuch").code, 2);
});

test("global flags work before and after the command", () => {
  const a = glasses("--board", "mcu-s3", "--json", "selftest"),
    b = glasses("selftest", "--json", "--board=mcu-s3");
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  assert.match(a.out.trim().split("\n").pop()!, /"board":"mcu-s3"/);
  assert.equal(glasses("--board", "nosuch", "selftest").code, 1);
});

test("numeric options are range-checked before the command runs", () => {
  for (const [args, re] of [
    [["listen", "--threshold", "2", "x.wav"], /--threshold must be a number from 0 to 1, not '2'/],
    [["listen", "--threshold=-0.1", "x.wav"], /--threshold must be/],
    [["listen", "--stride", "1.5", "x.wav"], /--stride must be an integer from 1 to 8/],
    [["listen", "--mic", "--seconds", "abc"], /--seconds must be a number/],
    [["pay", "--snr", "NaN", "--frames", "f", "--wearer", "w"], /--snr must be/],
    [["flash", "--port", "/dev/null", "--baud", "12", "x.img"], /--baud must be/],
  ] as const) {
    const r = glasses(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, re);
    assert.equal(r.out, "");
  }
});

test("--json errors are one JSON line on stderr; human errors are text; no JSON on stdout either way", () => {
  const j = glasses("--json", "nosuch");
  assert.equal(j.code, 2);
  assert.deepEqual(Object.keys(JSON.parse(j.err)), ["error", "message"]);
  assert.equal(j.out, "");
  const h = glasses("nosuch");
  assert.match(h.err, /^glasses: unknown command 'nosuch'/);
  assert.equal(h.out, "");
});
