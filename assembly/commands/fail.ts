// The one way a command reports failure: remember a detail for the dispatcher and return the code.
import { OK } from "../errors";

let lastDetail: string = "";

/** Records a human-readable detail for the error line and returns code (use: `return fail(E_ARGS, "...")`). */
export function fail(code: i32, detail: string): i32 {
  lastDetail = detail;
  return code;
}

export function takeFailDetail(): string {
  const d = lastDetail;
  lastDetail = "";
  return d;
}

/** Value of `--name VALUE` in args, or null. */
export function flagValue(args: string[], name: string): string | null {
  for (let i = 0; i + 1 < args.length; i++) if (args[i] == name) return args[i + 1];
  return null;
}

/** True when `--name` is present. */
export function hasFlag(args: string[], name: string): bool {
  for (let i = 0; i < args.length; i++) if (args[i] == name) return true;
  return false;
}

export { OK };
