// `glasses crypto keygen | sign | verify | ecdh | cose ... [--json]`: runs the firmware's crypto
// command face (assembly/crypto/commands.ts) through the host engine and prints its result.
//   keygen                                  -> {"key","pub"}
//   sign --key HEX32 --msg HEX [--low-s]    -> {"der","raw"}
//   verify --pub HEX65 --msg HEX --sig HEXDER -> {"valid"}
//   ecdh --key HEX32 --pub HEX65            -> {"shared"}
//   cose --pub HEX65                        -> {"cose"}
// --json prints the firmware's JSON line unchanged; otherwise one readable line per field.
// Exit status: the firmware's (0, or e.g. 31 bad_key / 32 bad_point with its error line on stderr);
// `verify` exits 0 with {"valid": false} for a signature that does not verify.
import { runCommand } from "../engine/index.ts";
import { UsageError, type GlobalFlags } from "../args.ts";

export const CRYPTO_SUBCOMMANDS = ["keygen", "sign", "verify", "ecdh", "cose"] as const;
const USAGE = "usage: glasses crypto keygen | sign --key HEX32 --msg HEX [--low-s] | verify --pub HEX65 --msg HEX --sig HEXDER | ecdh --key HEX32 --pub HEX65 | cose --pub HEX65  [--json]";

export interface CryptoRun { code: number; result: Record<string, any> | null; stderr: string; fuel?: number }

/** Runs `glasses crypto <args>` in the firmware and parses its JSON line. */
export async function runCryptoFirmware(args: string[], flags: Partial<Pick<GlobalFlags, "board" | "engine">> = {},
  extra: { fuel?: boolean; wasm?: string } = {}): Promise<CryptoRun> {
  const r = await runCommand(["crypto", ...args], { board: flags.board, engine: flags.engine, fuel: extra.fuel, wasm: extra.wasm });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  return { code: r.code, result: line ? JSON.parse(line) : null, stderr: r.stderr, fuel: r.fuel };
}

export async function cryptoCommand(argv: string[], flags: GlobalFlags): Promise<number> {
  const args = argv.filter((a) => a !== "--json");
  const json = flags.json || args.length !== argv.length;
  const sub = args[0];
  if (!sub || !(CRYPTO_SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(USAGE);
  const { code, result, stderr } = await runCryptoFirmware(args, flags);
  if (code !== 0 || !result) {
    // the firmware's error line: {"error","status","message"}
    const errLine = stderr.split("\n").find((l) => l.startsWith("{"));
    if (json && errLine) process.stdout.write(errLine + "\n");
    else if (errLine) process.stderr.write(`glasses crypto ${sub}: ${JSON.parse(errLine).message}\n`);
    else process.stderr.write(stderr || `glasses crypto ${sub}: firmware printed no result (exit ${code})\n`);
    return code || 1;
  }
  if (json) process.stdout.write(JSON.stringify(result) + "\n");
  else for (const [k, v] of Object.entries(result)) process.stdout.write(`${k}: ${v}\n`);
  return 0;
}
