// Budgets for a WAMR AOT board from measured figures (host/bench/mcu.ts) and published ones.
//
// Measured here: host nanoseconds per wasmtime fuel unit under WAMR AOT (x86_64 image) for each work item,
// and the fuel of each item. Published (cited in the derivation text):
//   [1] Espressif, ESP32-S3 Series Datasheet: one LX7 core at 240 MHz scores 613.86 CoreMark = 2.56 CoreMark/MHz.
//   [2] WAMR wiki "Performance" (bytecodealliance/wasm-micro-runtime): CoreMark under WAMR AOT reaches 0.79 of
//       GCC -O3 on x86-64; on a Cortex-M7 (nucleo_f767zi, Zephyr) AOT runs 19-30x faster than wasm3, and the
//       fast interpreter 1.3-2.0x faster than the classic one.
//   [3] Wallentowitz, Kersting, Dumitriu, "Potential of WebAssembly for Embedded Systems" (2024,
//       arXiv:2405.09213): AOT-compiled wasm on embedded targets runs at about half of native speed.
// Assumed (not measured here): the x86 host core's native work per clock, HOST_COREMARK_PER_MHZ.
// MCU cycles per fuel unit = host AOT cycles per fuel × (host CoreMark/MHz ÷ MCU CoreMark/MHz)
//                            × (AOT efficiency on x86 ÷ AOT efficiency on MCUs)
import { readFileSync } from "node:fs";
import type { Board } from "../boards.ts";

export const MCU_COREMARK_PER_MHZ = 2.56;   // [1]
export const AOT_EFFICIENCY_X86 = 0.79;     // [2]
export const AOT_EFFICIENCY_MCU = 0.5;      // [3]
export const HOST_COREMARK_PER_MHZ = 6;     // assumption: x86-64 server cores score about 5-7 per MHz single-threaded
const MARGIN = 1.25;                        // for the assumption above and PSRAM cache misses

export function hostMhz(): number {
  const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
  return m ? Math.round(Number(m[1])) : 0;
}

export interface Derived { cyclesPerFuel: number | null; budgets: Record<string, number>; checks: Record<string, string>; text: string }

export function deriveBudgets(b: Board, rows: any[], live: Record<string, number> | null, aot: Record<string, number | null>, mem: { peak_pages: number }): Derived {
  const mhz = hostMhz();
  // Items timed many to a run only: one per run (the signature, 2 M fuel, about 0.1 ms) is below the jitter of
  // starting iwasm (several ms), and a single such row moved the whole figure from 0.07 to 0.15.
  const aotRows = rows.filter((r) => r["wamr-aot_ms"] > 0 && r.fuel > 1e5 && r.count > 1);
  if (!aotRows.length || !mhz) return { cyclesPerFuel: null, budgets: {}, checks: {}, text: "no AOT figures (wamrc not built or no wasmtime fuel): budgets not re-derived" };
  // Fuel-weighted over those items, so that the cheaper ones count for as little as their work.
  const sum = (k: string) => aotRows.reduce((a, r) => a + r[k], 0);
  const hostCpf = (sum("wamr-aot_ms") * 1e6) / sum("fuel") * mhz / 1000;
  const raw = hostCpf * (HOST_COREMARK_PER_MHZ / MCU_COREMARK_PER_MHZ) * (AOT_EFFICIENCY_X86 / AOT_EFFICIENCY_MCU) * MARGIN;
  const cpf = Math.max(0.5, Math.ceil(raw * 4) / 4);
  const hz = b.cpu.mhz * 1e6;
  const budgets = {
    fuelPerFrame: Math.floor(hz / b.camera.fps / cpf),             // one core, every frame at the camera's rate
    fuelPerAudioHop: Math.floor((0.2 * 0.02 * hz) / cpf),          // a 20 ms hop in at most 20% of a core
    fuelPerSignature: Math.floor((0.5 * hz) / cpf),                // a signature in at most 0.5 s
  };
  // Budgets are checked against the device face's own fuel (the live path), not the command-face runs.
  const fuel = (name: string) => rows.find((r) => r.work.startsWith(name))?.fuel as number | undefined;
  const checks: Record<string, string> = {};
  for (const f of ["code", "nocode", "noise", "blank"]) {
    const v = live?.[`frame_${f}`];
    if (v !== undefined) checks[f] = `${(v / 1e6).toFixed(2)} M fuel vs ${(budgets.fuelPerFrame / 1e6).toFixed(2)} M: ${v <= budgets.fuelPerFrame ? "met" : "NOT met"}`;
  }
  const audio = live?.audio_1s;
  if (live?.audio_worst_hop !== undefined) checks["worst audio hop"] = `${(live.audio_worst_hop / 1e3).toFixed(0)} k fuel vs ${(budgets.fuelPerAudioHop / 1e3).toFixed(0)} k: ${live.audio_worst_hop <= budgets.fuelPerAudioHop ? "met" : "NOT met"}`;
  if (audio !== undefined) checks["1 s audio"] = `${(audio / 1e6).toFixed(1)} M fuel vs ${(50 * budgets.fuelPerAudioHop / 1e6).toFixed(1)} M (50 hops): ${audio <= 50 * budgets.fuelPerAudioHop ? "met" : `NOT met (${(audio / (50 * budgets.fuelPerAudioHop)).toFixed(1)}x)`}`;
  const sig = fuel("P-256");
  if (sig !== undefined) checks.signature = `${(sig / 1e6).toFixed(1)} M fuel vs ${(budgets.fuelPerSignature / 1e6).toFixed(1)} M: ${sig <= budgets.fuelPerSignature ? "met" : "NOT met"}`;
  const text = [
    `Measured (npm run bench -- mcu, bench/mcu.json): WAMR AOT (wamrc x86_64) on a ${mhz} MHz x86-64 host costs ${hostCpf.toFixed(2)} host cycles per fuel unit over the frame and audio work (fuel-weighted; the signature, one per run, is below the start-up jitter).`,
    `MCU cycles per fuel = ${hostCpf.toFixed(2)} x (${HOST_COREMARK_PER_MHZ} host CoreMark/MHz, assumed / ${MCU_COREMARK_PER_MHZ} ESP32-S3 CoreMark/MHz [Espressif ESP32-S3 datasheet]) x (AOT at ${AOT_EFFICIENCY_X86} of native on x86 [WAMR wiki Performance] / ${AOT_EFFICIENCY_MCU} on embedded targets [Wallentowitz et al. 2024, arXiv:2405.09213]) x ${MARGIN} margin = ${raw.toFixed(2)}, rounded up to ${cpf}.`,
    `Frame: ${b.cpu.mhz} MHz / ${b.camera.fps} frames/s / ${cpf} => ${budgets.fuelPerFrame} fuel. Audio hop: 20 ms in at most 20% of a core => ${budgets.fuelPerAudioHop} fuel. Signature: 0.5 s => ${budgets.fuelPerSignature} fuel.`,
    `Peak linear memory ${mem.peak_pages} pages (${mem.peak_pages * 64} KiB).`,
    `AOT images (wamrc 2.4.3, LLVM 16): ${Object.entries(aot).map(([t, n]) => `${t} ${n ?? "not built"}`).join(", ")} bytes.`,
    `Checks (device-face fuel under wasmtime): ${Object.entries(checks).map(([k, v]) => `${k}: ${v}`).join("; ")}.`,
  ].join("\n");
  return { cyclesPerFuel: cpf, budgets, checks, text };
}
