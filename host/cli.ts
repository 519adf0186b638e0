// The `glasses` command. Global flags: --board ID, --engine node|wasmtime, --json.
// Each subcommand lives in host/commands/; the host only moves bytes, the firmware decides.
import { DEFAULT_BOARD, BoardError, loadBoard } from "./boards.ts";
import { splitGlobal, UsageError, type GlobalFlags } from "./args.ts";
import { selftestCommand, infoCommand } from "./commands/core.ts";
import { benchCommand } from "./bench/index.ts";

type Handler = (rest: string[], flags: GlobalFlags) => Promise<number>;

const COMMANDS: Record<string, { summary: string; run: Handler }> = {
  selftest: { summary: "run the firmware's self-test", run: selftestCommand },
  info: { summary: "module facts: board, bytes, imports, memory pages, features (--all for every board)", run: infoCommand },
  bench: { summary: "run benchmark suites side by side with peers (bench [suite…])", run: benchCommand },
  start: { summary: "the main job on its embedded default (for now: the self-test on the default board)", run: selftestCommand },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(14)} ${v.summary}`);
  return `usage: glasses <command> [--board ID] [--engine node|wasmtime] [--json] [args]\n\ncommands:\n${rows.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest0] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") { process.stdout.write(usage()); return name ? 0 : 1; }
  const cmd = COMMANDS[name];
  if (!cmd) { process.stderr.write(`glasses: unknown command '${name}'\n\n${usage()}`); return 2; }
  const { flags, rest } = splitGlobal(rest0, { board: DEFAULT_BOARD, engine: "node", json: false });
  loadBoard(flags.board);
  return cmd.run(rest, flags);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof UsageError || e instanceof BoardError) process.stderr.write(`glasses: ${e.message}\n`);
    else process.stderr.write(`glasses: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
