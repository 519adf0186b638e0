// The core commands: version, selftest, device (help lives in dispatch.ts, which sees the registry).
import { printLine } from "../io/output";
import { Json } from "../io/json";
import { OK, E_STATE } from "../errors";
import { fail } from "./fail";
import { CHECKS } from "./selftest";
import { boardId, CAMERA_WIDTH, CAMERA_HEIGHT, MIC_RATE, DISPLAY_WIDTH, DISPLAY_HEIGHT, DISPLAY_BPP,
  LINK_MTU, MAX_MEMORY_PAGES } from "../board/config";

// The version lives in package.json only: scripts/asc.ts passes it as three numbers (--use only carries
// integers); a build without them (unit tests) says 0.0.0.
// @ts-ignore: compile-time constants from --use
const V_MAJOR: i32 = isDefined(GLASSES_VERSION_MAJOR) ? GLASSES_VERSION_MAJOR : 0;
// @ts-ignore
const V_MINOR: i32 = isDefined(GLASSES_VERSION_MINOR) ? GLASSES_VERSION_MINOR : 0;
// @ts-ignore
const V_PATCH: i32 = isDefined(GLASSES_VERSION_PATCH) ? GLASSES_VERSION_PATCH : 0;
export const FIRMWARE_VERSION: string = V_MAJOR.toString() + "." + V_MINOR.toString() + "." + V_PATCH.toString();

export function versionCommand(args: string[]): i32 {
  printLine(new Json().str("firmware", "glasses").str("version", FIRMWARE_VERSION).str("board", boardId())
    .int("camera_w", CAMERA_WIDTH).int("camera_h", CAMERA_HEIGHT).int("mic_rate", MIC_RATE)
    .int("display_w", DISPLAY_WIDTH).int("display_h", DISPLAY_HEIGHT).int("display_bpp", DISPLAY_BPP)
    .int("link_mtu", LINK_MTU).int("max_memory_pages", MAX_MEMORY_PAGES).toString());
  return OK;
}

export function selftestCommand(args: string[]): i32 {
  let passed = 0, failed = 0;
  for (let i = 0; i < CHECKS.length; i++) {
    const ok = CHECKS[i].run();
    if (ok) passed++; else failed++;
    printLine(new Json().str("check", CHECKS[i].name).bool("ok", ok).toString());
  }
  printLine(new Json().str("selftest", failed == 0 ? "pass" : "fail").str("board", boardId())
    .int("passed", passed).int("failed", failed).toString());
  return failed == 0 ? OK : fail(E_STATE, failed.toString() + " self-test check(s) failed");
}

/** Used by hosts before calling the device face: globals are initialised by _start, then it returns. */
export function deviceCommand(args: string[]): i32 { return OK; }

