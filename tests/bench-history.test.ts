// Benchmarks in CI: a deterministic figure over its budget fails `bench --check`; `bench record` only ever
// appends to the history; `bench report` draws each figure's history with its budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { loadBoard } from "../host/boards.ts";
import { figuresOf, overBudget, withBudgets } from "../host/bench/figures.ts";
import { record, readHistory, runRecord } from "../host/bench/history.ts";
import { writeCharts } from "../host/bench/chart.ts";

const mcu = loadBoard("mcu-s3");

test("figures over or under their budget are reported; timings never are", () => {
  const core = {
    boards: [
      { board: "mcu-s3", module_bytes: mcu.budgets.binaryBytes + 1, selftest_fuel: 5, scanning_blank_frame_fuel: mcu.budgets.fuelPerFrame },
    ],
  };
  const qr = {
    decoders: {
      "glasses-qr": { misreads: 1, median_ms: 1e9, groups: { a: { ok: 90, total: 100 }, "b/(no text truth)": { ok: 0, total: 50 } } },
    },
  };
  const figs = withBudgets([...figuresOf("core", core, [mcu]), ...figuresOf("qr", qr, [mcu])], {
    "qr.decode_rate": { min: 0.95 },
    "qr.misreads": { max: 0 },
  });
  assert.equal(figs.find((f) => f.name === "qr.decode_rate")!.value, 0.9); // the group without text truth is not counted
  assert.deepEqual(
    overBudget(figs)
      .map((m) => m.split(" ")[0])
      .sort(),
    ["core.mcu-s3.module_bytes", "qr.decode_rate", "qr.misreads"],
  );
  assert.equal(figs.find((f) => f.name === "qr.median_ms")!.deterministic, false);
});

test("the MCU's live device-face figures carry the board's frame and audio budgets", () => {
  const second = (mcu.budgets.fuelPerAudioHop * mcu.mic.rate) / 320; // 50 hops of 20 ms
  const r = {
    board: "mcu-s3",
    device_fuel: { frame_blank: 1, frame_code: mcu.budgets.fuelPerFrame + 1, audio_1s: second + 100, audio_worst_hop: 9 },
  };
  const figs = figuresOf("mcu", r, [mcu]);
  assert.deepEqual(figs.map((f) => f.name).sort(), [
    "mcu.mcu-s3.audio_1s_fuel",
    "mcu.mcu-s3.frame_blank_fuel",
    "mcu.mcu-s3.frame_code_fuel",
  ]);
  assert.deepEqual(
    overBudget(figs)
      .map((m) => m.split(" ")[0])
      .sort(),
    ["mcu.mcu-s3.audio_1s_fuel", "mcu.mcu-s3.frame_code_fuel"],
  );
});

test("record appends runs to the history and never rewrites earlier lines; report draws a chart per figure", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "glasses-bench-"));
  try {
    const last = path.join(dir, "last-run.json"),
      hist = path.join(dir, "history.jsonl");
    const run = (v: number, quick: boolean) => ({
      ...runRecord(withBudgets([{ name: "x.fuel", value: v, unit: "fuel" as const, deterministic: true, max: 150 }], {}), ["x"], quick),
      date: `2026-12-0${v % 9}T00:00:00Z`,
    });
    writeFileSync(last, JSON.stringify(run(100, false)));
    record(last, hist);
    const first = readFileSync(hist, "utf8");
    assert.throws(() => record(last, hist), /already recorded/);
    writeFileSync(last, JSON.stringify(run(140, true)));
    record(last, hist);
    const both = readFileSync(hist, "utf8");
    assert.ok(both.startsWith(first));
    assert.deepEqual(
      readHistory(hist).map((r) => r.figures["x.fuel"]),
      [100, 140],
    );
    assert.match(readHistory(hist)[0].commit, /^[0-9a-f]{40}$|^unknown$/);
    const files = writeCharts(readHistory(hist), path.join(dir, "charts"), { "x.fuel": { max: 150 } });
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ["x.fuel.png"],
    );
    const png = PNG.sync.read(readFileSync(files[0]));
    let red = 0,
      blue = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i] === 220 && png.data[i + 1] === 30) red++;
      if (png.data[i] === 30 && png.data[i + 2] === 200) blue++;
    }
    assert.ok(red > 50 && blue > 50, `budget line ${red} px, values ${blue} px`);
    assert.match(readFileSync(path.join(dir, "charts", "index.md"), "utf8"), /\| x\.fuel \| 2 \| 140 \| ≤ 150 \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
