// The foundation: builds per board, WASI-only imports, board validation, both engines agree,
// the command face fails cleanly, the device face's buffers, events and state blob.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { listBoards, loadBoard, parseBoard, wasmPath, deviceConfigRecord, REPO } from "../host/boards.ts";
import { runCommand, openDevice, drainEvents, wasmtimePythonProblem } from "../host/engine/index.ts";
import { wasmInfo } from "../host/wasm-info.ts";

const STATUS = { OK: 0, E_ARGS: 1, E_UNKNOWN_COMMAND: 2, E_NOT_INIT: 7, E_CONFIG: 8, E_TOO_LARGE: 6,
  E_STATE_CORRUPT: 20, E_TRUNCATED: 5 };
const boards = listBoards();
const hasWasmtime = wasmtimePythonProblem() === null;

describe("boards", () => {
  test("at least an MCU kit, a Linux SoC and a desktop", () => {
    const classes = new Set(boards.map((b) => loadBoard(b).cpu.class));
    for (const c of ["mcu", "linux-soc", "desktop"]) assert.ok(classes.has(c as any), `no ${c} board`);
  });
  test("a bad board names the bad field", () => {
    const good = JSON.parse(readFileSync(path.join(REPO, "boards", "mcu-s3.json"), "utf8"));
    const bad = structuredClone(good);
    bad.camera.width = 10; bad.display.bpp = 4; delete bad.link;
    assert.throws(() => parseBoard(JSON.stringify(bad), "bad.json"), (e: Error) =>
      /\$\.camera\.width: 10 is below the minimum/.test(e.message) && /\$\.display\.bpp/.test(e.message) && /\$\.link: required/.test(e.message));
    assert.throws(() => parseBoard("{", "x.json"), /not valid JSON/);
    assert.throws(() => parseBoard(JSON.stringify({ ...good, colour: 1 }), "x.json"), /\$\.colour: unknown field/);
  });
});

describe("builds", () => {
  for (const board of boards) {
    test(`${board}: WASI-only imports, memory within the board's cap and budgets`, () => {
      const b = loadBoard(board);
      const info = wasmInfo(wasmPath(board));
      assert.ok(info.imports.length > 0);
      for (const i of info.imports) assert.match(i, /^wasi_snapshot_preview1\./);
      assert.equal(info.memory.maxPages, b.maxMemoryPages);
      assert.ok(info.memory.initialPages <= b.budgets.memoryPages);
      assert.ok(info.bytes <= b.budgets.binaryBytes, `${info.bytes} bytes > budget ${b.budgets.binaryBytes}`);
    });
  }
});

describe("command face", () => {
  test("selftest passes and prints the same bytes on node and wasmtime", { skip: !hasWasmtime && "wasmtime missing" }, async () => {
    for (const board of boards) {
      const a = await runCommand(["selftest"], { board, engine: "node" });
      const b = await runCommand(["selftest"], { board, engine: "wasmtime" });
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(a.stdout, b.stdout);
      assert.match(a.stdout, new RegExp(`"selftest":"pass","board":"${board}"`));
    }
  });
  test("version reports the board it was built for", async () => {
    for (const board of boards) {
      const r = await runCommand(["version"], { board });
      const v = JSON.parse(r.stdout);
      const b = loadBoard(board);
      assert.equal(v.board, board);
      assert.equal(v.camera_w, b.camera.width);
      assert.equal(v.max_memory_pages, b.maxMemoryPages);
    }
  });
  test("unknown commands and missing arguments exit non-zero with a JSON error, never a trap", async () => {
    const u = await runCommand(["no-such-command"]);
    assert.equal(u.code, STATUS.E_UNKNOWN_COMMAND);
    const e = JSON.parse(u.stderr.trim());
    assert.equal(e.error, "unknown_command");
    assert.match(e.message, /no-such-command/);
    const none = await runCommand([]);
    assert.equal(none.code, STATUS.E_ARGS);
    assert.match(none.stderr, /usage/);
  });
  test("fuel is deterministic", { skip: !hasWasmtime && "wasmtime missing" }, async () => {
    const a = await runCommand(["selftest"], { engine: "wasmtime", fuel: true });
    const b = await runCommand(["selftest"], { engine: "wasmtime", fuel: true });
    assert.ok(a.fuel! > 0);
    assert.equal(a.fuel, b.fuel);
  });
});

