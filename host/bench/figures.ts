// The figures a benchmark run yields, and their budgets. Deterministic figures (wasmtime fuel, module bytes,
// decode and accuracy rates on the fixed dev corpora) can fail a run (`bench --check`); timings are recorded
// in the history but never fail anything. Fuel and byte budgets come from boards/*.json (one place); rate
// budgets from bench/budgets.json.
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO, listBoards, loadBoard, type Board } from "../boards.ts";
import { AUDIO_HOP_SAMPLES } from "../generated/abi.ts";

export interface Figure {
  name: string;
  value: number;
  unit: "fuel" | "bytes" | "rate" | "count" | "ms" | "us" | "ratio";
  deterministic: boolean;
  max?: number;
  min?: number;
}

export interface RateBudgets {
  [figure: string]: { min?: number; max?: number; why?: string };
}

export function rateBudgets(): RateBudgets {
  return JSON.parse(readFileSync(path.join(REPO, "bench", "budgets.json"), "utf8")).figures;
}

const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The figures of one suite's result object (as host/bench/<suite>.ts returns it). */
export function figuresOf(suite: string, r: any, boards: Board[] = listBoards().map(loadBoard)): Figure[] {
  const out: Figure[] = [];
  const board = (id: string) => boards.find((b) => b.id === id);
  const add = (f: Figure) => {
    if (num(f.value)) out.push(f);
  };
  const tightest = (k: keyof Board["budgets"]) => Math.min(...boards.map((b) => Number(b.budgets[k])).filter(num));
  if (suite === "core") {
    for (const row of r.boards ?? []) {
      const b = board(row.board);
      add({
        name: `core.${row.board}.module_bytes`,
        value: row.module_bytes,
        unit: "bytes",
        deterministic: true,
        max: b?.budgets.binaryBytes,
      });
      add({ name: `core.${row.board}.selftest_fuel`, value: row.selftest_fuel, unit: "fuel", deterministic: true });
      add({
        name: `core.${row.board}.scanning_blank_frame_fuel`,
        value: row.scanning_blank_frame_fuel,
        unit: "fuel",
        deterministic: true,
        max: b?.budgets.fuelPerFrame,
      });
    }
  } else if (suite === "qr") {
    const ours = r.decoders?.["glasses-qr"];
    if (ours?.groups) {
      let ok = 0,
        total = 0;
      for (const [g, v] of Object.entries<any>(ours.groups))
        if (!g.includes("no text truth")) {
          ok += v.ok;
          total += v.total;
        }
      if (total) add({ name: "qr.decode_rate", value: Math.round((ok / total) * 1e4) / 1e4, unit: "rate", deterministic: true });
      add({ name: "qr.misreads", value: ours.misreads, unit: "count", deterministic: true });
      add({ name: "qr.median_ms", value: ours.median_ms, unit: "ms", deterministic: false });
    }
    for (const f of r.fuel ?? []) {
      const b = board(f.board);
      add({
        name: `qr.${f.board}.max_frame_fuel`,
        value: f.video?.max_fuel,
        unit: "fuel",
        deterministic: true,
        max: b?.budgets.fuelPerFrame,
      });
    }
  } else if (suite === "crypto") {
    for (const op of r.ops ?? []) {
      if (op.impl !== "glasses") continue;
      add({
        name: `crypto.${op.op}.fuel`,
        value: op.fuel,
        unit: "fuel",
        deterministic: true,
        max: op.op === "sign" ? tightest("fuelPerSignature") : undefined,
      });
      add({ name: `crypto.${op.op}.median_us`, value: op.median_us, unit: "us", deterministic: false });
    }
    add({ name: "crypto.code_bytes", value: r.bytes?.crypto_total_in_firmware, unit: "bytes", deterministic: true });
  } else if (suite === "mcu") {
    // the device face on paired glasses (mcu.ts deviceFuel): frames while scanning, one second of live audio
    const b = board(r.board);
    for (const [k, v] of Object.entries<number>(r.device_fuel ?? {})) {
      if (k.startsWith("frame_"))
        add({ name: `mcu.${r.board}.${k}_fuel`, value: v, unit: "fuel", deterministic: true, max: b?.budgets.fuelPerFrame });
    }
    const perSecond = b ? Math.round((b.budgets.fuelPerAudioHop * b.mic.rate) / AUDIO_HOP_SAMPLES) : undefined;
    add({ name: `mcu.${r.board}.audio_1s_fuel`, value: r.device_fuel?.audio_1s, unit: "fuel", deterministic: true, max: perSecond });
  } else if (suite === "voice") {
    add({ name: "voice.kws.accuracy_12class", value: r.kws?.accuracy_12class, unit: "rate", deterministic: true });
    add({
      name: "voice.fuel_per_hop_frontend_vad",
      value: r.fuel?.fuel_per_hop_frontend_vad,
      unit: "fuel",
      deterministic: true,
      max: tightest("fuelPerAudioHop"),
    });
    add({ name: "voice.fuel_per_inference", value: r.fuel?.fuel_per_inference, unit: "fuel", deterministic: true });
    for (const [id, v] of Object.entries<any>(r.fuel?.boards ?? {})) {
      add({
        name: `voice.${id}.fuel_per_hop`,
        value: v.fuel_per_hop_at_that_stride,
        unit: "fuel",
        deterministic: true,
        max: board(id)?.budgets.fuelPerAudioHop,
      });
    }
  }
  return out;
}

/** Applies bench/budgets.json's rate budgets; a budget from a board file stays as it is. */
export function withBudgets(figs: Figure[], rates: RateBudgets = rateBudgets()): Figure[] {
  return figs.map((f) => {
    const r = rates[f.name];
    return r ? { ...f, min: f.min ?? r.min, max: f.max ?? r.max } : f;
  });
}

/** Deterministic figures outside their budget, as messages. */
export function overBudget(figs: Figure[]): string[] {
  const bad: string[] = [];
  for (const f of figs) {
    if (!f.deterministic) continue;
    if (f.max !== undefined && f.value > f.max) bad.push(`${f.name} = ${f.value} ${f.unit}, over its budget ${f.max}`);
    if (f.min !== undefined && f.value < f.min) bad.push(`${f.name} = ${f.value} ${f.unit}, under its floor ${f.min}`);
  }
  return bad;
}
