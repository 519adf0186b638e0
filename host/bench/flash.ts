// `npm run bench -- flash`: SMP upload throughput over a pty against the line-rate limit, and the time from
// `flash` to a confirmed, running image. The kit runs in its own process with --line-rate, so bytes take
// the time a UART at that baud would give them (ptys alone are instant); the limit is computed from the
// exact bytes the upload puts on the wire (SMP header, CBOR, length+CRC, base64, line framing).
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO } from "../boards.ts";
import { resolveWasm } from "../engine/index.ts";
import { buildImage, parseVersion } from "../flash/image.ts";
import { flashImage, uploadImage, type Step } from "../flash/flash.ts";
import { KitSession } from "../flash/session.ts";
import { ptyPair } from "../devkit/pty.ts";
import { encodeConsolePacket } from "../serial/console-framing.ts";
import { encodeCbor, encodeSmp, GROUP, IMG_CMD, OP } from "../serial/smp.ts";
import { SMP_BUF_SIZE } from "../devkit/smp-server.ts";
import { runPay } from "../commands/pay.ts";
import { runPayOverSerial } from "../devkit/pay-over-serial.ts";
import type { BenchOptions } from "./index.ts";

/** Bytes the client writes for a whole upload, chunked as uploadImage chunks it. */
function wireBytes(file: Uint8Array): number {
  const chunk = Math.max(64, SMP_BUF_SIZE - 8 - 96);
  let n = 0, seq = 0;
  for (let off = 0; off < file.length; off += chunk) {
    const req: Record<string, any> = { image: 0, off, data: file.subarray(off, off + chunk) };
    if (off === 0) Object.assign(req, { len: file.length, sha: new Uint8Array(32), upgrade: true });
    n += encodeConsolePacket(encodeSmp({ version: 1, op: OP.WRITE, group: GROUP.IMAGE, seq: seq++ & 0xff, id: IMG_CMD.UPLOAD }, encodeCbor(req))).length;
  }
  return n;
}

async function startKit(dir: string, baud: number, keyFile: string, factory: string, lineRate: boolean): Promise<{ proc: ChildProcess; host: string; stop: () => Promise<void> }> {
  const cable = await ptyPair(path.join(dir, "tty-kit"), path.join(dir, "tty-host"));
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "host", "cli.ts"), "devkit", "--board", "desktop", "--port", cable.a,
    "--data", path.join(dir, "flash"), "--baud", String(baud), "--trust", keyFile, "--image", factory, "--idle-ms", "30000", ...(lineRate ? ["--line-rate"] : [])],
  { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, GLASSES_NO_AUTOBUILD: "1" } });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`kit did not come up: ${out}`)), 60_000);
    proc.stdout!.on("data", (b) => { out += b; if (/app: running/.test(out)) { clearTimeout(t); resolve(); } });
    proc.on("exit", (c) => reject(new Error(`kit exited with ${c}: ${out}`)));
  });
  return { proc, host: cable.b, stop: async () => { proc.kill("SIGTERM"); await new Promise((r) => proc.once("exit", r)); await cable.close(); } };
}

