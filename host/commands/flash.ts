// `glasses flash`, `images`, `reset`, `echo`: SMP over a serial console to a kit (or the emulator).
import { readFileSync, existsSync } from "node:fs";
import { parseOptions, UsageError, type GlobalFlags } from "../args.ts";
import { GROUP, OS_CMD } from "../serial/smp.ts";
import { KitSession } from "../flash/session.ts";
import { flashImage, readImages, type Step } from "../flash/flash.ts";
import { progressBar } from "../flash/progress.ts";

const COMMON = ["--port", "--baud", "--timeout"];
const HELP = `usage: glasses flash --port PATH [--baud N] [--timeout MS] [--no-confirm] [--json] IMAGE.img
       glasses images --port PATH [--json]      slot list: version, hash, bootable/pending/confirmed/active/permanent
       glasses reset  --port PATH               SMP OS reset
       glasses echo   --port PATH [TEXT]        SMP OS echo
Speaks SMP v2 over the serial console framing (mcumgr's). flash uploads (resuming after a lost link), checks
the hash, marks the image for test, resets, waits for the kit and confirms once the new image runs;
--no-confirm leaves it in test (the next reset reverts it). --baud defaults to 115200, --timeout to 3000 ms.
`;

async function session(opts: Record<string, string>, json: boolean): Promise<KitSession> {
  if (!opts.port) throw new UsageError("--port PATH is required (the kit's serial device, e.g. the pty `glasses devkit --pty` prints)");
  const baud = Number(opts.baud ?? 115200);
  if (!Number.isInteger(baud) || baud <= 0) throw new UsageError(`--baud must be a positive integer, not '${opts.baud}'`);
  const timeoutMs = Number(opts.timeout ?? 3000);
  return KitSession.open({ port: opts.port, baud, timeoutMs, reconnectMs: 15_000,
    onText: json ? undefined : (l) => { if (process.env.GLASSES_KIT_CONSOLE) process.stderr.write(`kit: ${l}\n`); } });
}

export async function flashCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, on, positional } = parseOptions(rest, COMMON, ["--no-confirm", "--help"]);
  if (on.has("help")) { process.stdout.write(HELP); return 0; }
  if (positional.length !== 1) throw new UsageError("flash needs one IMAGE file (make one with `glasses image`)");
  if (!existsSync(positional[0])) throw new UsageError(`no such image: ${positional[0]}`);
  const file = readFileSync(positional[0]);
  const s = await session(opts, flags.json);
  const bar = flags.json ? null : progressBar();
  const emit = (st: Step) => {
    if (flags.json) { console.log(JSON.stringify(st)); return; }
    if (st.step === "upload") bar?.end();
    const { step, ...rest } = st;
    if (step !== "state") console.log(`${step}: ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ")}`);
  };
  try {
    const r = await flashImage(s, file, { confirm: !on.has("no-confirm"), bootWaitMs: 30_000, onStep: emit,
      onProgress: (p) => bar?.update(p.sent, p.total) });
    return r ? 0 : 1;
  } finally { await s.close(); }
}

export async function imagesCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, on } = parseOptions(rest, COMMON, ["--help"]);
  if (on.has("help")) { process.stdout.write(HELP); return 0; }
  const s = await session(opts, flags.json);
  try {
    const images = await readImages(s);
    if (flags.json) { console.log(JSON.stringify({ images })); return 0; }
    if (!images.length) console.log("no images");
    for (const i of images) {
      const fl = (["bootable", "pending", "confirmed", "active", "permanent"] as const).filter((k) => i[k]);
      console.log(`slot ${i.slot}: version ${i.version}  ${fl.join(" ") || "-"}\n        hash ${i.hash}`);
    }
    return 0;
  } finally { await s.close(); }
}

export async function resetCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts } = parseOptions(rest, COMMON);
  const s = await session(opts, flags.json);
  try {
    await s.client.write(GROUP.OS, OS_CMD.RESET, {}, s.o.timeoutMs);
    console.log(flags.json ? JSON.stringify({ step: "reset" }) : "reset sent");
    return 0;
  } finally { await s.close(); }
}

export async function echoCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, positional } = parseOptions(rest, COMMON);
  const s = await session(opts, flags.json);
  try {
    const t0 = process.hrtime.bigint();
    const r = await s.client.write(GROUP.OS, OS_CMD.ECHO, { d: positional.join(" ") || "hello" }, s.o.timeoutMs);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(flags.json ? JSON.stringify({ r: r.r, ms: +ms.toFixed(2) }) : `${r.r} (${ms.toFixed(1)} ms)`);
    return 0;
  } finally { await s.close(); }
}
