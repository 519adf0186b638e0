// `glasses devkit`: the dev-kit emulator on a serial port or on a fresh pty pair.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadBoard } from "../boards.ts";
import { parseOptions, UsageError, type GlobalFlags } from "../args.ts";
import { Kit } from "../devkit/kit.ts";
import { ptyPair, ptyName } from "../devkit/pty.ts";
import { defaultKeyPath, loadOrCreateSigningKey, loadVerifyKey, publicKeyPem } from "../flash/keys.ts";
import { parseImage, versionString } from "../flash/image.ts";

const HELP = `usage: glasses devkit --board B [--pty | --port PATH] [--data DIR] [--baud N] [--trust KEY.pem] [--image IMG] [--line-rate]
Acts as a dev kit: an SMP server (OS echo/reset/params/info, image state/upload/erase, device face in group
64) with two image slots kept in DIR (default ./devkit-B), MCUboot's boot rules (signature against the
trusted key, swap on reset, revert of an unconfirmed test image, no downgrade) and the firmware of slot 0
running as the board, its self-test deciding whether it comes up.
  --pty        make a pty pair with socat and print the path a client should open
  --trust      public (or private) PEM the kit trusts; default: the dev key (${defaultKeyPath()})
  --image      program IMG into slot 0 as the factory image (confirmed) before the first boot
  --line-rate  pace bytes at the baud rate (10 bits/byte), as a UART would; ptys are otherwise instant
`;

export async function devkitCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, on } = parseOptions(rest, ["--port", "--data", "--baud", "--trust", "--image", "--idle-ms"], ["--pty", "--line-rate", "--help"]);
  if (on.has("help")) { process.stdout.write(HELP); return 0; }
  if (!!opts.port === on.has("pty")) throw new UsageError("devkit needs exactly one of --pty or --port PATH");
  const board = loadBoard(flags.board).id;
  const dataDir = path.resolve(opts.data ?? `devkit-${board}`);
  const trusted = opts.trust ? loadVerifyKey(opts.trust) : (() => {
    const { key, created } = loadOrCreateSigningKey(defaultKeyPath());
    if (created) process.stderr.write(`made a development signing key in ${defaultKeyPath()}; the kit trusts its public half:\n${publicKeyPem(key)}`);
    return key;
  })();
  const baud = Number(opts.baud ?? 115200);
  let pty = null;
  let port = opts.port;
  if (on.has("pty")) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    pty = await ptyPair(path.join(dataDir, "tty-kit"), path.join(dataDir, "tty-host"));
    port = pty.a;
  }
  const log = flags.json ? (l: string) => console.log(JSON.stringify({ kit: l })) : (l: string) => console.log(l);
  const kit = new Kit({ board, dataDir, trusted, port: port!, baud, lineRate: on.has("line-rate"), idleMs: opts["idle-ms"] ? Number(opts["idle-ms"]) : undefined, log });
  if (opts.image) {
    if (!existsSync(opts.image)) throw new UsageError(`no such image: ${opts.image}`);
    const bytes = readFileSync(opts.image);
    const img = parseImage(bytes);
    kit.store.writeSlot(0, bytes);
    kit.store.setFlags({ pending: "none", confirmed: true, testing: false });
    log(`factory: programmed ${opts.image} (${versionString(img.version)}) into slot 0`);
  }
  await kit.start();
  if (pty) {
    const host = ptyName(pty.b);
    log(`devkit ${board}: pty ${host} (also ${pty.b}); in another terminal: npx glasses flash --port ${host} IMAGE.img`);
  }
  await new Promise<void>((resolve) => {
    const stop = async () => { await kit.stop(); if (pty) await pty.close(); resolve(); };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    pty?.proc.once("exit", () => { log("devkit: socat ended: the virtual cable is gone"); void stop(); });
  });
  return 0;
}
