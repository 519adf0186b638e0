// The foundation's figures per board: module bytes, memory pages, and wasmtime fuel of the self-test,
// device init (with first-boot key generation), a frame while idle, a tick and sealing the state blob on new
// glasses, and a blank frame while scanning on paired glasses with an owner (paired-device.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { listBoards, loadBoard, deviceConfigRecord } from "../boards.ts";
import { openDevice, runCommand, wasmtimePythonProblem } from "../engine/index.ts";
import { boardInfo } from "../commands/core.ts";
import type { BenchOptions } from "./index.ts";
import { openPairedDevice } from "./paired-device.ts";

/** A mid-gray camera frame while a payment scans, on paired glasses (an unpaired device refuses to scan). */
async function scanningBlankFrame(board: string, w: number, h: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "glasses-bench-core-"));
  const { dev } = await openPairedDevice(board, dir);
  try {
    if ((await dev.call("payBegin", 0n)) !== 0) throw new Error(`core: the glasses on ${board} refused to start a payment`);
    await dev.write(await dev.call("frameBuffer"), new Uint8Array(w * h).fill(128));
    await dev.call("onFrame", w, h, w, 100n);
    return dev.lastFuel()!;
  } finally {
    await dev.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCore(opts: BenchOptions) {
  const rows: any[] = [];
  const wt = wasmtimePythonProblem() === null;
  for (const board of listBoards()) {
    const b = loadBoard(board);
    const info = boardInfo(board);
    const row: any = { board, module_bytes: info.module_bytes, budget_bytes: b.budgets.binaryBytes,
      max_pages: info.memory_pages.max, board_cap_pages: b.maxMemoryPages };
    if (wt) {
      row.selftest_fuel = (await runCommand(["selftest"], { board, engine: "wasmtime", fuel: true })).fuel;
      const dev = await openDevice({ board, engine: "wasmtime" });
      await dev.write(await dev.call("secretBuffer"), new Uint8Array(32).fill(1));
      await dev.call("setDeviceSecret", 32);
      const rec = deviceConfigRecord(b);
      await dev.write(await dev.call("configBuffer"), rec);
      if ((await dev.call("init", rec.length)) !== 0) throw new Error(`init failed on ${board}`);
      row.init_fuel = dev.lastFuel();                       // includes first-boot key generation
      await dev.call("onFrame", b.camera.width, b.camera.height, b.camera.width, 0n); row.idle_frame_fuel = dev.lastFuel();
      await dev.call("tick", 40n); row.tick_fuel = dev.lastFuel();
      await dev.call("stateSave"); row.state_save_fuel = dev.lastFuel();
      await dev.close();
      row.scanning_blank_frame_fuel = await scanningBlankFrame(board, b.camera.width, b.camera.height);
    }
    rows.push(row);
  }
  if (!opts.json) {
    console.log("core: module and fixed costs per board" + (wt ? "" : " (wasmtime missing: no fuel)"));
    console.table(rows);
  }
  return { suite: "core", boards: rows };
}
