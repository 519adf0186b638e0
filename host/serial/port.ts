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
  return port;
}

export function closePort(port: ByteStream): Promise<void> {
  return new Promise((r) => { if (!port.isOpen) return r(); port.close(() => r()); });
}
