// `glasses pay` and `glasses start`: the whole flow on the firmware, against the reference wallet over
// loopback. The host only moves bytes: camera frames into the frame buffer, audio hops into the audio
// buffer, link fragments both ways, the sealed state blob to disk, HUD frames to PNG. The firmware decodes
// the code, asks the wearer, listens, checks the voice, signs and talks to the wallet.
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, statSync, chmodSync, mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO, loadBoard } from "../boards.ts";
import { openDevice, type Device } from "../engine/index.ts";
import { DeviceDriver } from "../driver.ts";
import { StateStore } from "../state-store.ts";
import { loadImage, fitFrame, walkImages, type GrayFrame } from "../camera/image.ts";
import { readWav } from "../mic/wav.ts";
import { writeFramebufferPng } from "../display/png.ts";
import { Wallet } from "../phone/wallet.ts";
import { PhoneLink } from "../phone/glasses-link.ts";
import { PhoneLinkServer } from "../phone/link-server.ts";
import { connectLoopback } from "../link/loopback.ts";
import { parseOptions, UsageError, type GlobalFlags } from "../args.ts";

const FRAME_INTERVAL_MS = 100;
const HOP = 320;   // 20 ms of 16 kHz audio per onAudio call

export interface PayOptions {
  frames: string;
  audio: string;
  enroll: string[];
  dataDir: string;
  hudDir?: string;
  board: string;
  engine: "node" | "wasmtime";
  log: (line: string) => void;
  /** the device face to run on instead of a local module (a kit over serial: host/devkit/pay-over-serial.ts) */
  openDevice?: () => Promise<Device>;
}

/** Camera frames from a folder of images, one image, or a video (ffmpeg, 10 frames/s, gray). */
export function loadFrames(input: string, maxW: number, maxH: number): GrayFrame[] {
  if (!existsSync(input)) throw new UsageError(`no such frames input: ${input}`);
  let files: string[];
  if (statSync(input).isDirectory() || /\.(png|jpe?g|pgm)$/i.test(input)) files = walkImages([input]);
  else {
    const dir = mkdtempSync(path.join(tmpdir(), "glasses-video-"));
    const r = spawnSync("ffmpeg", ["-loglevel", "error", "-i", input, "-vf", "fps=10,format=gray", path.join(dir, "f-%04d.pgm")]);
    if (r.error || r.status !== 0) throw new UsageError(`cannot read video ${input}: ${r.error ? "ffmpeg is not installed" : String(r.stderr).trim()}`);
    files = walkImages([dir]);
  }
  if (!files.length) throw new UsageError(`no images in ${input}`);
  return files.map((f) => fitFrame(loadImage(f), maxW, maxH).frame);
}

/** The device secret from the host's "secure storage" (a 0600 file here), made on first use. */
function deviceSecret(dataDir: string): Uint8Array {
  const file = path.join(dataDir, "device-secret");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return new Uint8Array(readFileSync(file));
}

