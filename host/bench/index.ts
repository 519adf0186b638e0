// `glasses bench`: runs benchmark suites (host/bench/<suite>.ts exporting `bench<Suite>(opts)`), prints their
// tables, and keeps results out of tracked files:
//   bench [SUITE…] [--quick] [--check]  run; results and figures go to build/bench/ (untracked);
//                                       --check fails (exit 1) when a deterministic figure passes its budget
//   bench record                        append build/bench/last-run.json to bench/history.jsonl (with the commit)
//   bench report [--out DIR]            PNG chart of every figure's history (default build/bench/charts)
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO, listBoards, loadBoard } from "../boards.ts";
import type { GlobalFlags } from "../args.ts";
import { UsageError, parseOptions } from "../args.ts";
import { progress } from "../progress.ts";
import { figuresOf, overBudget, rateBudgets, withBudgets, type Figure } from "./figures.ts";
import { HISTORY, RESULTS_DIR, readHistory, record, runRecord, writeResultFile } from "./history.ts";
import { writeCharts } from "./chart.ts";

export interface BenchOptions {
  json: boolean;
  board: string;
  engine: string;
  args: string[];
  quick?: boolean;
}

const SUITES = ["core", "qr", "crypto", "voice", "consent", "flash", "mcu"];

/** Extra arguments a suite gets under --quick: fewer repetitions, no peer timing (figures stay deterministic). */
const QUICK_ARGS: Record<string, string[]> = { qr: ["--reps", "1", "--no-peers"] };

export function available(): string[] {
  return SUITES.filter((s) => existsSync(path.join(REPO, "host", "bench", `${s}.ts`)));
}

async function runSuites(rest: string[], flags: GlobalFlags): Promise<number> {
  // suite names are the words; every --option (and its value) is passed on to the suites
  const words = rest.filter((a, i) => !a.startsWith("--") && !(i > 0 && rest[i - 1] === "--reps"));
  const suites = words.length ? words : available();
  for (const s of suites)
    if (!available().includes(s)) throw new UsageError(`no benchmark suite '${s}'; suites: ${available().join(", ")}`);
  const quick = rest.includes("--quick");
  const check = rest.includes("--check");
  const boards = listBoards().map(loadBoard);
  const figures: Figure[] = [];
  for (const s of suites) {
    const mod = await import(path.join(REPO, "host", "bench", `${s}.ts`));
    const fnName = `bench${s[0].toUpperCase()}${s.slice(1)}`;
    const fn = mod[fnName];
    if (typeof fn !== "function") throw new Error(`host/bench/${s}.ts does not export ${fnName}`);
    const p = progress(`bench ${s}${quick ? " (quick)" : ""}…`);
    const t0 = Date.now();
    let result: unknown;
    try {
      const args = [...rest, ...(quick ? (QUICK_ARGS[s] ?? []) : [])];
      result = await fn({ json: flags.json, board: flags.board, engine: flags.engine, args, quick } satisfies BenchOptions);
    } finally {
      p.done();
    }
    const file = writeResultFile(`${s}.json`, result);
    figures.push(...figuresOf(s, result, boards));
    if (flags.json) console.log(JSON.stringify(result));
    else console.log(`bench ${s}: ${((Date.now() - t0) / 1000).toFixed(0)} s, wrote ${path.relative(process.cwd(), file)}`);
  }
  const figs = withBudgets(figures, rateBudgets());
  writeResultFile("last-run.json", runRecord(figs, suites, quick));
  writeResultFile("figures.json", figs);
  const bad = overBudget(figs);
  if (flags.json) console.log(JSON.stringify({ figures: figs, over_budget: bad }));
  else {
    console.log(
      `\n${figs.length} figures (${figs.filter((f) => f.deterministic).length} deterministic) in ${path.relative(process.cwd(), RESULTS_DIR)}/figures.json; \`npm run bench -- record\` adds them to bench/history.jsonl`,
    );
    for (const f of figs.filter((x) => x.max !== undefined || x.min !== undefined)) {
      const over = overBudget([f]).length > 0;
      console.log(
        `  ${over ? "OVER" : "ok  "} ${f.name} = ${f.value} ${f.unit} (${f.min !== undefined ? `≥ ${f.min}` : ""}${f.max !== undefined ? `≤ ${f.max}` : ""})`,
      );
    }
  }
  if (bad.length && check) {
    process.stderr.write(`bench: ${bad.length} figure(s) outside their budget:\n  ${bad.join("\n  ")}\n`);
    return 1;
  }
  return 0;
}

export async function benchCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  if (rest[0] === "record") {
    const run = record();
    console.log(
      flags.json
        ? JSON.stringify(run)
        : `recorded ${Object.keys(run.figures).length} figures of ${run.commit.slice(0, 10)}${run.dirty ? " (uncommitted changes)" : ""} in ${path.relative(process.cwd(), HISTORY)}`,
    );
    return 0;
  }
  if (rest[0] === "report") {
    const { opts } = parseOptions(rest.slice(1), ["--out"]);
    const runs = readHistory();
    if (!runs.length)
      throw new UsageError(`${path.relative(process.cwd(), HISTORY)} has no runs yet: npm run bench, then npm run bench -- record`);
    const dir = path.resolve(opts.out ?? path.join(RESULTS_DIR, "charts"));
    // each figure's budget as the latest run that has one recorded it
    const budgets: Record<string, { min?: number; max?: number }> = {};
    for (const r of runs) Object.assign(budgets, r.budgets ?? {});
    const files = writeCharts(runs, dir, budgets);
    console.log(
      flags.json
        ? JSON.stringify({ charts: files })
        : `${files.length} charts of ${runs.length} runs in ${path.relative(process.cwd(), dir)} (index.md)`,
    );
    return 0;
  }
  return runSuites(rest, flags);
}
