// The foundation's figures per board: module bytes, memory pages, and wasmtime fuel of the self-test,
// device init (with first-boot key generation), a frame while idle and a blank frame while scanning,
// a tick, and sealing the state blob.
import { listBoards, loadBoard, deviceConfigRecord } from "../boards.ts";
import { openDevice, runCommand, wasmtimePythonProblem } from "../engine/index.ts";
import { boardInfo } from "../commands/core.ts";
import type { BenchOptions } from "./index.ts";

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
      await dev.call("payBegin", 0n);
      await dev.call("onFrame", b.camera.width, b.camera.height, b.camera.width, 0n); row.scanning_blank_frame_fuel = dev.lastFuel();
      await dev.call("tick", 40n); row.tick_fuel = dev.lastFuel();
      await dev.call("stateSave"); row.state_save_fuel = dev.lastFuel();
      await dev.close();
    }
    rows.push(row);
  }
  if (!opts.json) {
    console.log("core: module and fixed costs per board" + (wt ? "" : " (wasmtime missing: no fuel)"));
    console.table(rows);
  }
  return { suite: "core", boards: rows };
}
