// The command face: argv[1] names a command; its status becomes the exit code, with a JSON error line.
import { printErrLine } from "../io/output";
import { printLine } from "../io/output";
import { Json, jsonArray } from "../io/json";
import { COMMANDS } from "./registry";
import { OK, E_ARGS, E_UNKNOWN_COMMAND, statusName, statusMessage } from "../errors";
import { findCommand } from "./registry";
import { takeFailDetail } from "./fail";
import { commandArgs } from "../io/args";

function reportError(code: i32, detail: string): void {
  let msg = statusMessage(code);
  if (detail.length > 0) msg += ": " + detail;
  printErrLine(new Json().str("error", statusName(code)).int("status", code).str("message", msg).toString());
}

export function runMain(): void {
  const argv = commandArgs();
  if (argv.length < 2) {
    reportError(E_ARGS, "usage: glasses <command> [args]; try `glasses help`");
    process.exit(E_ARGS);
    return;
  }
  const name = argv[1];
  if (name == "help" || name == "--help") { printHelp(); return; }
  const cmd = findCommand(name);
  if (cmd == null) {
    reportError(E_UNKNOWN_COMMAND, "'" + name + "'; try `glasses help`");
    process.exit(E_UNKNOWN_COMMAND);
    return;
  }
  const code = cmd.run(argv.slice(2));
  if (code != OK) {
    reportError(code, takeFailDetail());
    process.exit(code);
  }
}

function printHelp(): void {
  const usages = new Array<string>();
  for (let i = 0; i < COMMANDS.length; i++) usages.push("\"" + COMMANDS[i].usage + "\"");
  printLine(new Json().raw("commands", jsonArray(usages)).toString());
}
