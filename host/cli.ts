// The `glasses` command. Global flags (anywhere on the line): --board ID, --engine node|wasmtime, --json,
// --help, --version. Each command lives in host/commands/ (or host/bench/); the host only moves bytes, the
// firmware decides. Adding a command = one entry in COMMANDS: its summary, usage, numeric option ranges
// (checked here, before the command runs) and handler. `glasses help CMD` and `CMD --help` print the usage
// without running anything. Human output by default; --json prints JSON lines only (errors included).
import { existsSync } from "node:fs";
import path from "node:path";
import { DEFAULT_BOARD, REPO, loadBoard, listBoards } from "./boards.ts";
import { splitGlobal, checkRanges, UsageError, type GlobalFlags, type NumberRange } from "./args.ts";
import { FirmwareError } from "./status.ts";
import { hostVersion, firmwareVersion } from "./version.ts";

type Handler = (rest: string[], flags: GlobalFlags) => Promise<number>;

export interface CommandSpec {
  summary: string;
  /** the usage text `help CMD` and `CMD --help` print: synopsis line, then one line per option */
  usage: string;
  /** numeric options and their ranges, checked before the command runs */
  ranges?: Record<string, NumberRange>;
  /** loaded only when the command runs (keeps `--help` and `--version` fast) */
  run: () => Promise<Handler>;
}

