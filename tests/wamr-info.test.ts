// `glasses info --all` per board: runtime, module bytes, exports, peak pages and budgets, checked against
// the module binary itself (export count, bytes) and the board file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { listBoards, loadBoard, wasmPath } from "../host/boards.ts";
import { boardSummary } from "../host/commands/core.ts";
import { exportSignatures } from "../scripts/wamr/wasm-sigs.ts";

for (const board of listBoards()) {
  test(`${board}: info --all reports what the module and board file say`, () => {
    const s = boardSummary(board);
    const b = loadBoard(board);
    assert.equal(s.runtime, b.cpu.runtime);
    assert.equal(s.module_bytes, statSync(wasmPath(board)).size);
    assert.equal(s.exports, exportSignatures(wasmPath(board)).length);
    assert.ok(s.peak.peak_pages >= s.peak.initial_pages && s.peak.peak_pages <= b.maxMemoryPages, `${board}: peak ${s.peak.peak_pages} pages`);
    assert.ok(s.peak.peak_pages <= b.budgets.memoryPages, `${board}: peak ${s.peak.peak_pages} pages over the ${b.budgets.memoryPages}-page budget`);
    assert.deepEqual(s.budgets, b.budgets);
    if (s.runtime === "WAMR AOT") assert.ok(Object.keys(s.aot_bytes).length >= 2, "AOT targets listed");
  });
}
