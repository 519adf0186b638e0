// What every engine offers: run the command face once, or open the device face and call its exports.
import type { BuildTarget } from "../boards.ts";
export type EngineName = "node" | "wasmtime";

export interface RunOptions {
  board?: string;
  engine?: EngineName;
  /** host directory → guest path; default: the current directory as "." and "/" as "/". */
  preopens?: Record<string, string>;
  /** which build: "release" (default, the shipped module) or "test" (+ test hooks and kernel exports) */
  target?: BuildTarget;
  /** explicit module path (overrides board/target) */
  wasm?: string;
  /** count executed wasm work (wasmtime only) */
  fuel?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** wasmtime fuel consumed by the whole run, when measured */
  fuel?: number;
}

export type WasmValue = number | bigint;

export interface Device {
  readonly engine: EngineName;
  call(name: string, ...args: WasmValue[]): Promise<number>;
  /** like call() but returns an i64 result as bigint */
  call64(name: string, ...args: WasmValue[]): Promise<bigint>;
  write(ptr: number, bytes: Uint8Array): Promise<void>;
  read(ptr: number, len: number): Promise<Uint8Array>;
  /** fuel consumed by the last call() (wasmtime only; undefined on node) */
  lastFuel(): number | undefined;
  close(): Promise<void>;
}
