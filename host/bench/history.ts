// The benchmark history: bench/history.jsonl, one JSON line per recorded run (committed, only ever appended).
// A run's figures are first written to build/bench/last-run.json (untracked); `bench record` appends them
// with the commit they were measured on.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../boards.ts";
import type { Figure } from "./figures.ts";

export const RESULTS_DIR = path.join(REPO, "build", "bench");
export const LAST_RUN = path.join(RESULTS_DIR, "last-run.json");
export const HISTORY = path.join(REPO, "bench", "history.jsonl");

export interface Run {
  commit: string;
  dirty: boolean;
  date: string;
  node: string;
  quick: boolean;
  suites: string[];
  figures: Record<string, number>;
  /** the budgets the figures were checked against (fuel and bytes from boards/*.json, rates from bench/budgets.json) */
  budgets?: Record<string, { min?: number; max?: number }>;
}

function git(args: string[]): string {
  const r = spawnSync("git", args, { cwd: REPO, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}

/** The run record of a set of figures, stamped with the current commit. */
export function runRecord(figures: Figure[], suites: string[], quick: boolean): Run {
  return {
    commit: git(["rev-parse", "HEAD"]) || "unknown",
    dirty: git(["status", "--porcelain", "--untracked-files=no"]) !== "",
    date: new Date().toISOString(),
    node: process.version,
    quick,
    suites,
    figures: Object.fromEntries(figures.map((f) => [f.name, f.value])),
    budgets: Object.fromEntries(
      figures.filter((f) => f.min !== undefined || f.max !== undefined).map((f) => [f.name, { min: f.min, max: f.max }]),
    ),
  };
}

/** Writes a file under build/bench/ (untracked) atomically; returns its path. */
export function writeResultFile(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 2) + "\n");
  renameSync(`${file}.tmp`, file);
  return file;
}

/** Appends the last run to the history (never rewrites earlier lines). */
export function record(from = LAST_RUN, to = HISTORY): Run {
  if (!existsSync(from))
    throw new Error(`no benchmark run to record: run \`npm run bench\` first (${path.relative(REPO, from)} is missing)`);
  const run = JSON.parse(readFileSync(from, "utf8")) as Run;
  if (!run.commit || !run.figures || !Object.keys(run.figures).length) throw new Error(`${path.relative(REPO, from)} holds no figures`);
  if (existsSync(to)) {
    const text = readFileSync(to, "utf8");
    if (text.length && !text.endsWith("\n")) throw new Error(`${path.relative(REPO, to)} does not end with a newline: fix it by hand`);
    if (readHistory(to).some((r) => r.date === run.date && r.commit === run.commit)) throw new Error("this run is already recorded");
  }
  appendFileSync(to, JSON.stringify(run) + "\n");
  return run;
}

export function readHistory(file = HISTORY): Run[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Run;
      } catch {
        throw new Error(`${path.relative(REPO, file)} line ${i + 1} is not JSON`);
      }
    });
}
