// Firmware status codes for people: every error the host reports names the status and says what it means
// ("not_init: device not initialised: call init() first"), never "(status 7)". The table is generated from
// assembly/errors.ts (host/generated/abi.ts).
import { STATUSES, type StatusInfo } from "./generated/abi.ts";

const byCode = new Map<number, StatusInfo>(STATUSES.map((s) => [s.code, s]));

/** The status row of a code; device-face functions return failures as positive or negated codes. */
export function statusInfo(code: number): StatusInfo {
  return byCode.get(Math.abs(code)) ?? { id: "?", code, name: "unknown_status", message: `unknown status ${code}` };
}

/** "name: message" of a status code. */
export function describeStatus(code: number): string {
  const s = statusInfo(code);
  return `${s.name}: ${s.message}`;
}

/** An error the firmware returned: `what` failed with a named status. */
export class FirmwareError extends Error {
  readonly status: number;
  readonly statusName: string;
  constructor(what: string, code: number) {
    super(`${what}: ${describeStatus(code)}`);
    this.name = "FirmwareError";
    this.status = Math.abs(code);
    this.statusName = statusInfo(code).name;
  }
}
