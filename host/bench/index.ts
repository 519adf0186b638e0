// `glasses bench [suite…]`: runs the benchmark suites that exist (host/bench/<suite>.ts exporting
// `bench<Suite>(opts)`), prints their tables and writes bench/<suite>.json.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../boards.ts";
import type { GlobalFlags } from "../args.ts";
import { UsageError } from "../args.ts";

export interface BenchOptions { json: boolean; board: string; engine: string; args: string[] }

const SUITES = ["core", "qr", "crypto", "voice", "consent", "flash", "mcu"];

export function available(): string[] {
  return SUITES.filter((s) => existsSync(path.join(REPO, "host", "bench", `${s}.ts`)));
}

export function writeResult(suite: string, result: unknown): string {
  const dir = path.join(REPO, "bench");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${suite}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  return file;
}

export async function benchCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const named = rest.filter((a) => !a.startsWith("--"));
  const suites = named.length ? named : available();
  for (const s of suites) if (!available().includes(s)) throw new UsageError(`no benchmark suite '${s}'; suites: ${available().join(", ")}`);
  for (const s of suites) {
    const mod = await import(path.join(REPO, "host", "bench", `${s}.ts`));
    const fn = mod[`bench${s[0].toUpperCase()}${s.slice(1)}`];
    if (typeof fn !== "function") throw new Error(`host/bench/${s}.ts does not export bench${s[0].toUpperCase()}${s.slice(1)}`);
    const result = await fn({ json: flags.json, board: flags.board, engine: flags.engine, args: rest } satisfies BenchOptions);
    const file = writeResult(s, result);
    if (flags.json) console.log(JSON.stringify(result));
    else console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
  return 0;
}
