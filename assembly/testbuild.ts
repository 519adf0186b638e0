// The test and benchmark module (build/<board>/glasses.test.wasm): the release's device face plus the test
// hooks (device/testhooks.ts) and every engine's kernel exports, compiled with the release's options, so
// tests measure the code that ships. Never shipped.
export * from "./device/api";
export * from "./device/testhooks";
export * from "./voice/exports";
export * from "./qr/exports";
export * from "./crypto/exports";
export * from "./link/exports";
export * from "./hud/exports";
export * from "./pay/exports";
import { runMain } from "./commands/dispatch";

runMain();
