// `npm run bench -- mcu`: the MCU board's work under every engine, side by side: Node (V8), wasmtime
// (with fuel: one unit per executed wasm instruction, deterministic), WAMR fast interpreter, WAMR classic
// interpreter, and WAMR AOT (x86_64 image from wamrc, when wamrc is built). Each figure is a difference of
// two command-face runs (N items minus 1 item, or a signature minus `version`), so process start-up and
// module loading cancel out, and every engine runs exactly the same work. N is large (400 frames, 100 s of audio;
// --quick, which times nothing it checks: 12 and 2) because under AOT a frame takes 0.1-0.3 ms and a second of
// audio about 1.3 ms, while starting iwasm on the AOT image takes about 45 ms and varies by several ms from run to
// run: with 12 frames the AOT frame figures came out anywhere from 0 to 0.38 ms. The signature, one per run, is
// still below that jitter under AOT (its row reads 0 there):
//   a QVGA frame with a code, one without, a noise frame, a blank frame; one second of 16 kHz audio
//   through the voice pipeline (the `listen` command's front end + keyword spotter); one signature.
// It prints ms per item and host ns per fuel unit, the AOT image sizes for Cortex-M7 and RV32, the peak
// linear memory per board, and the budgets re-derived from these figures (scripts/wamr/derive.ts).
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { REPO, listBoards, loadBoard, wasmPath } from "../boards.ts";
import { ensureBuilt } from "../build.ts";
import { runNode } from "../engine/node.ts";
import { runWasmtime, wasmtimePythonProblem } from "../engine/wasmtime.ts";
import { loadImage, fitFrame, encodePgm, decodePgm } from "../camera/image.ts";
import { buildVariant, isBuilt } from "../wamr/build.ts";
import { runIwasm } from "../wamr/iwasm.ts";
import { aotImage } from "../wamr/aot.ts";
import { peakPages } from "../wamr/peak.ts";
import { deriveBudgets, hostMhz } from "../wamr/derive.ts";
import type { BenchOptions } from "./index.ts";
import { openPairedDevice } from "./paired-device.ts";
import { SESSION_STATE_NAMES, STATUS } from "../generated/abi.ts";

/** A timed item: N of it (`many`) minus one (`one`), and the exit status every engine must end both runs with. */
interface Work { name: string; many: string[]; one: string[]; count: number; exit: number }

function prepare(dir: string, w: number, h: number, quick: boolean): Work[] {
  const demo = path.join(REPO, "assets", "demo");
  const fit = (p: string) => encodePgm(fitFrame(loadImage(p), w, h).frame);
  writeFileSync(path.join(dir, "code.pgm"), fit(path.join(demo, "frames", "frame-07.png")));
  writeFileSync(path.join(dir, "nocode.pgm"), fit(path.join(demo, "frames-nocode", "frame-00.png")));
  let s = 0x2545f491; // fixed seed: the same noise frame every run
  const noise = new Uint8Array(w * h).map(() => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24));
  writeFileSync(path.join(dir, "noise.pgm"), encodePgm({ width: w, height: h, data: noise }));
  writeFileSync(path.join(dir, "blank.pgm"), encodePgm({ width: w, height: h, data: new Uint8Array(w * h).fill(128) }));
  copyFileSync(path.join(demo, "audio", "yes.wav"), path.join(dir, "second.wav")); // 16000 samples: 1 s
  const key = createHash("sha256").update("mcu bench key").digest("hex");
  const N = quick ? 12 : 400, S = quick ? 2 : 100;   // frames, seconds of audio
  const frames = (f: string, exit: number): Work => ({ name: `QVGA ${f.replace(".pgm", "")} frame`, many: ["scan", ...Array(N + 1).fill(f)], one: ["scan", f], count: N, exit });
  const none = STATUS.E_QR_NOT_FOUND;   // what `scan` exits with when no frame holds a code
  return [
    frames("code.pgm", 0), frames("nocode.pgm", none), frames("noise.pgm", none), frames("blank.pgm", none),
    { name: "1 s audio (voice pipeline)", many: ["listen", ...Array(S + 1).fill("second.wav")], one: ["listen", "second.wav"], count: S, exit: 0 },
    { name: "P-256 signature", many: ["crypto", "sign", "--key", key, "--msg", "00112233", "--low-s"], one: ["version"], count: 1, exit: 0 },
  ];
}

type Engine = "node" | "wasmtime" | "iwasm-fast" | "iwasm-classic" | "wamr-aot";

/** One timed run; a run that ends otherwise than `exit` (a trap, a missing file) would time an error, so it throws. */
function timeRun(engine: Engine, module: string, args: string[], dir: string, exit: number): { ms: number; fuel?: number } {
  const t0 = process.hrtime.bigint();
  const mode = engine === "iwasm-classic" ? "classic" : "fast"; // the fast build also loads AOT images
  const r = engine === "node" ? runNode(module, args, { [dir]: "." })
    : engine === "wasmtime" ? runWasmtime(module, args, { [dir]: "." }, true)
    : runIwasm(mode, module, args, dir);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.code !== exit) throw new Error(`mcu: glasses ${args[0]} exited ${r.code} under ${engine}, not ${exit}: ${r.stderr.trim().slice(0, 300)}`);
  return { ms, fuel: "fuel" in r ? r.fuel : undefined };
}

const min = (a: number[]) => Math.min(...a);

