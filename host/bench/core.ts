// The foundation's figures per board: module bytes, memory pages, and wasmtime fuel of the self-test,
// device init and an empty frame/audio/tick round (the fixed cost every engine call pays).
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
      const rec = deviceConfigRecord(b);
      await dev.write(await dev.call("configBuffer"), rec);
      await dev.call("init", rec.length); row.init_fuel = dev.lastFuel();
      await dev.call("onFrame", b.camera.width, b.camera.height, b.camera.width, 0n); row.on_frame_fuel = dev.lastFuel();
      await dev.call("onAudio", 320, 20n); row.on_audio_fuel = dev.lastFuel();
      await dev.call("tick", 40n); row.tick_fuel = dev.lastFuel();
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