export async function benchFlash(o: BenchOptions) {
  const dir = mkdtempSync(path.join(tmpdir(), "glasses-bench-flash-"));
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const keyFile = path.join(dir, "key.pem");
  writeFileSync(keyFile, String(privateKey.export({ type: "pkcs8", format: "pem" })), { mode: 0o600 });
  const fw = readFileSync(resolveWasm({ board: "desktop" }));
  const factory = path.join(dir, "v1.img");
  writeFileSync(factory, buildImage(fw, "desktop", parseVersion("1.0.0"), privateKey));
  const full = buildImage(fw, "desktop", parseVersion("1.1.0"), privateKey);
  // At 115200 a whole module takes most of a minute: a 64 KiB image measures the same rate.
  const small = buildImage(fw.subarray(0, 64 * 1024), "desktop", parseVersion("1.1.0"), privateKey);
  const rows: any[] = [];
  const log = (s: string) => { if (!o.json) console.log(s); };
  log("flash: SMP image upload over a pty, kit pacing bytes at the baud rate (10 bits/byte)");
  log("  baud     image    payload B/s  limit B/s  of limit  raw line B/s");
  for (const [baud, img, lineRate] of [[115200, small, true], [921600, full, true], [921600, full, false]] as const) {
    const d = mkdtempSync(path.join(dir, "kit-"));
    const kit = await startKit(d, baud, keyFile, factory, lineRate);
    const s = await KitSession.open({ port: kit.host, baud, timeoutMs: 10_000, reconnectMs: 5000 });
    try {
      await s.waitForKit(10_000);
      const t0 = process.hrtime.bigint();
      await uploadImage(s, img, () => {}, () => {});
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const wire = wireBytes(img);
      const rate = img.length / secs;
      const limit = lineRate ? img.length / ((wire * 10) / baud) : null;
      rows.push({ baud, line_rate_paced: lineRate, image_bytes: img.length, wire_bytes: wire, seconds: +secs.toFixed(3), payload_bytes_per_s: Math.round(rate),
        limit_bytes_per_s: limit && Math.round(limit), fraction_of_limit: limit && +(rate / limit).toFixed(3), raw_line_bytes_per_s: baud / 10 });
      log(`  ${String(baud).padEnd(7)}  ${String(img.length).padEnd(7)}  ${String(Math.round(rate)).padStart(11)}  ${String(limit ? Math.round(limit) : "-").padStart(9)}  ${limit ? ((100 * rate) / limit).toFixed(1).padStart(7) + "%" : "   (pty)"}  ${baud / 10}`);
    } finally { await s.close(); await kit.stop(); }
  }
  const flashes: any[] = [];
  for (const lineRate of [true, false]) {
    const d = mkdtempSync(path.join(dir, "kit-"));
    const kit = await startKit(d, 921600, keyFile, factory, lineRate);
    const s = await KitSession.open({ port: kit.host, baud: 921600, timeoutMs: 10_000, reconnectMs: 5000 });
    try {
      await s.waitForKit(10_000);
      const at: Record<string, number> = {};
      const t0 = Date.now();
      await flashImage(s, full, { confirm: true, bootWaitMs: 60_000, onProgress: () => {}, onStep: (st: Step) => { at[st.step] = (Date.now() - t0) / 1000; } });
      flashes.push({ baud: 921600, line_rate_paced: lineRate, image_bytes: full.length, to_confirmed_s: at.done, upload_done_s: at.upload,
        reset_to_running_s: +(at.running - at.reset).toFixed(3) });
    } finally { await s.close(); await kit.stop(); }
  }
  log("flash → confirmed, running image (921600 baud, whole module):");
  for (const f of flashes) log(`  ${f.line_rate_paced ? "paced" : "pty  "}  ${f.to_confirmed_s.toFixed(2)} s (upload ${f.upload_done_s.toFixed(2)} s, reset → self-test passed → running ${f.reset_to_running_s.toFixed(2)} s)`);
  // The demo payment, local module vs the kit over a bare pty (device face over SMP group 64).
  const demo = path.join(REPO, "assets", "demo");
  const payOpts = (tag: string) => ({ frames: path.join(demo, "frames"), wearer: path.join(demo, "wearer"),
    enroll: path.join(demo, "enroll"), dataDir: mkdtempSync(path.join(dir, tag)), board: "desktop", log: () => {} });
  let t = Date.now();
  const local = await runPay({ ...payOpts("pay-local-"), engine: "node" });
  const localS = (Date.now() - t) / 1000;
  const d = mkdtempSync(path.join(dir, "kit-"));
  const kit = await startKit(d, 921600, keyFile, factory, false);
  let kitS: number, kitStatus: string;
  try {
    t = Date.now();
    const r = await runPayOverSerial({ ...payOpts("pay-kit-"), port: kit.host, baud: 921600, timeoutMs: 60_000 }, runPay);
    kitS = (Date.now() - t) / 1000; kitStatus = r.status;
  } finally { await kit.stop(); }
  const pay = { local_node_s: +localS.toFixed(2), local_status: local.status, kit_over_pty_s: +kitS.toFixed(2), kit_status: kitStatus };
  log(`pay (demo sample): local module ${pay.local_node_s} s (${pay.local_status}), on the kit over a bare pty ${pay.kit_over_pty_s} s (${pay.kit_status})`);
  return { suite: "flash", smp_buf_size: SMP_BUF_SIZE, upload: rows, flash_to_confirmed: flashes, pay };
}
