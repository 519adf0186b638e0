// The npm package: `npm pack` ships the host, the release module of every board with a checksum manifest,
// README, LICENSE and CHANGELOG, and no tests, firmware sources or corpora; the tarball installs into an
// empty folder and its `glasses selftest` and `glasses --version` run there. The install uses npm's
// registry/cache for the dependencies and --ignore-scripts (better-sqlite3's native build is not needed by
// selftest, and would compile from source here): about a minute on the 2-core machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO, listBoards } from "../host/boards.ts";

// Under `npm test`, node_modules/.bin comes first on PATH, and @as-pect/cli's dependency tree puts an npm@6
// there (npm-install-peers), which has no --pack-destination. Use the first npm on PATH outside node_modules.
const CLEAN_PATH = (process.env.PATH ?? "")
  .split(path.delimiter)
  .filter((d) => !d.includes(`node_modules${path.sep}.bin`))
  .join(path.delimiter);
const npm = (args: string[], cwd: string) => {
  const r = spawnSync("npm", args, {
    cwd,
    encoding: "utf8",
    timeout: 300_000,
    env: { ...process.env, PATH: CLEAN_PATH, npm_config_update_notifier: "false" },
  });
  assert.equal(r.status, 0, `npm ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

test("npm pack ships the host and checked release modules; the installed tarball runs glasses selftest", { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "glasses-pack-"));
  try {
    const out = npm(["pack", "--json", "--pack-destination", dir], REPO); // prepack's build lines come first
    const packed = JSON.parse(out.slice(out.search(/^\[/m)))[0];
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    for (const f of [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "bin/glasses.js",
      "host/cli.ts",
      "host/lib.ts",
      "host/generated/abi.ts",
      "build/manifest.json",
      "boards/schema.json",
    ]) {
      assert.ok(files.includes(f), `the package lacks ${f}`);
    }
    for (const b of listBoards()) assert.ok(files.includes(`build/${b}/glasses.wasm`), `the package lacks the ${b} release module`);
    const unwanted = files.filter((f) =>
      /^(tests|assembly|tools|scripts|bench|docs)\/|\.test\.ts$|\.test\.wasm$|^build\/(?!manifest\.json$|[^/]+\/glasses\.wasm$)/.test(f),
    );
    assert.deepEqual(unwanted, [], "tests, sources, corpora or test builds in the package");
    assert.ok(files.length < 150, `${files.length} files`);

    const app = path.join(dir, "app");
    spawnSync("mkdir", [app]);
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    npm(["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", path.join(dir, packed.filename)], app);
    const pkg = path.join(app, "node_modules", "glasses-pay");
    const manifest = JSON.parse(readFileSync(path.join(pkg, "build", "manifest.json"), "utf8"));
    for (const b of listBoards()) {
      const bytes = readFileSync(path.join(pkg, "build", b, "glasses.wasm"));
      assert.equal(createHash("sha256").update(bytes).digest("hex"), manifest.modules[b].sha256, `${b}: checksum`);
    }
    const glasses = (...args: string[]) =>
      spawnSync(path.join(app, "node_modules", ".bin", "glasses"), args, { cwd: app, encoding: "utf8", timeout: 120_000 });
    const st = glasses("--board", "mcu-s3", "selftest");
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, /self-test pass on mcu-s3/);
    const v = glasses("--version");
    const version = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;
    assert.match(v.stdout, new RegExp(`host ${version}, firmware ${version}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
