// Glasses that are paired and have an owner, for benchmarks of the live paths. An unpaired device refuses
// to scan or listen in a few dozen fuel, which would pass for fast: figures of scanning or asking must come
// from a device set up like this one. The demo payment runs once on the board (node engine, fixed entropy
// seed, so every run sets up the same device), then the same glasses reopen on wasmtime (fuel per call) with
// the sealed state that payment left, on a seeded random source too: the code a session draws is drawn on the HUD,
// so an unseeded device's fuel for the frame that starts the session varied from run to run (6.13-6.16 M).
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { REPO } from "../boards.ts";
import { openDevice } from "../engine/index.ts";
import type { Device } from "../engine/index.ts";
import { runPay } from "../commands/pay.ts";
import { DeviceDriver } from "../driver.ts";
import { StateStore } from "../state-store.ts";
import { loadOrCreateDeviceSecret } from "../store/secret.ts";

export interface PairedDevice {
  dev: Device;
  driver: DeviceDriver;
}

/**
 * Sets up paired glasses with an enrolled owner under `dir` and opens them on `engine` (wasmtime: fuel per call)
 * with the repeatable random source `entropySeed`; the caller closes `dev`.
 */
export async function openPairedDevice(board: string, dir: string, engine: "node" | "wasmtime" = "wasmtime",
  entropySeed = "bench paired device, reopened"): Promise<PairedDevice> {
  const demo = path.join(REPO, "assets", "demo");
  const dataDir = mkdtempSync(path.join(dir, "glasses-"));
  const paid = await runPay({ frames: path.join(demo, "frames"), wearer: path.join(demo, "wearer"), enroll: path.join(demo, "enroll"),
    dataDir, board, engine: "node", log: () => {}, entropySeed: "bench paired device" });
  if (paid.status !== "paid") throw new Error(`bench: the set-up payment on ${board} did not go through (${paid.status}: ${paid.reason ?? ""})`);
  const dev = await openDevice({ board, engine, init: true, secret: new Uint8Array(loadOrCreateDeviceSecret(dataDir)), entropySeed });
  try {
    const driver = new DeviceDriver(dev, null, new StateStore(path.join(dataDir, "glasses-state.bin")), () => {});
    await driver.setup();
    if (!(await driver.loadState())) throw new Error(`bench: the set-up payment on ${board} left no state to load`);
    return { dev, driver };
  } catch (e) {
    await dev.close();
    throw e;
  }
}
