// `glasses payload [--json] PAYLOAD`: parse a payment QR payload in the firmware and print the result.
// --json prints exactly {"valid","scheme","merchantName","merchantCity","amount","currency","error"};
// without it, one readable line. Exit status: 0 valid, otherwise the firmware's status (e.g. 93 CRC).
import { runCommand } from "../engine/index.ts";
import { UsageError, type GlobalFlags } from "../args.ts";

export const PAYLOAD_KEYS = ["valid", "scheme", "merchantName", "merchantCity", "amount", "currency", "error"] as const;
export type PayloadSummary = { [K in (typeof PAYLOAD_KEYS)[number]]: K extends "valid" ? boolean : string | null };

/** Picks the public summary out of the firmware's full result line. */
export function summarize(full: Record<string, unknown>): PayloadSummary {
  const out: Record<string, unknown> = {};
  for (const k of PAYLOAD_KEYS) out[k] = k === "valid" ? full[k] === true : (full[k] ?? null);
  return out as PayloadSummary;
}

export async function parsePayloadWithFirmware(text: string, flags: Pick<GlobalFlags, "board" | "engine">):
    Promise<{ code: number; full: Record<string, any> | null; stderr: string }> {
  const r = await runCommand(["payload", text], { board: flags.board, engine: flags.engine });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  return { code: r.code, full: line ? JSON.parse(line) : null, stderr: r.stderr };
}

export async function payloadCommand(argv: string[], flags: GlobalFlags): Promise<number> {
  const args = argv.filter((a) => a !== "--json");
  const json = flags.json || args.length !== argv.length;
  if (args.length !== 1) throw new UsageError("usage: glasses payload [--json] PAYLOAD  (quote the payload as one argument)");
  const { code, full, stderr } = await parsePayloadWithFirmware(args[0], flags);
  if (!full) {
    process.stderr.write(stderr || `glasses payload: firmware printed no result (exit ${code})\n`);
    return code || 1;
  }
  const s = summarize(full);
  if (json) {
    process.stdout.write(JSON.stringify(s) + "\n");
  } else if (s.valid) {
    const amt = s.amount === null ? "amount to be entered" : `${s.amount} ${s.currency ?? ""}`.trim();
    const who = [s.merchantName, s.merchantCity].filter(Boolean).join(", ") || "(payee from wallet server)";
    process.stdout.write(`valid ${s.scheme}: ${who}; ${amt}\n`);
    for (const w of (full.warnings as string[]) ?? []) process.stdout.write(`  warning: ${w}\n`);
  } else {
    process.stdout.write(`invalid ${s.scheme ?? "payload"}: ${s.error}\n`);
  }
  return code;
}
