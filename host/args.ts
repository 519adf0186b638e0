// Command-line parsing shared by the CLI and its subcommands: global flags first-class, the rest kept
// in order for the subcommand. `--flag value`, `--flag=value` and boolean `--flag` are understood.
export interface GlobalFlags {
  board: string;
  engine: "node" | "wasmtime";
  json: boolean;
}

export class UsageError extends Error {}

const GLOBAL_WITH_VALUE = new Set(["--board", "--engine"]);
const GLOBAL_BOOL = new Set(["--json"]);

export function splitGlobal(argv: string[], defaults: GlobalFlags): { flags: GlobalFlags; rest: string[] } {
  const flags = { ...defaults };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (GLOBAL_WITH_VALUE.has(a)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      if (a === "--board") flags.board = v;
      else if (v === "node" || v === "wasmtime") flags.engine = v;
      else throw new UsageError(`--engine must be node or wasmtime, not '${v}'`);
    } else if (GLOBAL_BOOL.has(a)) {
      flags.json = true;
    } else {
      rest.push(argv[i]);
    }
  }
  return { flags, rest };
}

/** Options of a subcommand: named values, booleans and positionals. */
export function parseOptions(
  rest: string[],
  withValue: string[],
  bools: string[] = [],
): { opts: Record<string, string>; on: Set<string>; positional: string[] } {
  const opts: Record<string, string> = {};
  const on = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    let a = rest[i];
    let inline: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (withValue.includes(a)) {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      opts[a.slice(2)] = v;
    } else if (bools.includes(a)) {
      on.add(a.slice(2));
    } else if (a.startsWith("--")) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  return { opts, on, positional };
}

export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * A numeric option checked against its range: `numberOption(opts, "threshold", { min: 0, max: 1 })`.
 * Returns `fallback` when the option is absent; throws UsageError naming the option and the range otherwise.
 */
export function numberOption(opts: Record<string, string>, name: string, range: NumberRange, fallback?: number): number | undefined {
  const raw = opts[name];
  if (raw === undefined) return fallback;
  return checkNumber(`--${name}`, raw, range);
}

/** Parses and range-checks one numeric value; `what` names it in the error. */
export function checkNumber(what: string, raw: string, range: NumberRange): number {
  const v = raw.trim() === "" ? NaN : Number(raw);
  const kind = range.integer ? "an integer" : "a number";
  if (!Number.isFinite(v) || (range.integer && !Number.isInteger(v)) || v < range.min || v > range.max) {
    throw new UsageError(`${what} must be ${kind} from ${range.min} to ${range.max}, not '${raw}'`);
  }
  return v;
}

/** Range-checks every occurrence of the named numeric options in a command's arguments (`--x v` or `--x=v`). */
export function checkRanges(rest: string[], ranges: Record<string, NumberRange>): void {
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const range = ranges[name];
    if (!range) continue;
    const v = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : rest[i + 1];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    checkNumber(name, v, range);
  }
}
