// The glasses firmware: one WASI module, two faces.
//  - command face: `_start` runs argv[1] as a command (see commands/registry.ts) and prints JSON lines;
//  - device face: the exports below, called by a host after `_start` with argv ["glasses", "device"].
export * from "./device/api";
export * from "./device/testhooks";   // until the build helper splits release.ts / testbuild.ts
export * from "./voice/exports";
export * from "./qr/exports";
export * from "./crypto/exports";
import { runMain } from "./commands/dispatch";

runMain();