describe("device face", () => {
  for (const engine of ["node", "wasmtime"] as const) {
    test(`${engine}: init, buffer limits, events and state blob`, { skip: engine === "wasmtime" && !hasWasmtime && "wasmtime missing" }, async () => {
      const b = loadBoard("mcu-s3");
      const dev = await openDevice({ board: "mcu-s3", engine });
      try {
        assert.equal(await dev.call("onFrame", 320, 240, 320, 0n), STATUS.E_NOT_INIT);
        // init refuses to run without the device secret the state is sealed under.
        const rec0 = deviceConfigRecord(b);
        await dev.write(await dev.call("configBuffer"), rec0);
        assert.equal(await dev.call("init", rec0.length), 22 /* E_STATE_AUTH */);
        assert.match((await drainEvents(dev))[0].message, /setDeviceSecret/);
        await dev.write(await dev.call("secretBuffer"), new Uint8Array(32).fill(7));
        assert.equal(await dev.call("setDeviceSecret", 32), STATUS.OK);
        // A config for a camera bigger than the compiled board is refused, with an event naming the field.
        const big = deviceConfigRecord({ ...b, camera: { ...b.camera, width: 640 } });
        await dev.write(await dev.call("configBuffer"), big);
        assert.equal(await dev.call("init", big.length), STATUS.E_CONFIG);
        const [err] = await drainEvents(dev);
        assert.equal(err.error, "config");
        assert.match(err.message, /camera\.width/);
        const rec = deviceConfigRecord(b);
        await dev.write(await dev.call("configBuffer"), rec);
        assert.equal(await dev.call("init", rec.length), STATUS.OK);
        assert.equal((await drainEvents(dev))[0].type, "ready");
        assert.equal(await dev.call("onFrame", 320, 240, 320, 1n), STATUS.OK);
        assert.equal(await dev.call("onFrame", 321, 240, 321, 1n), STATUS.E_TOO_LARGE);
        assert.equal(await dev.call("onAudio", 40000, 1n), STATUS.E_TOO_LARGE);   // more than the 2 s audio buffer
        assert.equal(await dev.call("onButton", 3, 1n), STATUS.OK);
        assert.deepEqual(await drainEvents(dev), [{ type: "button", id: 3 }]);
        // State: save, corrupt, load → refused; load the good blob → accepted.
        const n = await dev.call("stateSave");
        const blob = await dev.read(await dev.call("stateBlob"), n);
        assert.equal(Buffer.from(blob.subarray(0, 4)).toString("ascii"), "GLST");
        const inPtr = await dev.call("stateInBuffer");
        const bad = blob.slice(); bad[bad.length - 1] ^= 0x80;
        await dev.write(inPtr, bad);
        assert.equal(await dev.call("loadState", bad.length), STATUS.E_STATE_CORRUPT);
        await dev.write(inPtr, blob.subarray(0, n - 2));
        assert.equal(await dev.call("loadState", n - 2), STATUS.E_TRUNCATED);
        await dev.write(inPtr, blob);
        assert.equal(await dev.call("loadState", n), STATUS.OK);
      } finally {
        await dev.close();
      }
    });
  }
});

describe("cli", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO, "bin", "glasses.js"), ...args], { encoding: "utf8", cwd: REPO });
  test("info --json reports WASI-only imports within the memory cap for every board", () => {
    for (const board of boards) {
      const r = cli("info", "--json", "--board", board);
      assert.equal(r.status, 0, r.stderr);
      const i = JSON.parse(r.stdout);
      assert.equal(i.board, board);
      assert.equal(i.imports_wasi_only, true);
      assert.equal(i.within_memory_cap, true);
    }
  });
  test("bad global flags and unknown boards are clear errors", () => {
    const e = cli("selftest", "--engine", "v8");
    assert.equal(e.status, 2);
    assert.match(e.stderr, /--engine must be node or wasmtime/);
    const b = cli("info", "--board", "nope");
    assert.equal(b.status, 1);
    assert.match(b.stderr, /unknown board 'nope'/);
  });
});
