// `glasses pay` and `glasses start`: the whole flow on the firmware, against the reference wallet over
// loopback. The host only moves bytes: camera frames into the frame buffer, audio hops into the audio
// buffer, link fragments both ways, the sealed state blob to disk, HUD frames to PNG. The firmware decodes
// the code, asks the wearer, listens, checks the voice, signs and talks to the wallet.
import { existsSync, mkdirSync, statSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO, loadBoard } from "../boards.ts";
import { openDevice, type Device } from "../engine/index.ts";
import { loadOrCreateDeviceSecret } from "../store/secret.ts";
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
import { composeAnswer, mixAt, readWordFolder } from "./consent.ts";
import { BUTTON } from "../generated/abi.ts";
import { AUDIO_HOP_SAMPLES } from "../generated/abi.ts";

const FRAME_INTERVAL_MS = 100;
const HOP = AUDIO_HOP_SAMPLES;   // 20 ms of 16 kHz audio per onAudio call

/** What the simulated wearer does when the HUD asks: say the code it reads, say "no", or stay silent. */
export type WearerAnswer = "code" | "no" | "silent";

export interface PayOptions {
  frames: string;
  /** The simulated wearer's recordings, DIR/<word>/*.wav: it says the code it reads off the confirm event. */
  wearer: string;
  wearerSays?: WearerAnswer;
  /** Other audio mixed into the microphone stream at snrDb (speech over ambient). */
  ambient?: string;
  snrDb?: number;
  /** The owner's enrolment recordings, DIR/<word>/*.wav (every code word), used when no owner is enrolled yet. */
  enroll?: string;
  dataDir: string;
  hudDir?: string;
  phoneName?: string;
  board: string;
  engine: "node" | "wasmtime";
  log: (line: string) => void;
  /** the device face to run on instead of a local module (a kit over serial: host/devkit/pay-over-serial.ts) */
  openDevice?: () => Promise<Device>;
  /** tests only: a repeatable random source for the firmware (the same codes every run; engine/entropy.ts) */
  entropySeed?: string;
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

/** The device secret from the host's "secure storage": host/store/secret.ts (atomic, fsynced, 0600 in 0700). */
function deviceSecret(dataDir: string): Uint8Array {
  return new Uint8Array(loadOrCreateDeviceSecret(dataDir));
}

/** The simulated wearer: their recordings per word, used in turn so repeated words are different takes. */
class Wearer {
  private clips = new Map<string, Int16Array[]>();
  private used = new Map<string, number>();
  constructor(dir: string) {
    for (const [w, files] of readWordFolder(dir)) this.clips.set(w, files.map((f) => readWav(f).samples));
    if (this.clips.size === 0) throw new UsageError(`${dir}: no recordings (need DIR/<word>/*.wav)`);
  }
  has(word: string): boolean { return this.clips.has(word); }
  take(word: string): Int16Array {
    const list = this.clips.get(word);
    if (!list) throw new UsageError(`the wearer has no recording of "${word}" (add ${word}/*.wav to the wearer folder)`);
    const k = this.used.get(word) ?? 0;
    this.used.set(word, k + 1);
    return list[k % list.length];
  }
}

const FAILED_TO_START = "pay refuses to start without an enrolled owner: give --enroll DIR (DIR/<word>/*.wav with every code word)";

export async function runPay(o: PayOptions) {
  const board = loadBoard(o.board);
  const frames = loadFrames(o.frames, board.camera.width, board.camera.height);
  const wearer = new Wearer(o.wearer);
  const says: WearerAnswer = o.wearerSays ?? "code";
  if (says === "no" && !wearer.has("no") && !wearer.has("stop")) throw new UsageError(`${o.wearer}: no recordings of "no" or "stop" for --wearer-says no`);
  const ambient = o.ambient ? readWav(o.ambient).samples : null;
  const snrDb = o.snrDb ?? 10;
  mkdirSync(o.dataDir, { recursive: true });
  if (o.hudDir) mkdirSync(o.hudDir, { recursive: true });

  const wallet = new Wallet({ dbPath: path.join(o.dataDir, "wallet.sqlite") });
  const phone = new PhoneLink(wallet, board.link.mtu, async (ord) => { o.log(`phone: confirm ${ord.currency} ${ord.amount} to ${ord.payee}? yes`); return true; },
    (ev, d) => o.log(`phone: ${ev} ${JSON.stringify(d)}`));
  const server = new PhoneLinkServer(phone, board.link.mtu);
  await server.listen();
  const dev = o.openDevice ? await o.openDevice() : await openDevice({ board: o.board, engine: o.engine, init: true, secret: deviceSecret(o.dataDir), entropySeed: o.entropySeed });
  const sock = await connectLoopback(server.port, board.link.mtu);
  let hudCount = 0;
  const driver = new DeviceDriver(dev, sock, new StateStore(path.join(o.dataDir, "glasses-state.bin")), (e) => {
    if (e.type === "state") o.log(`glasses: ${e.from} → ${e.to}${e.reason ? ` (${e.reason})` : ""}`);
    else if (e.type === "confirm") o.log(`glasses: HUD asks (${e.what}, attempt ${e.attempt}): ${describeAsk(e)}; say "${e.code.join(" ")}"` +
      (e.confirm_by === "button" ? " (first pairing: press the confirm button)" : ""));
    else if (e.type === "heard") o.log(`glasses: heard "${e.word}" (score ${e.score})`);
    else if (e.type === "consent") o.log(`glasses: consent ${e.result}${e.reason && e.reason !== e.result ? ` (${e.reason})` : ""}`);
    else if (e.type === "persist") o.log(`glasses: state persisted before anything signed leaves (generation ${e.generation})`);
    else if (e.type === "no_link" || e.type === "disabled" || e.type === "quick_pay_off") o.log(`glasses: ${e.message}`);
  });
  await driver.setup();
  const stored = await driver.loadState();
  o.log(stored ? `glasses: state loaded from ${path.join(o.dataDir, "glasses-state.bin")}` : "glasses: first boot: new device key");
  let t = Date.now();
  const enrolled = (await dev.call("ownerEnrolled")) === 1;
  if (!enrolled && !o.enroll) {
    sock.close(); await dev.close(); await server.close(); wallet.close();
    throw new UsageError(FAILED_TO_START);
  }

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
  const confirms = () => driver.events.filter((e) => e.type === "confirm");

  /**
   * The wearer answers the question on the HUD, one 20 ms hop at a time: the code read off the latest confirm
   * event (or "no", or silence), with ambient audio mixed in. A new confirm event (a new code after a
   * failure) is answered again; silence follows until the firmware decides or times out.
   */
  const answer = async () => {
    let answered = 0, offset = 0;
    for (let guard = 0; guard < 100 && (await state()) === "confirming"; guard++) {
      const asks = confirms();
      let speech: Int16Array;
      if (asks.length > answered) {
        const ask = asks[asks.length - 1];
        answered = asks.length;
        const words = says === "code" ? ask.code.map((w: string) => wearer.take(w)) : says === "no" ? [wearer.take(wearer.has("no") ? "no" : "stop")] : [];
        speech = words.length ? composeAnswer(words) : new Int16Array(HOP * 50);
      } else speech = new Int16Array(HOP * 50);   // a second of silence while the firmware decides
      const stream = ambient ? mixAt(speech, ambient, snrDb, offset) : speech;
      offset += stream.length;
      for (let i = 0; i < stream.length; i += HOP) {
        const hop = stream.subarray(i, Math.min(stream.length, i + HOP));
        await dev.write(driver.pointer("audioBuffer"), new Uint8Array(hop.buffer, hop.byteOffset, hop.byteLength));
        await dev.call("onAudio", hop.length, BigInt(t));
        t += 20;
        await dev.call("tick", BigInt(t));
        await driver.pump(t, 3000);
        if (i % (HOP * 25) === 0) await hud("confirm");
        if ((await state()) !== "confirming" || confirms().length > answered) break;
      }
    }
  };

  try {
    // Pairing, when these glasses are not paired yet: the wearer opens pairing mode, compares the code the
    // phone shows with the HUD, and confirms on the glasses.
    t += 10;
    if ((await dev.call("pairBegin", BigInt(t))) === 0) {
      server.send(phone.beginRegistration(o.phoneName ?? "Reference wallet"));
      const f = await sock.next(2000);
      if (f) {
        await dev.write(driver.pointer("linkRxBuffer"), f);
        await dev.call("onLinkRx", f.length);
        await driver.pump(t, 500);
        await new Promise((r) => setTimeout(r, 20));
        await driver.pump(t, 0);
      }
      const ask = confirms().at(-1);
      if (ask?.what === "pairing") {
        o.log(`phone: shows pairing code ${phone.record.pairing?.comparison ?? "?"}; the glasses show ${ask.comparison}`);
        t += 1500;
        if (ask.confirm_by === "button") await dev.call("onButton", BUTTON.CONFIRM, BigInt(t));
        else await answer();
        await driver.pump(t, 2000);
        await new Promise((r) => setTimeout(r, 20));
        await driver.pump(t, 0);
      }
      const reg = phone.record.registration;
      o.log(reg?.ok ? "phone: glasses paired (packed self attestation verified)" : `phone: pairing: ${reg?.reason ?? "no answer"}`);
    } else o.log("glasses: already paired");

    if (!enrolled) {
      const folder = readWordFolder(o.enroll!);
      if ((await dev.call("enrollBegin")) !== 0) throw new Error("the glasses refused enrolment (enrolment follows pairing, on glasses without an owner)");
      let n = 0;
      for (const [word, files] of folder) {
        const name = new TextEncoder().encode(word);
        await dev.write(driver.pointer("frameBuffer"), name);
        const idx = await dev.call("codeWordIndexOf", name.length);
        for (const file of files) {
          const clip = readWav(file).samples.subarray(0, 32000);
          await dev.write(driver.pointer("audioBuffer"), new Uint8Array(clip.buffer, clip.byteOffset, clip.byteLength));
          const st = await dev.call("enrollAdd", clip.length, idx);
          if (st !== 0) throw new Error(`enrolment clip ${file} refused by the firmware (status ${st})`);
          n++;
        }
      }
      const st = await dev.call("enrollFinish");
      if (st !== 0) throw new UsageError(`enrolment failed (status ${st}): ${o.enroll} needs at least one clip of every code word`);
      o.log(`glasses: owner's voice enrolled from ${n} clips of ${[...folder.keys()].join(", ")}`);
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
    const payAsk = confirms().filter((e) => e.what === "payment").at(-1);
    if ((await state()) === "confirming") await answer();
    // Wait for the wallet's verdict (its own timeout applies on the glasses).
    for (let k = 0; k < 50 && ["signing", "awaiting-wallet", "verifying"].includes(await state()); k++) {
      await driver.pump(t, 200);
      t += 100;
      await dev.call("tick", BigInt(t));
    }
    await hud("result");
    const final = await state();
    const last = [...driver.events].reverse().find((e) => e.type === "state");
    const status = final === "done" ? "paid" : final === "cancelled" ? "cancelled" : final === "failed" ? "refused" : final;
    return {
      status,
      reason: final === "done" ? null : last?.reason ?? null,
      payee: payAsk?.payee ?? null,
      account: payAsk?.account || null,
      amount: payAsk?.amount ?? null,
      currency: payAsk?.currency ?? null,
      codes: confirms().filter((e) => e.what === "payment").map((e) => e.code.join(" ")),
      consent: driver.events.filter((e) => e.type === "consent").at(-1) ?? null,
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

function describeAsk(e: any): string {
  if (e.what === "payment") return `pay ${e.currency} ${e.amount} to ${e.payee}${e.account ? ` (${e.account})` : ""}${e.phone_confirm ? ", then confirm on the phone" : ""}`;
  if (e.what === "pairing") return `${e.action} ${e.phone}${e.comparison ? `, comparison code ${e.comparison}` : ""}`;
  if (e.what === "mandate") return `mandate for ${e.agent}: ${e.currency} ${e.per_payment} each, ${e.budget} in all, payees ${e.payees.join(", ")}`;
  if (e.what === "policy") return `${e.currency} quick pay ${e.quick}, daily cap ${e.cap}`;
  return e.what;
}

const PAY_USAGE = "usage: glasses pay --frames DIR|VIDEO --wearer DIR [--wearer-says no | --wearer-silent] [--ambient WAV --snr DB]\n" +
  "                   [--enroll DIR] [--data DIR] [--hud DIR] [--phone-name NAME] [--port PATH [--baud N]]\n" +
  "  --port PATH      run the flow on a dev kit (or `glasses devkit`) over serial; --baud default 115200\n" +
  "  --wearer DIR     the simulated wearer's recordings, DIR/<word>/*.wav; it reads the code off the HUD's confirm event\n" +
  "  --enroll DIR     enrol the owner from DIR/<word>/*.wav (every code word) when the data folder has no owner yet\n" +
  "  --ambient WAV    audio mixed into the microphone at --snr DB (default 10) under the wearer's speech";

export async function payCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  const { opts, on } = parseOptions(rest, ["--frames", "--wearer", "--wearer-says", "--ambient", "--snr", "--enroll", "--data", "--hud", "--phone-name", "--port", "--baud"],
    ["--wearer-silent", "--help"]);
  if (on.has("help")) { console.log(PAY_USAGE); return 0; }
  if (!opts.frames || !opts.wearer) throw new UsageError(PAY_USAGE);
  if (opts["wearer-says"] && opts["wearer-says"] !== "no") throw new UsageError("--wearer-says takes \"no\" (the wearer refuses); without it the wearer says the code");
  if (opts.snr !== undefined && !Number.isFinite(Number(opts.snr))) throw new UsageError(`--snr ${opts.snr}: give a number of dB`);
  if (opts.snr !== undefined && !opts.ambient) throw new UsageError("--snr needs --ambient WAV");
  const result = await (opts.port ? (await import("../devkit/pay-over-serial.ts")).payOnKit(opts, runPay) : runPay)({
    frames: opts.frames, wearer: opts.wearer, wearerSays: on.has("wearer-silent") ? "silent" : opts["wearer-says"] === "no" ? "no" : "code",
    ambient: opts.ambient, snrDb: opts.snr !== undefined ? Number(opts.snr) : undefined, enroll: opts.enroll, phoneName: opts["phone-name"],
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
  console.log("glasses-pay demo: a merchant QR in front of the glasses; the owner reads the code on the HUD aloud");
  console.log(`  frames ${path.relative(process.cwd(), path.join(demo, "frames"))}, wearer ${path.relative(process.cwd(), path.join(demo, "wearer"))} ` +
    `(one Speech Commands speaker, CC BY 4.0; enrolled from ${path.relative(process.cwd(), path.join(demo, "enroll"))})`);
  const result = await runPay({ frames: path.join(demo, "frames"), wearer: path.join(demo, "wearer"), enroll: path.join(demo, "enroll"), dataDir, hudDir,
    board: flags.board, engine: flags.engine, log: (l) => console.log("  " + l) });
  if (flags.json) { console.log(JSON.stringify(result)); return result.status === "paid" ? 0 : 1; }
  console.log(result.status === "paid"
    ? `\npaid: ${result.currency} ${result.amount} to ${result.payee}; the wallet verified the assertion and stored bill ${result.bill!.id} (signCount ${result.bill!.signCount}, user verified ${result.bill!.userVerified})`
    : `\nnot paid: ${result.status} (${result.reason})`);
  console.log(`HUD frames: ${path.relative(process.cwd(), hudDir)}/  data: ${dataDir}`);
  return result.status === "paid" ? 0 : 1;
}