/** Fuel of the device face's own work on glasses that are paired and have an owner (the demo payment run
 *  once on this board sets them up): onFrame while scanning (blank, noise, no code, then the code), then one
 *  second of audio in 20 ms hops while the glasses ask (the live voice pipeline). Throws when the session is
 *  not where the figure needs it (an unpaired device answers in a few dozen fuel and would pass for fast). */
async function deviceFuel(board: string, dir: string): Promise<Record<string, number>> {
  const { dev, driver } = await openPairedDevice(board, dir);
  const out: Record<string, number> = {};
  try {
    if ((await dev.call("payBegin", 0n)) !== 0) throw new Error("mcu: the glasses refused to start a payment");
    let t = 0;
    for (const f of ["blank", "noise", "nocode", "code"]) {
      const fr = decodePgm(readFileSync(path.join(dir, `${f}.pgm`)));
      await dev.write(await dev.call("frameBuffer"), fr.data);
      await dev.call("onFrame", fr.width, fr.height, fr.width, BigInt((t += 100)));
      out[`frame_${f}`] = dev.lastFuel()!;
      await driver.pump(t);
    }
    const asking = await dev.call("payState");
    if (SESSION_STATE_NAMES[asking] !== "confirming") throw new Error(`mcu: after the code frame the glasses are in state ${asking}, not asking`);
    // One second of quiet noise (no keyword, so the session keeps asking and the pipeline runs every hop).
    let seed = 777, audio = 0, worst = 0;
    const hop = new Int16Array(320);
    for (let k = 0; k < 50; k++) {
      for (let i = 0; i < 320; i++) hop[i] = ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 22) - 512;
      await dev.write(await dev.call("audioBuffer"), new Uint8Array(hop.buffer));
      await dev.call("onAudio", 320, BigInt((t += 20)));
      audio += dev.lastFuel()!;
      worst = Math.max(worst, dev.lastFuel()!);
    }
    if ((await dev.call("payState")) !== asking) throw new Error("the session stopped asking during the audio second: the figure would not be the live pipeline's");
    out.audio_1s = audio;
    out.audio_worst_hop = worst;
  } finally {
    await dev.close();
  }
  return out;
}

export async function benchMcu(opts: BenchOptions) {
  const board = opts.board && loadBoard(opts.board).cpu.class === "mcu" ? opts.board : "mcu-s3";
  const b = loadBoard(board);
  ensureBuilt(board);
  const wasm = wasmPath(board);
  buildVariant("fast");
  buildVariant("classic");
  const dir = mkdtempSync(path.join(tmpdir(), "glasses-bench-mcu-"));
  const work = prepare(dir, b.camera.width, b.camera.height, !!opts.quick);
  const log = (s: string) => { if (!opts.json) process.stderr.write(s + "\n"); };

  const aot = isBuilt("wamrc") ? aotImage(wasm, board, "x86_64") : null;
  const engines: [Engine, string][] = [["node", wasm], ["iwasm-fast", wasm], ["iwasm-classic", wasm]];
  if (aot) engines.push(["wamr-aot", aot.file]);
  const hasWasmtime = wasmtimePythonProblem() === null;
  if (hasWasmtime) engines.splice(1, 0, ["wasmtime", wasm]);
  if (!aot) log("mcu: wamrc is not built (node --import tsx scripts/wamr/build.ts wamrc, ~10 min): no AOT column");

  const rows: any[] = [];
  for (const w of work) {
    const row: any = { work: w.name, count: w.count };
    let fuel: number | undefined;
    for (const [e, mod] of engines) {
      log(`mcu: ${w.name} under ${e}`);
      const reps = e === "wasmtime" ? 1 : e === "iwasm-classic" ? 2 : 5;
      const many = Array.from({ length: reps }, () => timeRun(e, mod, w.many, dir, w.exit));
      const one = Array.from({ length: reps }, () => timeRun(e, mod, w.one, dir, w.exit));
      row[`${e}_ms`] = +(Math.max(0, min(many.map((r) => r.ms)) - min(one.map((r) => r.ms))) / w.count).toFixed(2);
      if (e === "wasmtime") fuel = Math.round((many[0].fuel! - one[0].fuel!) / w.count);
    }
    if (fuel !== undefined) {
      row.fuel = fuel;
      for (const [e] of engines) row[`${e}_ns_per_fuel`] = +((row[`${e}_ms`] * 1e6) / fuel).toFixed(3);
    }
    rows.push(row);
  }

  log("mcu: device-face fuel (wasmtime): frames while scanning, live audio while asking");
  const live = hasWasmtime ? await deviceFuel(board, dir) : null;

  const images: Record<string, number | null> = {};
  for (const t of ["thumbv7em", "thumbv7em-xip", "riscv32", "riscv32-xip"]) images[t] = isBuilt("wamrc") ? aotImage(wasm, board, t)!.bytes : null;
  const memory = listBoards().map((id) => ({ board: id, ...peakPages(id) }));
  const derived = deriveBudgets(b, rows, live, images, memory.find((m) => m.board === board)!);

  if (!opts.json) {
    console.log(`mcu: ${board} module (${readFileSync(wasm).length} bytes) under each engine; ms per item, host ns per fuel unit (host ${hostMhz()} MHz)`);
    console.table(rows);
    if (live) { console.log("device-face fuel (the live path, wasmtime):"); console.table(live); }
    console.log("AOT image bytes:", images);
    console.table(memory);
    console.log(derived.text);
  }
  return { suite: "mcu", board, host_mhz: hostMhz(), engines: engines.map(([e]) => e), rows, device_fuel: live, aot_bytes: images, memory, derived };
}
