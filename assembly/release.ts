// The shipped firmware module: the device face (device/api.ts) and WASI's `memory` and `_start`. Nothing
// else: test hooks and raw kernels live in testbuild.ts, which a release never contains.
//  - command face: `_start` runs argv[1] as a command (see commands/registry.ts) and prints JSON lines;
//  - device face: the exports of device/api.ts, called by a host after `_start` with argv ["glasses", "device"].
export * from "./device/api";
import { runMain } from "./commands/dispatch";

runMain();
