// Command face: `payload <text>` prints the parse result as one JSON line.
// Exit status: OK when the payload is valid, otherwise the reason's code (the line is printed either way).
import { OK, E_ARGS } from "../errors";
import { printLine } from "../io/output";
import { fail } from "../commands/fail";
import { parsePayload } from "./payload";

export function payloadCommand(args: string[]): i32 {
  let text: string | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] == "--json") continue;        // output is always JSON
    if (text != null) return fail(E_ARGS, "usage: payload <text>  (quote the payload; one argument)");
    text = args[i];
  }
  if (text == null) return fail(E_ARGS, "usage: payload <text>");
  const r = parsePayload(text!);
  printLine(r.toJson());
  if (r.valid) return OK;
  return fail(r.status, r.error != null ? r.error! : "invalid payload");
}
