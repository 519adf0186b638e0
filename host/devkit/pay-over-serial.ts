// `glasses pay --port PATH`: the whole payment flow on a kit. The pay flow of host/commands/pay.ts runs
// unchanged, its device face being the kit's firmware reached over SMP group 64 (remote-device.ts): the
// host streams camera frames and audio hops into the kit, drains its events (passed to the same simulated
// wearer as in the loopback flow), relays its link fragments to the reference wallet, and stores its
// sealed state. A lost serial link fails the run here, and the kit ends its session on its side.
import type { PayOptions, runPay as RunPay } from "../commands/pay.ts";
import { KitSession } from "../flash/session.ts";
import { kitBoard } from "../flash/flash.ts";
import { RemoteDevice } from "./remote-device.ts";

export interface SerialPayOptions extends Omit<PayOptions, "openDevice" | "engine"> { port: string; baud: number; timeoutMs?: number }

/** `run` is host/commands/pay.ts's runPay (passed in, so that pay.ts and this file do not import each other). */
export async function runPayOverSerial(o: SerialPayOptions, run: typeof RunPay): Promise<Awaited<ReturnType<typeof RunPay>>> {
  const s = await KitSession.open({ port: o.port, baud: o.baud, timeoutMs: o.timeoutMs ?? 5000, reconnectMs: 0 });
  try {
    // The kit may still be booting or just reattaching its end of the cable: wait for an echo first.
    await s.waitForKit(o.timeoutMs ?? 5000);
    const board = await kitBoard(s);
    if (board !== o.board) throw new Error(`the kit on ${o.port} is a '${board}' board, not '${o.board}' (pass --board ${board})`);
    o.log(`kit: ${board} on ${o.port} at ${o.baud} baud`);
    return await run({ ...o, engine: "node", openDevice: () => RemoteDevice.open(s.client, o.timeoutMs ?? 5000) });
  } finally {
    await s.close();
  }
}

/** For `glasses pay --port PATH [--baud N]`: a runPay stand-in that runs the flow on the kit. */
export function payOnKit(opts: Record<string, string>, run: typeof RunPay): (o: PayOptions) => ReturnType<typeof RunPay> {
  const baud = Number(opts.baud ?? 115200);
  if (!Number.isInteger(baud) || baud <= 0) throw new Error(`--baud must be a positive integer, not '${opts.baud}'`);
  return (o) => runPayOverSerial({ ...o, port: opts.port, baud }, run);
}
