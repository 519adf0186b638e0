// Decodes one image with the QR engine's trace on (qrSetOptions flag 4): every pass, triple attempt and
// grid try is printed. Usage: node --import tsx tools/qr/trace.ts FILE [--rot=0..3] [--size=WxH] [--board=desktop] [--quiet]
import path from "node:path";
import { loadImage, rotateFrame, fitToCamera } from "../../host/camera/image.ts";
import { openQr, STILL_IMAGE_FLAGS } from "../../host/commands/scan.ts";

const args = process.argv.slice(2);
const opt = (n: string) => args.find((a) => a.startsWith(`--${n}=`))?.split("=")[1];
const file = args.find((a) => !a.startsWith("--"));
if (!file) { console.error("usage: trace.ts FILE [--rot=N] [--size=WxH] [--board=B] [--quiet]"); process.exit(2); }
let frame = rotateFrame(loadImage(path.resolve(file)), +(opt("rot") ?? 0));
const size = opt("size");
if (size) { const [w, h] = size.split("x").map(Number); frame = fitToCamera(frame, w, h); }
const runner = await openQr(opt("board") ?? "desktop", "node", { kernelOnly: true });
await runner.options(STILL_IMAGE_FLAGS | (args.includes("--quiet") ? 0 : 4));
const r = await runner.decode(frame);
console.log(JSON.stringify({ status: r.status, ms: Math.round(r.ms), texts: r.codes.map((c) => c.text) }));
await runner.close();
