// AOT images of a board's module (wamrc from scripts/wamr/build.ts), cached in build/wamr/aot/ by the
// module's sha256 and the wamrc flags. x86_64 is for timing here; thumbv7em (Cortex-M7) and riscv32
// (rv32imac) are the MCU images whose sizes go into the flash budget. Debian's LLVM has no Xtensa target.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { WAMR_DIR, buildVariant, isBuilt } from "./build.ts";

export const AOT_FLAGS: Record<string, string[]> = {
  x86_64: ["--target=x86_64"],
  thumbv7em: ["--target=thumbv7em", "--target-abi=eabihf", "--cpu=cortex-m7"],
  riscv32: ["--target=riscv32", "--target-abi=ilp32", "--cpu=generic-rv32", "--cpu-features=+m,+a,+c"],
};
// Execute-in-place images (wamrc --xip): what a board keeps in a flash partition and runs through the
// flash cache, instead of copying the code into RAM at load time.
AOT_FLAGS["thumbv7em-xip"] = [...AOT_FLAGS.thumbv7em, "--xip"];
AOT_FLAGS["riscv32-xip"] = [...AOT_FLAGS.riscv32, "--xip"];

/** Compiles (or reuses) board's module for one target; null when wamrc is not built and build is false. */
export function aotImage(wasm: string, board: string, target: string, build = false): { file: string; bytes: number } | null {
  if (!AOT_FLAGS[target]) throw new Error(`no wamrc flags for target ${target}`);
  if (!build && !isBuilt("wamrc")) return null;
  const wamrc = buildVariant("wamrc");
  const dir = path.join(WAMR_DIR, "aot");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${board}.${target}.aot`);
  const key = createHash("sha256").update(readFileSync(wasm)).digest("hex") + " " + AOT_FLAGS[target].join(" ");
  const stamp = `${file}.key`;
  if (!(existsSync(file) && existsSync(stamp) && readFileSync(stamp, "utf8") === key)) {
    const r = spawnSync(wamrc, [...AOT_FLAGS[target], "-o", file, wasm], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`wamrc ${target} failed: ${r.stdout}${r.stderr}`);
    writeFileSync(stamp, key);
  }
  return { file, bytes: statSync(file).size };
}

/** An AOT image already built for the current module (never compiles): its bytes, or null. */
export function cachedAot(wasm: string, board: string, target: string): number | null {
  const file = path.join(WAMR_DIR, "aot", `${board}.${target}.aot`);
  if (!existsSync(file) || !existsSync(`${file}.key`) || !AOT_FLAGS[target]) return null;
  const key = createHash("sha256").update(readFileSync(wasm)).digest("hex") + " " + AOT_FLAGS[target].join(" ");
  return readFileSync(`${file}.key`, "utf8") === key ? statSync(file).size : null;
}
