// Opening a serial port (or pty) with errors that say what is wrong: no such port, port busy, other.
import { existsSync } from "node:fs";
import { SerialPort, SerialPortMock } from "serialport";

export class PortError extends Error {}

/** The byte stream SMP runs over: a SerialPort, a SerialPortMock, or anything shaped like them. */
export interface ByteStream {
  write(data: Uint8Array): unknown;
  on(ev: "data", cb: (b: Buffer) => void): unknown;
  on(ev: "close" | "error", cb: (e?: Error) => void): unknown;
  removeAllListeners(ev?: string): unknown;
  close(cb?: (e?: Error | null) => void): void;
  readonly isOpen: boolean;
}

/** `portClass` is SerialPort, or SerialPortMock in tests (serialport's own mock binding). */
export async function openPort(portPath: string, baudRate: number, portClass: typeof SerialPort | typeof SerialPortMock = SerialPort): Promise<SerialPort> {
  if (portClass === SerialPort && !existsSync(portPath)) throw new PortError(`no such port: ${portPath}`);
  const port = new portClass({ path: portPath, baudRate, autoOpen: false }) as SerialPort;
  await new Promise<void>((resolve, reject) => port.open((e) => {
    if (!e) return resolve();
    if (/lock/i.test(e.message)) reject(new PortError(`port ${portPath} is busy: another program has it open`));
    else if (/ENOENT|No such file|does not exist/i.test(e.message)) reject(new PortError(`no such port: ${portPath}`));
    else reject(new PortError(`cannot open ${portPath}: ${e.message}`));
  }));
  // Bytes left in a pty pair from an earlier run would be read as our answer: drop them.
  await new Promise<void>((r) => port.flush(() => r()));
  if (portClass === SerialPort) keepWritesMoving(port);
  return port;
}

const UV_WRITABLE = 2;     // @serialport/bindings-cpp poller EVENTS.UV_WRITABLE
const REARM_MS = 50;

/**
 * serialport's unix binding, after a partial write (EAGAIN), waits for its poller's "writable" event. On
 * socat ptys under load that event is sometimes never delivered and the write, and every write queued behind
 * it, hangs for good (measured: about 1 in 300 writes of 44 KB on a loaded 2-core machine; the kit kept
 * reading and heard nothing more). While a write waits, ask the poller again for "writable" every 50 ms;
 * re-arming is harmless when the event does come.
 */
export function keepWritesMoving(port: SerialPort): void {
  const binding = (port as any).port;
  const poller = binding?.poller;
  if (!poller || typeof poller.once !== "function" || typeof poller.poll !== "function") return;
  let waiting = 0;
  const once = poller.once.bind(poller);
  poller.once = (ev: string, cb: (e?: Error | null) => void) => {
    if (ev !== "writable") return once(ev, cb);
    waiting++;
    return once(ev, (e: Error | null) => { waiting--; cb(e); });
  };
  const timer = setInterval(() => { if (waiting > 0 && binding.isOpen) poller.poll(UV_WRITABLE); }, REARM_MS);
  timer.unref();
  port.once("close", () => clearInterval(timer));
}

export function closePort(port: ByteStream): Promise<void> {
  return new Promise((r) => { if (!port.isOpen) return r(); port.close(() => r()); });
}
