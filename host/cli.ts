// The `glasses` command. Global flags: --board ID, --engine node|wasmtime, --json.
// Each subcommand lives in host/commands/; the host only moves bytes, the firmware decides.
import { DEFAULT_BOARD, BoardError, loadBoard } from "./boards.ts";
import { splitGlobal, UsageError, type GlobalFlags } from "./args.ts";
import { selftestCommand, infoCommand } from "./commands/core.ts";
import { benchCommand } from "./bench/index.ts";
import { payCommand, startCommand } from "./commands/pay.ts";
import { listenCommand, enrollCommand, verifyVoiceCommand } from "./commands/voice.ts";
import { consentCommand } from "./commands/consent.ts";
import { payloadCommand } from "./commands/payload.ts";
import { cryptoCommand } from "./commands/crypto.ts";
import { scanCommand } from "./commands/scan.ts";
import { imageCommand } from "./commands/image.ts";
import { flashCommand, imagesCommand, resetCommand, echoCommand } from "./commands/flash.ts";
import { devkitCommand } from "./commands/devkit.ts";

type Handler = (rest: string[], flags: GlobalFlags) => Promise<number>;

const COMMANDS: Record<string, { summary: string; run: Handler }> = {
  selftest: { summary: "run the firmware's self-test", run: selftestCommand },
  info: { summary: "module facts: board, bytes, imports, memory pages, features (--all for every board)", run: infoCommand },
  bench: { summary: "run benchmark suites side by side with peers (bench [suite…])", run: benchCommand },
  scan: { summary: "decode QR codes in images: scan [--json] [--draw OUT.png] FILE|DIR…", run: scanCommand },
  crypto: { summary: "crypto keygen | sign --key HEX32 --msg HEX | verify --pub HEX65 --msg HEX --sig HEXDER | ecdh --key HEX32 --pub HEX65", run: cryptoCommand },
  payload: { summary: "parse a payment QR payload (EMV MPM, Alipay/WeChat URL, upi://pay): payload [--json] PAYLOAD", run: payloadCommand },
  pay: { summary: "the whole flow against the reference wallet: pay --frames DIR|VIDEO --wearer DIR [--wearer-says no | --wearer-silent] [--ambient WAV --snr DB] [--enroll DIR] [--data DIR] [--hud DIR]", run: payCommand },
  listen: { summary: "keyword spotting: listen [--json] [--threshold T] [--plot out.png] FILE… | listen --mic [--seconds N]", run: listenCommand },
  enroll: { summary: "speaker enrolment: enroll --out PROFILE DIR (DIR/<word>/*.wav, every code word at least once)", run: enrollCommand },
  consent: { summary: "spoken-code consent on recordings: consent --profile P --code \"up left go\" [--json] FILE… | consent --vocabulary", run: consentCommand },
  "verify-voice": { summary: "speaker verification: verify-voice --profile PROFILE [--json] FILE…", run: verifyVoiceCommand },
  image: { summary: "package a module as a signed MCUboot image: image --board B [--key K] [MODULE] -o OUT.img | image --verify IMG", run: imageCommand },
  flash: { summary: "flash an image to a kit over SMP/serial: flash --port PATH [--baud N] [--no-confirm] IMAGE", run: flashCommand },
  images: { summary: "a kit's image slots: images --port PATH [--json]", run: imagesCommand },
  reset: { summary: "reset a kit (SMP): reset --port PATH", run: resetCommand },
  echo: { summary: "SMP echo round trip: echo --port PATH [TEXT]", run: echoCommand },
  devkit: { summary: "dev-kit emulator: devkit --board B [--pty | --port PATH] [--data DIR]", run: devkitCommand },
  start: { summary: "the demo on the shipped sample: scan, show a spoken code, hear it in the owner's voice, sign, wallet verifies the bill", run: startCommand },
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
