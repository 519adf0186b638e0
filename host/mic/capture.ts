// Live microphone capture through ALSA's `arecord` (apt: alsa-utils) when the machine has it:
// 16 kHz mono S16_LE raw PCM, delivered in chunks as Int16Array.
import { spawn, spawnSync } from "node:child_process";

export function hasArecord(): boolean {
  const r = spawnSync("arecord", ["--version"], { stdio: "ignore" });
  return !r.error && r.status === 0;
}

export interface Capture { stop(): void; done: Promise<void> }

/** Starts capturing; onChunk gets whole samples as they arrive. `seconds` 0 = until stop(). */
export function captureArecord(onChunk: (pcm: Int16Array) => void | Promise<void>, opts: { seconds?: number; device?: string } = {}): Capture {
  if (!hasArecord()) throw new Error("live capture needs `arecord` (apt-get install alsa-utils) and a capture device");
  const args = ["-q", "-f", "S16_LE", "-r", "16000", "-c", "1", "-t", "raw"];
  if (opts.seconds) args.push("-d", String(Math.ceil(opts.seconds)));
  if (opts.device) args.push("-D", opts.device);
  const proc = spawn("arecord", args, { stdio: ["ignore", "pipe", "pipe"] });
  let carry = Buffer.alloc(0);
  let err = "";
  let chain = Promise.resolve();
  proc.stdout!.on("data", (b: Buffer) => {
    const all = Buffer.concat([carry, b]);
    const whole = all.length & ~1;
    carry = all.subarray(whole);
    const pcm = new Int16Array(whole / 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = all.readInt16LE(i * 2);
    chain = chain.then(() => onChunk(pcm));
  });
  proc.stderr!.on("data", (b: Buffer) => { err += b.toString(); });
  const done = new Promise<void>((resolve, reject) => {
    proc.on("error", reject);
    proc.on("close", (code, signal) => {
      chain.then(() => (code === 0 || signal === "SIGTERM" || signal === "SIGINT" ? resolve() : reject(new Error(`arecord failed (${code}): ${err.trim()}`))));
    });
  });
  return { stop: () => proc.kill("SIGTERM"), done };
}
