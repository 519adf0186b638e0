// Every command of the command face. An engine adds one import and one entry.
import { versionCommand, selftestCommand, deviceCommand } from "./core";
import { payloadCommand } from "../pay/commands";
import { cryptoCommand, CRYPTO_USAGE } from "../crypto/commands";
import { listenCommand, enrollCommand, verifyVoiceCommand, consentCommand, ENROLL_USAGE, CONSENT_USAGE } from "../voice/commands";
import { scanCommand, SCAN_USAGE } from "../qr/commands";

export class Command {
  constructor(public name: string, public usage: string, public run: (args: string[]) => i32) {}
}

export const COMMANDS: Command[] = [
  new Command("version", "version", versionCommand),
  new Command("selftest", "selftest", selftestCommand),
  new Command("device", "device  (used by hosts: initialise globals and return)", deviceCommand),
  new Command("payload", "payload <text>  (parse a payment QR payload: EMV MPM, Alipay/WeChat URL, upi://pay)", payloadCommand),
  new Command("crypto", CRYPTO_USAGE, cryptoCommand),
  new Command("scan", SCAN_USAGE, scanCommand),
  new Command("listen", "listen <clip.wav>… [--threshold T] [--stride N]  (keyword spotting, 16 kHz WAV)", listenCommand),
  new Command("enroll", ENROLL_USAGE.substring(7), enrollCommand),
  new Command("verify-voice", "verify-voice --profile <profile> <clip.wav>…  (speaker verification)", verifyVoiceCommand),
  new Command("consent", CONSENT_USAGE.substring(7), consentCommand),
];

export function findCommand(name: string): Command | null {
  for (let i = 0; i < COMMANDS.length; i++) if (COMMANDS[i].name == name) return COMMANDS[i];
  return null;
}