export const COMMANDS: Record<string, CommandSpec> = {
  selftest: {
    summary: "run the firmware's self-test",
    usage: "glasses selftest\n  Runs every self-test check of the board's firmware and prints one line per check.",
    run: async () => (await import("./commands/core.ts")).selftestCommand,
  },
  info: {
    summary: "module facts: board, bytes, imports, memory pages, features",
    usage: "glasses info [--all]\n  --all   every board, not only --board",
    run: async () => (await import("./commands/core.ts")).infoCommand,
  },
  version: {
    summary: "host and firmware versions (same as --version)",
    usage: "glasses version\n  Prints the host version and the version the board's firmware reports.",
    run: async () => versionCommand,
  },
  bench: {
    summary: "benchmarks side by side with peers; record and chart their history",
    usage: [
      "glasses bench [SUITE…] [--quick] [--check]   run suites (core, qr, crypto, voice, consent, flash, mcu); results in build/bench/",
      "glasses bench record                        append the last run's figures with the commit to bench/history.jsonl",
      "glasses bench report [--out DIR]            draw each figure's history as PNG charts (default build/bench/charts)",
      "  --quick   a few minutes at most: fewer repetitions and corpus cases",
      "  --check   fail when a deterministic figure passes its budget (bench/budgets.json)",
    ].join("\n"),
    run: async () => {
      if (!existsSync(path.join(REPO, "host", "bench")))
        throw new UsageError("benchmarks run from a source checkout (the package ships no bench suites)");
      return (await import("./bench/index.ts")).benchCommand;
    },
  },
  scan: {
    summary: "decode QR codes in images",
    usage:
      "glasses scan [--draw OUT.png] FILE|DIR…\n  Decodes every QR code in PNG/JPEG/PGM files (folders are walked).\n  --draw OUT.png   draw the found codes (one file per input: OUT-0.png, OUT-1.png, …)",
    run: async () => (await import("./commands/scan.ts")).scanCommand,
  },
  crypto: {
    summary: "the firmware's P-256 and COSE operations",
    usage:
      "glasses crypto keygen\n       glasses crypto sign --key HEX32 --msg HEX [--low-s]\n       glasses crypto verify --pub HEX65 --msg HEX --sig HEXDER\n       glasses crypto ecdh --key HEX32 --pub HEX65\n       glasses crypto cose --pub HEX65   (COSE_Key of a public key)",
    run: async () => (await import("./commands/crypto.ts")).cryptoCommand,
  },
  payload: {
    summary: "parse a payment QR payload (EMV MPM, Alipay/WeChat URL, upi://pay)",
    usage: "glasses payload PAYLOAD\n  Prints payee, amount, currency and the scheme's fields of one QR payload text.",
    run: async () => (await import("./commands/payload.ts")).payloadCommand,
  },
  pay: {
    summary: "the whole flow against the reference wallet (the simulated wearer reads the spoken code off the HUD)",
    usage: [
      "glasses pay --frames DIR|VIDEO --wearer DIR [--wearer-says no | --wearer-silent] [--ambient WAV --snr DB]",
      "            [--enroll DIR] [--data DIR] [--hud DIR] [--phone-name NAME] [--port PATH [--baud N]]",
      "  --frames DIR|VIDEO  camera frames (a folder of images or a video ffmpeg reads)",
      "  --wearer DIR        the simulated wearer's recordings, DIR/<word>/*.wav; it reads the code off the confirm event",
      "  --wearer-says no    the wearer refuses; --wearer-silent: the wearer says nothing",
      "  --ambient WAV       audio mixed into the microphone at --snr DB (default 10)",
      "  --enroll DIR        enrol the owner from DIR/<word>/*.wav (every code word) when the data folder has none",
      "  --data DIR          state folder (device secret, sealed state, wallet database; default ./data)",
      "  --hud DIR           write each HUD frame as PNG into this folder",
      "  --port PATH         run the flow on a dev kit (or `glasses devkit`) over serial; --baud default 115200",
    ].join("\n"),
    ranges: { "--snr": { min: -20, max: 60 }, "--baud": { min: 1200, max: 4000000, integer: true } },
    run: async () => (await import("./commands/pay.ts")).payCommand,
  },
  listen: {
    summary: "keyword spotting on WAV files or the microphone",
    usage:
      "glasses listen [--threshold T] [--stride N] [--plot OUT.png] FILE…\n       glasses listen --mic [--seconds N] [--device NAME]\n  --threshold T   detection threshold, 0 to 1\n  --stride N      run the network every N hops, 1 to 8 (boards with mic.kwsStreaming: every second hop, always)\n  --plot OUT.png  spectrogram with the detection track\n  --mic           listen to the microphone (arecord/sox)\n  --seconds N     how long to listen, 1 to 3600",
    ranges: { "--threshold": { min: 0, max: 1 }, "--stride": { min: 1, max: 8, integer: true }, "--seconds": { min: 1, max: 3600 } },
    run: async () => (await import("./commands/voice.ts")).listenCommand,
  },
  enroll: {
    summary: "enrol the owner's voice from a folder of recordings of every code word",
    usage:
      "glasses enroll --out PROFILE DIR [--threshold T]\n  DIR/<word>/*.wav, at least one clip of every code word (glasses consent --vocabulary); writes the voice profile\n  (adapted on the code words; clips of other words are accepted and not used).\n  --threshold T  a stricter speaker threshold for this profile (a lower one than the firmware's is not used).",
    run: async () => (await import("./commands/voice.ts")).enrollCommand,
  },
  consent: {
    summary: "the firmware's spoken-code consent on recordings",
    usage:
      'glasses consent --profile PROFILE --code "up left on" FILE…\n       glasses consent --vocabulary\n  Runs exactly the device\'s confirmation logic on each clip; prints consent, reason, heard words, speaker score.',
    run: async () => (await import("./commands/consent.ts")).consentCommand,
  },
  "verify-voice": {
    summary: "speaker verification against a profile",
    usage: "glasses verify-voice --profile PROFILE FILE…",
    run: async () => (await import("./commands/voice.ts")).verifyVoiceCommand,
  },
  image: {
    summary: "package a module as a signed MCUboot image, or verify one",
    usage:
      "glasses image --board B [--key K] [--version X.Y.Z[+B]] [MODULE] -o OUT.img\n       glasses image --verify [--key K] IMG\n  A development key is made on first use (~/.glasses-pay/image-dev-key.pem or $GLASSES_IMAGE_KEY).",
    run: async () => (await import("./commands/image.ts")).imageCommand,
  },
  flash: {
    summary: "flash an image to a kit over SMP on its serial console",
    usage:
      "glasses flash --port PATH [--baud N] [--no-confirm] IMAGE\n  upload (resumes), hash check, mark for test, reset, confirm once the kit's self-test passes",
    ranges: { "--baud": { min: 1200, max: 4000000, integer: true } },
    run: async () => (await import("./commands/flash.ts")).flashCommand,
  },
  images: {
    summary: "a kit's image slots (SMP image state)",
    usage: "glasses images --port PATH [--baud N]",
    run: async () => (await import("./commands/flash.ts")).imagesCommand,
  },
  reset: {
    summary: "reset a kit over SMP",
    usage: "glasses reset --port PATH [--baud N]",
    run: async () => (await import("./commands/flash.ts")).resetCommand,
  },
  echo: {
    summary: "SMP echo round trip with a kit",
    usage: "glasses echo --port PATH [--baud N] [TEXT]",
    run: async () => (await import("./commands/flash.ts")).echoCommand,
  },
  devkit: {
    summary: "dev-kit emulator on a (virtual) serial port",
    usage:
      "glasses devkit --board B [--pty | --port PATH] [--data DIR] [--trust KEY] [--image IMG] [--line-rate] [--idle-ms N]\n  SMP server, two slots with MCUboot's rules, the active image running as the board; prints its pty path.",
    run: async () => (await import("./commands/devkit.ts")).devkitCommand,
  },
  start: {
    summary: "the demo on the shipped sample: scan, hear the code, verify the voice, sign, the wallet verifies",
    usage: "glasses start\n  Runs `pay` on the shipped demo frames and audio (assets/demo).",
    run: async () => (await import("./commands/pay.ts")).startCommand,
  },
};