export async function runPay(o: PayOptions) {
  const board = loadBoard(o.board);
  const frames = loadFrames(o.frames, board.camera.width, board.camera.height);
  const answer = readWav(o.audio).samples;
  const enrollClips = o.enroll.map((f) => readWav(f).samples);
  mkdirSync(o.dataDir, { recursive: true });
  if (o.hudDir) mkdirSync(o.hudDir, { recursive: true });

  const wallet = new Wallet({ dbPath: path.join(o.dataDir, "wallet.sqlite") });
  const phone = new PhoneLink(wallet, board.link.mtu, async (ord) => { o.log(`phone: confirm ${ord.currency} ${ord.amount} to ${ord.payee}? yes`); return true; },
    (ev, d) => o.log(`phone: ${ev} ${JSON.stringify(d)}`));
  const server = new PhoneLinkServer(phone, board.link.mtu);
  await server.listen();
  const dev = o.openDevice ? await o.openDevice() : await openDevice({ board: o.board, engine: o.engine, init: true, secret: deviceSecret(o.dataDir) });
  const sock = await connectLoopback(server.port, board.link.mtu);
  let hudCount = 0;
  const driver = new DeviceDriver(dev, sock, new StateStore(path.join(o.dataDir, "glasses-state.bin")), (e) => {
    if (e.type === "state") o.log(`glasses: ${e.from} → ${e.to}${e.reason ? ` (${e.reason})` : ""}`);
    else if (e.type === "confirm") o.log(`glasses: HUD asks "Pay ${e.currency} ${e.amount} to ${e.payee}?"${e.phone_confirm ? " (phone must confirm)" : ""}`);
    else if (e.type === "voice") o.log(`glasses: heard "yes"; owner's voice ${e.owner ? "verified" : "NOT verified"} (score ${e.score})`);
    else if (e.type === "persist") o.log(`glasses: counter persisted before signing leaves (generation ${e.generation})`);
  });
  await driver.setup();
  const stored = await driver.loadState();
  o.log(stored ? `glasses: state loaded from ${path.join(o.dataDir, "glasses-state.bin")}` : "glasses: first boot: new device key");
  let t = Date.now();

  const hud = async (tag: string) => {
    if (!o.hudDir || !(await dev.call("hudDirty"))) return;
    const bytes = Math.ceil((board.display.width * board.display.bpp) / 8) * board.display.height;
    const data = await dev.read(driver.pointer("hudBuffer"), bytes);
    const file = path.join(o.hudDir, `hud-${String(hudCount++).padStart(2, "0")}-${tag}.png`);
    writeFramebufferPng(file, { data, width: board.display.width, height: board.display.height, bpp: board.display.bpp }, { scale: board.display.bpp === 1 ? 2 : 1 });
  };
  // The session's state as the firmware last reported it (its "state" events name the states).
  const state = async (): Promise<string> => {
    await driver.pump(t);
    return [...driver.events].reverse().find((e) => e.type === "state")?.to ?? "idle";
  };

  try {
    // Pairing: the wallet learns the device key (self attestation) unless it already knows it.
    server.send(phone.beginRegistration());
    const f = await sock.next(2000);
    if (f) {
      await dev.write(driver.pointer("linkRxBuffer"), f);
      await dev.call("onLinkRx", f.length);
      await driver.pump(t, 2000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const reg = phone.record.registration;
    o.log(reg?.ok ? "phone: glasses paired (packed self attestation verified)" : `phone: pairing: ${reg?.reason ?? "no answer"}`);

    if (enrollClips.length) {
      await dev.call("enrollBegin");
      for (const clip of enrollClips) {
        await dev.write(driver.pointer("audioBuffer"), new Uint8Array(clip.buffer, clip.byteOffset, clip.byteLength));
        const st = await dev.call("enrollAdd", clip.length);
        if (st !== 0) throw new Error(`enrolment clip refused by the firmware (status ${st})`);
      }
      const st = await dev.call("enrollFinish");
      if (st !== 0) throw new Error(`enrolment failed (status ${st}): give 3–5 clips of the keyword`);
      o.log(`glasses: owner's voice enrolled from ${enrollClips.length} clips`);
    }
    await driver.saveState();

    await dev.call("payBegin", BigInt(t));
    await hud("scan");
    let shown = 0;
    for (const fr of frames) {
      await dev.write(driver.pointer("frameBuffer"), fr.data);
      const st = await dev.call("onFrame", fr.width, fr.height, fr.width, BigInt(t));
      shown++;
      await driver.pump(t, 2000);
      await hud("frame");
      t += FRAME_INTERVAL_MS;
      await dev.call("tick", BigInt(t));
      if ((await state()) !== "scanning" || st !== 0) break;
    }
    o.log(`camera: ${shown} of ${frames.length} frames shown`);
    if ((await state()) === "scanning") {
      // The frames ran out: let the firmware's own scan timeout end the session.
      t += 31_000;
      await dev.call("tick", BigInt(t));
      await driver.pump(t, 500);
    }

    if ((await state()) === "confirming") {
      // The wearer answers: a little silence, the clip, a little silence, one 20 ms hop at a time.
      const pad = new Int16Array(HOP * 15);
      const stream = new Int16Array(pad.length * 2 + answer.length);
      stream.set(answer, pad.length);
      for (let i = 0; i < stream.length; i += HOP) {
        const hop = stream.subarray(i, Math.min(stream.length, i + HOP));
        await dev.write(driver.pointer("audioBuffer"), new Uint8Array(hop.buffer, hop.byteOffset, hop.byteLength));
        await dev.call("onAudio", hop.length, BigInt(t));
        t += 20;
        await dev.call("tick", BigInt(t));
        await driver.pump(t, 3000);
        if (i % (HOP * 25) === 0) await hud("confirm");
        if (!["confirming", "verifying"].includes(await state())) break;
      }
    }
    if (["confirming", "verifying"].includes(await state())) {
      // The audio ran out without an answer: the firmware times the question out.
      t += 16_000;
      await dev.call("tick", BigInt(t));
      await driver.pump(t, 1000);
    }
    // Wait for the wallet's verdict (its own timeout applies on the glasses).
    for (let k = 0; k < 50 && ["signing", "awaiting-wallet", "verifying"].includes(await state()); k++) {
      await driver.pump(t, 200);
      t += 100;
      await dev.call("tick", BigInt(t));
    }
    await hud("result");
    const final = await state();
    const last = [...driver.events].reverse().find((e) => e.type === "state");
    const confirm = driver.events.find((e) => e.type === "confirm");
    const status = final === "done" ? "paid" : final === "cancelled" ? "cancelled" : final === "failed" ? "refused" : final;
    return {
      status,
      reason: final === "done" ? null : last?.reason ?? null,
      payee: confirm?.payee ?? null,
      amount: confirm?.amount ?? null,
      currency: confirm?.currency ?? null,
      credential: phone.record.credential ?? null,
      assertion: phone.record.assertion ?? null,
      bill: phone.record.result?.ok ? phone.record.result.bill : null,
      hud_frames: hudCount,
    };
  } finally {
    sock.close();
    await dev.close();
    await server.close();
    wallet.close();
  }
}

export async function payCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts } = parseOptions(rest, ["--frames", "--audio", "--enroll", "--data", "--hud", "--port", "--baud"]);
  if (!opts.frames || !opts.audio) throw new UsageError("pay needs --frames DIR|VIDEO and --audio WAV (and --enroll WAV,WAV,WAV the first time)");
  const result = await (opts.port ? (await import("../devkit/pay-over-serial.ts")).payOnKit(opts) : runPay)({
    frames: opts.frames, audio: opts.audio, enroll: opts.enroll ? opts.enroll.split(",").filter(Boolean) : [],
    dataDir: path.resolve(opts.data ?? path.join(process.cwd(), "data")), hudDir: opts.hud,
    board: flags.board, engine: flags.engine, log: flags.json ? () => {} : (l) => console.log(l),
  });
  console.log(flags.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
  return result.status === "paid" ? 0 : 1;
}

/** `npm start`: the demo on the shipped sample, in a fresh data folder, HUD frames under out/hud. */
export async function startCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const demo = path.join(REPO, "assets", "demo");
  const dataDir = mkdtempSync(path.join(tmpdir(), "glasses-demo-"));
  const hudDir = path.join(process.cwd(), "out", "hud");
  const enroll = [1, 2, 3].map((i) => path.join(demo, "audio", `enroll-${i}.wav`));
  console.log("glasses-pay demo: a merchant QR in front of the glasses, the owner says \"yes\"");
  console.log(`  frames ${path.relative(process.cwd(), path.join(demo, "frames"))}, voice ${path.relative(process.cwd(), path.join(demo, "audio"))} (Speech Commands, CC BY 4.0)`);
  const result = await runPay({ frames: path.join(demo, "frames"), audio: path.join(demo, "audio", "yes.wav"), enroll, dataDir, hudDir,
    board: flags.board, engine: flags.engine, log: (l) => console.log("  " + l) });
  if (flags.json) { console.log(JSON.stringify(result)); return result.status === "paid" ? 0 : 1; }
  console.log(result.status === "paid"
    ? `\npaid: ${result.currency} ${result.amount} to ${result.payee}; the wallet verified the assertion and stored bill ${result.bill!.id} (signCount ${result.bill!.signCount}, user verified ${result.bill!.userVerified})`
    : `\nnot paid: ${result.status} (${result.reason})`);
  console.log(`HUD frames: ${path.relative(process.cwd(), hudDir)}/  data: ${dataDir}`);
  return result.status === "paid" ? 0 : 1;
}
