// The glasses firmware: one WASI module, two faces.
//  - command face: `_start` runs argv[1] as a command (see commands/registry.ts) and prints JSON lines;
//  - device face: the exports below, called by a host after `_start` with argv ["glasses", "device"].
export * from "./device/api";
import { runMain } from "./commands/dispatch";

runMain();
