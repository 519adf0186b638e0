// A virtual serial cable: socat joins two ptys; one end for the kit, the other for a client.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";

export interface PtyPair { a: string; b: string; proc: ChildProcess; close: () => Promise<void> }

/** Starts `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and waits for both links. */
export async function ptyPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  const proc = spawn("socat", [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ["ignore", "ignore", "pipe"] });
  let failed: Error | null = null;
  proc.on("error", (e) => { failed = new Error(`cannot start socat (apt-get install socat): ${e.message}`); });
  const until = Date.now() + timeoutMs;
  while (!(existsSync(a) && existsSync(b))) {
    if (failed) throw failed;
    if (proc.exitCode !== null) throw new Error(`socat exited with ${proc.exitCode}`);
    if (Date.now() > until) { proc.kill(); throw new Error(`socat made no ptys within ${timeoutMs} ms`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  const close = () => new Promise<void>((r) => { if (proc.exitCode !== null || proc.signalCode) return r(); proc.once("exit", () => r()); proc.kill(); });
  return { a, b, proc, close };
}

export const ptyName = (link: string) => (existsSync(link) ? realpathSync(link) : link);
