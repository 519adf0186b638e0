// The host library, as a glasses maker or wallet developer imports it (`import … from "glasses-pay"`).
// Each subpath is also importable on its own: glasses-pay/engine, /driver, /image, /wav, /wallet, /abi.
// The package ships TypeScript run through tsx (a dependency): run with `node --import tsx` or a TS toolchain.
export { openDevice, openNodeDevice, runCommand, drainEvents, resolveWasm, NodeDevice, WasmtimeDevice } from "./engine/index.ts";
export type { Device, EngineName, RunOptions, RunResult } from "./engine/index.ts";
export { DeviceDriver, type LinkPort } from "./driver.ts";
export { loadImage, decodeImage, decodePgm, fitFrame, rotateFrame, walkImages, ImageError, type GrayFrame } from "./camera/image.ts";
export { readWav, wavToPcm16, decodeWav, encodeWav, resample, WavError, TARGET_RATE, type Pcm16 } from "./mic/wav.ts";
export { Wallet, type WalletOptions, type PaymentResult, type RegistrationResult, type Bill } from "./phone/wallet.ts";
export { loadBoard, listBoards, wasmPath, deviceConfigRecord, type Board } from "./boards.ts";
export { describeStatus, statusInfo, FirmwareError } from "./status.ts";
export { DEVICE_FACE } from "./device-face.ts";
export * as abi from "./generated/abi.ts";