const GLOBAL_USAGE = `global flags (anywhere on the line):
  --board ID                 ${listBoards().join(", ")} (default ${DEFAULT_BOARD})
  --engine node|wasmtime     where the firmware runs (default node)
  --json                     JSON lines only, for programs
  -h, --help                 usage (of a command: glasses help CMD, or CMD --help)
  -V, --version              host and firmware versions`;

export function usage(): string {
  const rows = Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(14)} ${v.summary}`);
  return `usage: glasses <command> [options]\n\ncommands:\n${rows.join("\n")}\n\n${GLOBAL_USAGE}\n`;
}

export function commandUsage(name: string): string {
  const c = COMMANDS[name];
  if (!c) throw new UsageError(`unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(", ")}`);
  return `usage: ${c.usage}\n\n${GLOBAL_USAGE}\n`;
}

async function versionCommand(_rest: string[], flags: GlobalFlags): Promise<number> {
  const fw = await firmwareVersion(flags.board);
  if (flags.json) console.log(JSON.stringify({ host: hostVersion(), firmware: fw.version, board: fw.board, node: process.version }));
  else console.log(`glasses host ${hostVersion()}, firmware ${fw.version} (${fw.board}), node ${process.version}`);
  return 0;
}

/** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const helpAt = argv.findIndex((a) => a === "--help" || a === "-h");
  // --version/-V is the global flag only before a command: after one it is the command's own option
  // (e.g. `glasses image --version 1.2.3`).
  const firstCommand = argv.findIndex((a, i) => !a.startsWith("-") && !["--board", "--engine"].includes(argv[i - 1]));
  const versionAt = argv.findIndex((a, i) => (a === "--version" || a === "-V") && (firstCommand < 0 || i < firstCommand));
  const { flags, rest } = splitGlobal(
    argv.filter((_, i) => i !== helpAt && i !== versionAt),
    { board: DEFAULT_BOARD, engine: "node", json: false },
  );
  loadBoard(flags.board);
  const [name, ...args] = rest;
  if (versionAt >= 0 && !name) return versionCommand([], flags);
  if (name === "help") {
    process.stdout.write(args[0] ? commandUsage(args[0]) : usage());
    return 0;
  }
  if (!name) {
    process.stdout.write(usage());
    return helpAt >= 0 ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) throw new UsageError(`unknown command '${name}'; try glasses help`);
  if (helpAt >= 0) {
    process.stdout.write(commandUsage(name));
    return 0;
  }
  checkRanges(args, cmd.ranges ?? {});
  return (await cmd.run())(args, flags);
}

function report(e: unknown, json: boolean): number {
  const code = e instanceof UsageError ? 2 : 1;
  const message = e instanceof Error ? e.message : String(e);
  if (json) {
    const out: Record<string, unknown> = {
      error: e instanceof UsageError ? "usage" : e instanceof FirmwareError ? e.statusName : "error",
      message,
    };
    if (e instanceof FirmwareError) out.status = e.status;
    process.stderr.write(JSON.stringify(out) + "\n");
  } else {
    process.stderr.write(`glasses: ${message}\n`);
    if (e instanceof UsageError) process.stderr.write("(glasses help for the commands, glasses help CMD for one)\n");
  }
  return code;
}

/** The process entry (bin/glasses.js, or `node --import tsx host/cli.ts …`): sets the exit code. */
export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    process.exitCode = report(e, argv.includes("--json"));
  }
}

if (import.meta.filename === process.argv[1]) await run(process.argv.slice(2));
