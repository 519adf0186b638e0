// Every command of the command face. An engine adds one import and one entry.
import { versionCommand, selftestCommand, deviceCommand } from "./core";

export class Command {
  constructor(public name: string, public usage: string, public run: (args: string[]) => i32) {}
}

export const COMMANDS: Command[] = [
  new Command("version", "version", versionCommand),
  new Command("selftest", "selftest", selftestCommand),
  new Command("device", "device  (used by hosts: initialise globals and return)", deviceCommand),
];

export function findCommand(name: string): Command | null {
  for (let i = 0; i < COMMANDS.length; i++) if (COMMANDS[i].name == name) return COMMANDS[i];
  return null;
}
