// Builds the shipped sample for the main demo (`npm start`), deterministically, from one seed:
//
//   node --import tsx tools/demo/make-assets.ts [--out DIR] [--only frames|audio] [--corpus DIR]
//
//   assets/demo/payload.txt          the EMV merchant-presented payload (no trailing newline)
//   assets/demo/frames/              9 gray 640x480 PNG camera frames of the payload's QR on a counter sign,
//                                    the wearer walking up to it (far/small/tilted -> close), + README.md
//   assets/demo/frames-tampered/     1 frame, same scene, amount changed without fixing the CRC
//   assets/demo/frames-nocode/       1 frame, same scene, the sign carries no code
//   assets/demo/audio/               real Speech Commands v0.02 clips, copied byte-exact, + README.md, manifest.json
//
// The scene is ray-cast: a camera (f = 560 px) moves through a small world made of a tilted card sign standing
// on a counter in front of a wall. Every pixel is supersampled 3x3 (anti-aliasing), then optical blur (Gaussian,
// in linear light), vignetting, a light gradient and a soft shadow across the sign, gamma, and signal-dependent
// sensor noise are applied. All randomness comes from mulberry32 seeded from SEED; only IEEE-exact arithmetic
// and V8's deterministic Math functions are used, so the pixels are identical on every machine, and the PNG
// bytes are identical for the same Node (zlib) version.
import { mkdirSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import jsqrModule from "jsqr";
import { sharedPath } from "../../host/shared.ts";
// jsqr is CommonJS; its typings disagree across module settings, so take the callable either way
type Pt = { x: number; y: number };
type JsQR = (data: Uint8ClampedArray, width: number, height: number) =>
  { data: string; location: { topLeftCorner: Pt; topRightCorner: Pt; bottomRightCorner: Pt; bottomLeftCorner: Pt } } | null;
const jsQR: JsQR = (jsqrModule as any).default ?? jsqrModule;

const require = createRequire(import.meta.url);
const QR = require("qrcode");

export const SEED = 20240611;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");

// ---------------------------------------------------------------------------------------------- payload

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xor-out), 4 upper-case hex digits. */
export function crc16(s: string): string {
  let c = 0xffff;
  for (const b of Buffer.from(s, "utf8")) {
    c ^= b << 8;
    for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c.toString(16).toUpperCase().padStart(4, "0");
}
if (crc16("123456789") !== "29B1") throw new Error("CRC-16/CCITT-FALSE self-check failed");

const tlv = (tag: string, v: string) => {
  if (v.length > 99) throw new Error(`tag ${tag} too long`);
  return tag + String(v.length).padStart(2, "0") + v;
};

/** EMVCo MPM payload (HK FPS-like), the CRC computed over everything up to and including "6304". */
export function emvPayload(amount: string): string {
  const body =
    tlv("00", "01") +                                  // payload format indicator
    tlv("01", "12") +                                  // point of initiation: dynamic (carries an amount)
    tlv("26", tlv("00", "hk.com.hkicl") + tlv("02", "123456789")) + // FPS merchant account (demo FPS id)
    tlv("52", "5814") +                                // MCC: fast-food restaurants
    tlv("53", "344") +                                 // HKD
    tlv("54", amount) +
    tlv("58", "HK") +
    tlv("59", "Luckin Coffee") +
    tlv("60", "Hong Kong") +
    tlv("62", tlv("05", "DEMO-0001")) +                // additional data: reference label
    "6304";
  return body + crc16(body);
}
export const PAYLOAD = emvPayload("25.00");
/** Same payload with the amount edited (same length, so the TLV structure stays valid) and the old CRC kept. */
export const TAMPERED = PAYLOAD.replace("540525.00", "540595.00");
if (TAMPERED === PAYLOAD || crc16(TAMPERED.slice(0, -4)) === TAMPERED.slice(-4)) throw new Error("tampering failed");

// ---------------------------------------------------------------------------------------------- helpers

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Approximately normal, unit variance (Irwin-Hall of 4 uniforms): no transcendental functions. */
const gauss = (r: () => number) => (r() + r() + r() + r() - 2) * 1.7320508075688772;

class Tex {
  data: Float32Array;
  constructor(public w: number, public h: number, fill: number) { this.data = new Float32Array(w * h).fill(fill); }
  rect(x0: number, y0: number, x1: number, y1: number, v: number) {
    const a = Math.max(0, Math.round(x0)), b = Math.min(this.w, Math.round(x1));
    const c = Math.max(0, Math.round(y0)), d = Math.min(this.h, Math.round(y1));
    for (let y = c; y < d; y++) this.data.fill(v, y * this.w + a, y * this.w + b);
  }
  ellipse(cx: number, cy: number, rx: number, ry: number, v: number) {
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(this.h, Math.ceil(cy + ry)); y++)
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(this.w, Math.ceil(cx + rx)); x++) {
        const dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
        if (dx * dx + dy * dy <= 1) this.data[y * this.w + x] = v;
      }
  }
  /** Text-like blobs: lines of "words" made of letter-sized bars with ascender/descender variation. */
  text(r: () => number, x0: number, y0: number, width: number, lineH: number, lines: number, v: number, lastLine = 0.6) {
    const cap = lineH * 0.62, letter = cap * 0.62, gap = cap * 0.16;
    for (let l = 0; l < lines; l++) {
      const base = y0 + l * lineH + cap;
      const end = x0 + width * (l === lines - 1 ? lastLine + 0.4 * r() * (1 - lastLine) : 0.85 + 0.15 * r());
      let x = x0;
      while (x < end) {
        const n = 2 + Math.floor(r() * 7);
        for (let k = 0; k < n && x + letter <= end; k++) {
          const kind = r();
          const top = kind < 0.25 ? base - cap * 1.3 : base - cap * (0.8 + 0.2 * r());
          const bot = kind > 0.88 ? base + cap * 0.3 : base;
          const w = letter * (0.7 + 0.5 * r());
          this.rect(x, top, x + w, bot, v);
          x += w + gap;
        }
        x += letter * 1.1;
      }
    }
  }
  /** Bilinear sample at continuous texel coordinates (texel centres at +0.5), clamped to the edge. */
  sample(x: number, y: number): number {
    x -= 0.5; y -= 0.5;
    const w = this.w, h = this.h;
    if (x < 0) x = 0; else if (x > w - 1.001) x = w - 1.001;
    if (y < 0) y = 0; else if (y > h - 1.001) y = h - 1.001;
    const xi = x | 0, yi = y | 0, fx = x - xi, fy = y - yi, i = yi * w + xi, d = this.data;
    const top = d[i] + (d[i + 1] - d[i]) * fx, bot = d[i + w] + (d[i + w + 1] - d[i + w]) * fx;
    return top + (bot - top) * fy;
  }
}

// Reflectances
const INK = 0.05, PAPER = 0.86;

// ---------------------------------------------------------------------------------------------- the sign

const MOD = 8;                      // texels per QR module
const CARD_W = 560, CARD_H = 800;   // texels
const CM_PER_TEXEL = 20 / CARD_W;   // the card is 20 cm x 28.6 cm; a module is 0.286 cm
const QUIET = 4;

interface SignInfo { tex: Tex; content: string | null; qr?: { x0: number; y0: number; size: number; version: number } }

function makeSign(content: string | null, seed: number): SignInfo {
  const r = mulberry32(seed);
  const t = new Tex(CARD_W, CARD_H, PAPER);
  // black acrylic stand frame
  const B = 16;
  t.rect(0, 0, CARD_W, B, 0.08); t.rect(0, CARD_H - B, CARD_W, CARD_H, 0.08);
  t.rect(0, 0, B, CARD_H, 0.08); t.rect(CARD_W - B, 0, CARD_W, CARD_H, 0.08);
  // header: round logo (dark blue prints mid-dark in gray) with a white mark, shop name, subtitle
  t.rect(B, B, CARD_W - B, 196, 0.22);
  t.ellipse(96, 104, 50, 50, PAPER); t.ellipse(96, 104, 42, 42, 0.22);
  t.ellipse(90, 100, 22, 28, PAPER); t.ellipse(104, 86, 9, 14, PAPER);
  t.text(r, 168, 60, 360, 64, 1, PAPER, 1.0);
  t.text(r, 170, 136, 300, 34, 1, 0.7, 0.8);
  let qr: SignInfo["qr"];
  if (content !== null) {
    const q = QR.create(content, { errorCorrectionLevel: "M" });
    const n: number = q.modules.size, bits: Uint8Array = q.modules.data;
    const full = (n + 2 * QUIET) * MOD, x0 = Math.round((CARD_W - full) / 2), y0 = 214;
    t.rect(x0, y0, x0 + full, y0 + full, PAPER);
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        if (bits[y * n + x]) {
          const px = x0 + (QUIET + x) * MOD, py = y0 + (QUIET + y) * MOD;
          t.rect(px, py, px + MOD, py + MOD, INK);
        }
    qr = { x0: x0 + QUIET * MOD, y0: y0 + QUIET * MOD, size: n * MOD, version: q.version };
  } else {
    // no code: a cup drawing and a price list where the code would be
    t.ellipse(CARD_W / 2, 300, 80, 18, INK); t.rect(CARD_W / 2 - 70, 300, CARD_W / 2 + 70, 420, INK);
    t.ellipse(CARD_W / 2, 420, 70, 16, INK); t.ellipse(CARD_W / 2 + 80, 350, 26, 34, INK);
    t.ellipse(CARD_W / 2 + 80, 350, 14, 22, PAPER); t.rect(CARD_W / 2 - 60, 306, CARD_W / 2 + 60, 320, PAPER);
    t.text(r, 70, 470, 420, 30, 4, INK);
  }
  // footer: "scan to pay" line, amount line, small print
  t.text(r, 60, 640, 440, 40, 1, INK, 0.9);
  t.text(r, 150, 690, 260, 44, 1, INK, 0.8);
  t.text(r, 40, 748, 480, 16, 2, 0.35);
  return { tex: t, content, qr };
}

// ---------------------------------------------------------------------------------------------- the world

// World: centimetres, Y down, Z away from the approaching wearer. The card centre is the origin; it stands on
// the counter leaning back LEAN and turned SIGN_YAW; the counter top is Y = COUNTER_Y, its front edge at
// Z = COUNTER_FRONT; the wall is Z = WALL_Z.
const LEAN = (14 * Math.PI) / 180, SIGN_YAW = (-18 * Math.PI) / 180;
const HALF_H_CM = (CARD_H / 2) * CM_PER_TEXEL;
const COUNTER_Y = HALF_H_CM * Math.cos(LEAN), COUNTER_FRONT = -30, WALL_Z = 42;
type V3 = [number, number, number];
const SIGN_A: V3 = [Math.cos(SIGN_YAW), 0, -Math.sin(SIGN_YAW)];                       // card +u (right)
const SIGN_B: V3 = [Math.sin(SIGN_YAW) * -Math.sin(LEAN), Math.cos(LEAN), Math.cos(SIGN_YAW) * -Math.sin(LEAN)]; // card +v (down)
const SIGN_N: V3 = cross(SIGN_A, SIGN_B);

function cross(a: V3, b: V3): V3 { return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]; }
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (a: V3): V3 => { const l = Math.sqrt(dot(a, a)); return [a[0] / l, a[1] / l, a[2] / l]; };

const WALL_PX_CM = 3, WALL_X0 = -300, WALL_Y0 = -180;
function makeWall(seed: number): Tex {
  const r = mulberry32(seed);
  const t = new Tex((220 - WALL_X0) * WALL_PX_CM, (COUNTER_Y + 20 - WALL_Y0) * WALL_PX_CM | 0, 0.5);
  const X = (cm: number) => (cm - WALL_X0) * WALL_PX_CM, Y = (cm: number) => (cm - WALL_Y0) * WALL_PX_CM;
  for (let y = 0; y < t.h; y++) t.data.fill(0.62 - 0.16 * (y / t.h), y * t.w, (y + 1) * t.w); // painted wall
  // tiles behind the counter
  for (let y = Y(-26); y < t.h; y += 10 * WALL_PX_CM) t.rect(0, y, t.w, y + 2, 0.4);
  for (let x = 0; x < t.w; x += 10 * WALL_PX_CM) t.rect(x, Y(-26), x + 2, t.h, 0.4);
  // menu boards: dark with light text
  for (const [x0, x1] of [[-250, -160], [-150, -60]]) {
    t.rect(X(x0), Y(-125), X(x1), Y(-48), 0.1);
    t.text(r, X(x0 + 6), Y(-119), (x1 - x0 - 12) * WALL_PX_CM, 7 * WALL_PX_CM, 1, 0.8, 1);
    t.text(r, X(x0 + 6), Y(-104), (x1 - x0 - 12) * WALL_PX_CM, 4 * WALL_PX_CM, 12, 0.65);
  }
  // poster: picture + caption
  t.rect(X(20), Y(-125), X(90), Y(-40), 0.75);
  t.ellipse(X(55), Y(-95), 25 * WALL_PX_CM, 22 * WALL_PX_CM, 0.3);
  t.text(r, X(26), Y(-65), 58 * WALL_PX_CM, 6 * WALL_PX_CM, 3, 0.15);
  // shelf with cups and boxes
  t.rect(X(-250), Y(-32), X(160), Y(-28), 0.85); t.rect(X(-250), Y(-28), X(160), Y(-26), 0.25);
  for (let x = -245; x < 150; x += 9 + r() * 10) {
    const h = 8 + r() * 12, w = 5 + r() * 7, v = r() < 0.5 ? 0.15 + r() * 0.2 : 0.7 + r() * 0.25;
    t.rect(X(x), Y(-32 - h), X(x + w), Y(-32), v);
  }
  // price tags and stickers
  for (let i = 0; i < 26; i++) {
    const x = -280 + r() * 480, y = -130 + r() * 110, w = 4 + r() * 14, h = 3 + r() * 9;
    t.rect(X(x), Y(y), X(x + w), Y(y + h), r() < 0.5 ? 0.9 : 0.2);
  }
  // coffee machine and cash register against the wall (drawn flat on it)
  t.rect(X(-110), Y(-24), X(-55), Y(COUNTER_Y), 0.3); t.rect(X(-102), Y(-18), X(-63), Y(-3), 0.55);
  t.ellipse(X(-82), Y(6), 6 * WALL_PX_CM, 6 * WALL_PX_CM, 0.12);
  t.rect(X(60), Y(-12), X(110), Y(COUNTER_Y), 0.18); t.rect(X(66), Y(-8), X(104), Y(2), 0.7);
  return t;
}

/** Counter top (X, Z) and counter front (X, Y) reflectance: wood grain, a cup and a card terminal. */
function counterTop(x: number, z: number): number {
  let v = 0.42 + 0.05 * Math.sin(z * 0.9 + 0.4 * Math.sin(x * 0.05)) + 0.03 * Math.sin(z * 3.1);
  const cx = x + 38, cz = z + 5;
  if (cx * cx + cz * cz < 16) v = 0.9;                                       // cup, 4 cm radius
  if (x > 26 && x < 36 && z > -12 && z < 2) v = z > -9 && z < -1 && x > 28 && x < 34 ? 0.5 : 0.12; // terminal
  if (z < COUNTER_FRONT + 1.5) v = 0.7;                                       // metal edge
  return v;
}
const counterFront = (x: number, y: number) => (((x % 40) + 40) % 40 < 1.2 ? 0.12 : 0.2) + (y - COUNTER_Y < 3 ? 0.1 : 0);

// ---------------------------------------------------------------------------------------------- camera

const W = 640, H = 480, F = 560, SS = 3, FRAMES = 9;

interface Pose {
  dist: number;       // cm from the card centre
  azim: number;       // degrees: where the wearer stands, around the card (0 = in front of the counter)
  elev: number;       // degrees above the card centre
  aimX: number; aimY: number; // cm: where the head points, relative to the card centre
  roll: number;       // degrees head roll
  blur: number;       // px Gaussian sigma (defocus / shake)
  exposure: number;
  motion: number;     // px horizontal motion-blur length
}

interface Shot { pose: Pose; sign: SignInfo; wall: Tex; seed: number }

function cameraOf(p: Pose) {
  const az = (p.azim * Math.PI) / 180, el = (p.elev * Math.PI) / 180;
  const pos: V3 = [p.dist * Math.sin(az) * Math.cos(el), -p.dist * Math.sin(el), -p.dist * Math.cos(az) * Math.cos(el)];
  const z = norm([p.aimX - pos[0], p.aimY - pos[1], -pos[2]]);
  let x = norm(cross([0, 1, 0], z)), y = cross(z, x);
  const ro = (p.roll * Math.PI) / 180, c = Math.cos(ro), s = Math.sin(ro);
  [x, y] = [[c * x[0] + s * y[0], c * x[1] + s * y[1], c * x[2] + s * y[2]], [-s * x[0] + c * y[0], -s * x[1] + c * y[1], -s * x[2] + c * y[2]]];
  return { pos, x, y, z };
}

/** Screen position (px) of a card texel. */
function project(cam: ReturnType<typeof cameraOf>, tx: number, ty: number): [number, number] {
  const u = (tx - CARD_W / 2) * CM_PER_TEXEL, v = (ty - CARD_H / 2) * CM_PER_TEXEL;
  const p: V3 = [u * SIGN_A[0] + v * SIGN_B[0] - cam.pos[0], u * SIGN_A[1] + v * SIGN_B[1] - cam.pos[1], u * SIGN_A[2] + v * SIGN_B[2] - cam.pos[2]];
  const zc = dot(p, cam.z);
  return [W / 2 + (F * dot(p, cam.x)) / zc, H / 2 + (F * dot(p, cam.y)) / zc];
}

function gaussKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(sigma * 3)), k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}
function convolve(src: Float32Array, w: number, h: number, kx: Float32Array, ky: Float32Array): Float32Array {
  const tmp = new Float32Array(w * h), out = new Float32Array(w * h);
  const rx = (kx.length - 1) / 2, ry = (ky.length - 1) / 2;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -rx; i <= rx; i++) s += kx[i + rx] * src[y * w + Math.min(w - 1, Math.max(0, x + i))];
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -ry; i <= ry; i++) s += ky[i + ry] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
      out[y * w + x] = s;
    }
  return out;
}

function render(shot: Shot): Uint8Array {
  const { pose, sign, wall } = shot;
  const cam = cameraOf(pose);
  const r = mulberry32(shot.seed);
  const tex = sign.tex;
  // light: a soft shadow edge across the sign (an awning), direction and position per shot
  const shAng = 0.5 + r() * 0.8, shOff = (r() - 0.5) * 160, shDepth = 0.5 + r() * 0.12;
  const shC = Math.cos(shAng), shS = Math.sin(shAng);
  // screen light gradient
  const gAng = r() * 6.283185307179586, gAmp = 0.18 + r() * 0.12, gx = Math.cos(gAng), gy = Math.sin(gAng);

  const lin = new Float32Array(W * H);
  const inv = 1 / (SS * SS);
  const P = cam.pos;
  const nP = dot(SIGN_N, P);
  for (let py = 0; py < H; py++)
    for (let px = 0; px < W; px++) {
      let acc = 0;
      for (let sy = 0; sy < SS; sy++)
        for (let sx = 0; sx < SS; sx++) {
          const ix = (px + (sx + 0.5) / SS - W / 2) / F, iy = (py + (sy + 0.5) / SS - H / 2) / F;
          const d: V3 = [cam.x[0] * ix + cam.y[0] * iy + cam.z[0], cam.x[1] * ix + cam.y[1] * iy + cam.z[1], cam.x[2] * ix + cam.y[2] * iy + cam.z[2]];
          let best = Infinity, val = 0;
          // sign card
          const dn = dot(SIGN_N, d);
          if (dn !== 0) {
            const t = -nP / dn;
            if (t > 0) {
              const q: V3 = [P[0] + t * d[0], P[1] + t * d[1], P[2] + t * d[2]];
              const tu = dot(q, SIGN_A) / CM_PER_TEXEL + CARD_W / 2, tv = dot(q, SIGN_B) / CM_PER_TEXEL + CARD_H / 2;
              if (tu >= 0 && tu < CARD_W && tv >= 0 && tv < CARD_H) {
                best = t;
                const s = (tu - CARD_W / 2) * shC + (tv - CARD_H / 2) * shS - shOff; // shadow coordinate, texels
                const light = s < -30 ? shDepth : s > 30 ? 1 : shDepth + ((1 - shDepth) * (s + 30)) / 60;
                val = tex.sample(tu, tv) * light;
              }
            }
          }
          // counter top (Y = COUNTER_Y)
          if (d[1] > 0) {
            const t = (COUNTER_Y - P[1]) / d[1];
            const z = P[2] + t * d[2];
            if (t > 0 && t < best && z >= COUNTER_FRONT && z <= WALL_Z) { best = t; val = counterTop(P[0] + t * d[0], z); }
          }
          // counter front (Z = COUNTER_FRONT, below the top)
          if (d[2] !== 0) {
            const t = (COUNTER_FRONT - P[2]) / d[2];
            const y = P[1] + t * d[1];
            if (t > 0 && t < best && y >= COUNTER_Y) { best = t; val = counterFront(P[0] + t * d[0], y); }
          }
          // wall
          if (best === Infinity && d[2] > 0) {
            const t = (WALL_Z - P[2]) / d[2];
            val = wall.sample((P[0] + t * d[0] - WALL_X0) * WALL_PX_CM, (P[1] + t * d[1] - WALL_Y0) * WALL_PX_CM);
          }
          acc += val;
        }
      // vignetting + light gradient (exposure-scaled irradiance)
      const nx = (px - W / 2) / (W / 2), ny = (py - H / 2) / (W / 2);
      const vig = 1 - 0.3 * (nx * nx + ny * ny);
      lin[py * W + px] = acc * inv * vig * (1 + gAmp * (nx * gx + ny * gy)) * pose.exposure;
    }

  // optics: Gaussian blur, plus horizontal motion blur (box) when the head moves
  let kx = gaussKernel(pose.blur);
  if (pose.motion > 0) {
    const m = Math.round(pose.motion), box = new Float32Array(kx.length + m);
    for (let i = 0; i < kx.length; i++) for (let j = 0; j <= m; j++) box[i + j] += kx[i] / (m + 1);
    kx = box;
  }
  const blurred = convolve(lin, W, H, kx, gaussKernel(pose.blur));

  // sensor: veiling flare, gamma 1/2.2, shot + read noise in DN, 8-bit
  const out = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) {
    const e = Math.min(1, blurred[i] + 0.015);
    const v = 255 * Math.pow(e, 1 / 2.2);
    const n = Math.sqrt(0.2 + 0.0026 * v) * gauss(r); // ~0.85 DN at 200, ~0.6 DN at 60
    out[i] = Math.max(0, Math.min(255, Math.round(v + n)));
  }
  return out;
}

/** What jsQR reads in a gray frame ("" when nothing). */
function jsqrReads(gray: Uint8Array): string {
  const rgba = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < W * H; i++) { rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray[i]; rgba[4 * i + 3] = 255; }
  return jsQR(rgba, W, H)?.data ?? "";
}

function writePng(file: string, gray: Uint8Array) {
  const png = new PNG({ width: W, height: H, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(gray);
  writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, deflateLevel: 9, deflateStrategy: 3 }));
}

// ---------------------------------------------------------------------------------------------- frames

/** The walk: 9 frames from 1.45 m (modules < 1 px, off to the side, tilted) to 0.27 m (modules ~5 px). */
function walk(): Pose[] {
  const r = mulberry32(SEED ^ 0x5eed);
  const poses: Pose[] = [];
  const N = FRAMES;
  for (let i = 0; i < N; i++) {
    const t = i / (N - 1);
    const dist = 145 * Math.pow(27 / 145, t);
    poses.push({
      dist,
      azim: -40 + 34 * t + (r() - 0.5) * 4,
      elev: 15 + 9 * t + (r() - 0.5) * 3,
      aimX: (1 - t) * -32 + (r() - 0.5) * 3, aimY: (1 - t) * -14 + (r() - 0.5) * 2,
      roll: -9 + 6 * t + (r() - 0.5) * 3,
      blur: 0.6 + 0.35 * t * t + r() * 0.15,
      exposure: 0.82 + r() * 0.12,
      motion: i === 5 ? 2 : 0,
    });
  }
  return poses;
}

export interface FrameInfo { file: string; jsqr: boolean; distanceCm: number; modulePx: number; viewDeg: number; blurSigmaPx: number; motionBlurPx: number; qrBox: number[] }

function frameInfo(file: string, pose: Pose, sign: SignInfo, gray: Uint8Array): FrameInfo {
  const cam = cameraOf(pose);
  const q = sign.qr!;
  const corners = [[q.x0, q.y0], [q.x0 + q.size, q.y0], [q.x0 + q.size, q.y0 + q.size], [q.x0, q.y0 + q.size]]
    .map(([x, y]) => project(cam, x, y));
  const side = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const n = q.size / MOD;
  const minSide = Math.min(side(corners[0], corners[1]), side(corners[1], corners[2]), side(corners[2], corners[3]), side(corners[3], corners[0]));
  const c: V3 = [-cam.pos[0], -cam.pos[1], -cam.pos[2]];
  const view = (Math.acos(Math.abs(dot(norm(c), SIGN_N))) * 180) / Math.PI;
  for (const [x, y] of corners) if (x < 4 || y < 4 || x > W - 4 || y > H - 4) throw new Error(`${file}: QR leaves the frame`);
  return {
    file, jsqr: jsqrReads(gray) === (sign.content ?? ""), distanceCm: Math.round(pose.dist), modulePx: Math.round((minSide / n) * 100) / 100,
    viewDeg: Math.round(view), blurSigmaPx: Math.round(pose.blur * 100) / 100, motionBlurPx: pose.motion, qrBox: corners.flat().map((v) => Math.round(v)),
  };
}

function makeFrames(out: string) {
  const wall = makeWall(SEED + 1);
  const sign = makeSign(PAYLOAD, SEED + 2);
  const poses = walk();
  const dirs = { frames: path.join(out, "frames"), tampered: path.join(out, "frames-tampered"), nocode: path.join(out, "frames-nocode") };
  for (const d of Object.values(dirs)) {
    mkdirSync(d, { recursive: true });
    for (const f of readdirSync(d)) if (/^frame-.*\.png$/.test(f)) rmSync(path.join(d, f));
  }
  writeFileSync(path.join(out, "payload.txt"), PAYLOAD);
  const infos: FrameInfo[] = [];
  poses.forEach((pose, i) => {
    const file = `frame-${String(i).padStart(2, "0")}.png`;
    const gray = render({ pose, sign, wall, seed: SEED + 100 + i });
    writePng(path.join(dirs.frames, file), gray);
    infos.push(frameInfo(file, pose, sign, gray));
  });
  // tampered: the pose of the second-to-last frame, fresh noise; nocode: the pose of the one before
  const tSign = makeSign(TAMPERED, SEED + 2);
  const tPose = { ...poses[FRAMES - 2], roll: poses[FRAMES - 2].roll + 2, exposure: poses[FRAMES - 2].exposure * 0.95 };
  const tGray = render({ pose: tPose, sign: tSign, wall, seed: SEED + 200 });
  writePng(path.join(dirs.tampered, "frame-00.png"), tGray);
  const tInfo = frameInfo("frame-00.png", tPose, tSign, tGray);
  writePng(path.join(dirs.nocode, "frame-00.png"), render({ pose: poses[FRAMES - 3], sign: makeSign(null, SEED + 2), wall, seed: SEED + 300 }));
  writeFileSync(path.join(dirs.frames, "frames.json"), JSON.stringify({ payload: PAYLOAD, width: W, height: H, focalPx: F, frames: infos }, null, 1) + "\n");
  writeFileSync(path.join(dirs.tampered, "README.md"), readmeTampered(tInfo));
  writeFileSync(path.join(dirs.nocode, "README.md"), readmeNocode());
  writeFileSync(path.join(dirs.frames, "README.md"), readmeFrames(infos, sign.qr!.version));
}

const GEN = "Generated by `node --import tsx tools/demo/make-assets.ts` (seed " + SEED + "); do not edit by hand, re-run the script.\n" +
  "Licence: Apache-2.0, same as the project. No photographs or third-party images are involved: everything is drawn by the script.\n";

function readmeFrames(infos: FrameInfo[], version: number): string {
  return `# Demo camera frames

${GEN}
What a glasses camera sees while the wearer walks up to a coffee-shop counter: a card sign on the counter
carries the merchant-presented payment QR of \`../payload.txt\` (EMVCo MPM, HK FPS-like, merchant "Luckin Coffee",
HKD 25.00, CRC-16/CCITT-FALSE in tag 63). The code is made by the \`qrcode\` package (error correction M, version
${version}, ${version * 4 + 17}x${version * 4 + 17} modules).

- \`frame-00.png\` ... \`frame-${String(infos.length - 1).padStart(2, "0")}.png\`: 640x480, 8-bit grayscale PNG, in time order.
- \`frames.json\`: the payload and, per frame, the camera distance, the angle between the view ray and the sign's
  normal, the smallest projected module size, the blur applied and the projected QR corners (TL, TR, BR, BL, px):
  the ground truth for tests.

How they are made: a small ray-cast world (card sign leaning back 14 deg and turned 18 deg on a counter, with a
cup and a card terminal, in front of a wall with menu boards, a poster, a shelf, price tags and machines), seen
by a pinhole camera (f = 560 px) on a walking path, 3x3 supersampled. Then, per frame: a soft shadow edge across
the sign, a light gradient and vignetting, Gaussian blur (optics; frame 05 also has a 2 px horizontal motion blur, a head turn),
veiling flare, gamma 1/2.2 and signal-dependent sensor noise (about 0.6 DN on dark ink to 0.85 DN on white paper,
the level left after a camera ISP's denoising; kept low so the PNGs stay small).

| frame | distance | view angle | module size (min) | blur sigma | motion blur |
|---|---|---|---|---|---|
${infos.map((f) => `| ${f.file} | ${f.distanceCm} cm | ${f.viewDeg} deg | ${f.modulePx.toFixed(2)} px | ${f.blurSigmaPx} px | ${f.motionBlurPx} px |`).join("\n")}

The first frames are far, small and tilted (modules under 2 px: a decoder is not expected to read them); from
frame 05 on, the modules are 2.5 px and more. jsQR 1.4.0 reads ${infos.filter((f) => f.jsqr).length} of the ${infos.length} frames
(${infos.filter((f) => f.jsqr).map((f) => f.file.slice(6, 8)).join(", ")}; \`jsqr\` in \`frames.json\`), so a reader has to keep trying frame
after frame; \`tests/demo-assets.test.ts\` checks this.
See also \`../frames-tampered/\` (amount altered, CRC not fixed) and \`../frames-nocode/\` (no code).
`;
}

function readmeTampered(info: FrameInfo): string {
  return `# Tampered frame (negative test)

${GEN}
\`frame-00.png\`: the same scene as \`../frames/\` (pose of frame ${String(FRAMES - 2).padStart(2, "0")}, module size ${info.modulePx.toFixed(2)} px), but the QR
carries the demo payload with the amount changed from 25.00 to 95.00 and the original CRC kept:

\`\`\`
${TAMPERED}
\`\`\`

The QR itself is valid and decodes; the EMV CRC-16/CCITT-FALSE check must reject the payload
(it computes ${crc16(TAMPERED.slice(0, -4))}, the payload says ${TAMPERED.slice(-4)}).
`;
}

function readmeNocode(): string {
  return `# Frame without a code (negative test)

${GEN}
\`frame-00.png\`: the same scene as \`../frames/\` (pose of frame ${String(FRAMES - 3).padStart(2, "0")}), the sign shows a cup drawing and a price list
instead of a QR code. A decoder must report no code.
`;
}

// ---------------------------------------------------------------------------------------------- audio

/** Chosen clips (corpus-relative paths). See the README written below for why. */
const OWNER = "d5b963aa", IMPOSTOR = "837a0f64";
const AUDIO: { file: string; label: string; speaker: string; source: string; role: string }[] = [
  { file: "enroll-1.wav", label: "yes", speaker: OWNER, source: `speech_commands_v0.02_test/yes/${OWNER}_nohash_0.wav`, role: "owner enrolment 1" },
  { file: "enroll-2.wav", label: "yes", speaker: OWNER, source: `speech_commands_v0.02_test/yes/${OWNER}_nohash_1.wav`, role: "owner enrolment 2" },
  { file: "enroll-3.wav", label: "yes", speaker: OWNER, source: `speech_commands_v0.02_test/yes/${OWNER}_nohash_2.wav`, role: "owner enrolment 3" },
  { file: "yes.wav", label: "yes", speaker: OWNER, source: `speech_commands_v0.02_test/yes/${OWNER}_nohash_4.wav`, role: "owner confirms (not an enrolment clip)" },
  { file: "no.wav", label: "no", speaker: OWNER, source: `speech_commands_v0.02_test/no/${OWNER}_nohash_1.wav`, role: "owner declines" },
  { file: "impostor-yes.wav", label: "yes", speaker: IMPOSTOR, source: `speech_commands_v0.02_test/yes/${IMPOSTOR}_nohash_0.wav`, role: "a different speaker says yes" },
];

function wavStats(buf: Buffer) {
  if (buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") throw new Error("not a WAV");
  let off = 12, fmt: { ch: number; rate: number; bits: number; tag: number } | null = null, data: Buffer | null = null;
  while (off + 8 <= buf.length) {
    const id = buf.toString("ascii", off, off + 4), len = buf.readUInt32LE(off + 4);
    if (id === "fmt ") fmt = { tag: buf.readUInt16LE(off + 8), ch: buf.readUInt16LE(off + 10), rate: buf.readUInt32LE(off + 12), bits: buf.readUInt16LE(off + 22) };
    if (id === "data") data = buf.subarray(off + 8, off + 8 + len);
    off += 8 + len + (len & 1);
  }
  if (!fmt || !data) throw new Error("WAV without fmt/data");
  let ss = 0, peak = 0;
  const n = data.length >> 1;
  for (let i = 0; i < n; i++) { const s = data.readInt16LE(2 * i); ss += s * s; peak = Math.max(peak, Math.abs(s)); }
  return { ...fmt, samples: n, rmsDbfs: Math.round(10 * Math.log10(ss / n / 32768 / 32768) * 10) / 10, peak };
}

function makeAudio(out: string, corpus: string) {
  const dir = path.join(out, "audio");
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [], manifest: any[] = [];
  for (const a of AUDIO) {
    const src = path.join(corpus, a.source);
    if (!existsSync(src)) throw new Error(`missing corpus clip ${src} (pass --corpus DIR)`);
    rmSync(path.join(dir, a.file), { force: true });
    writeFileSync(path.join(dir, a.file), readFileSync(src), { mode: 0o644 });
    const buf = readFileSync(path.join(dir, a.file));
    if (!buf.equals(readFileSync(src))) throw new Error("copy differs");
    const st = wavStats(buf);
    if (st.tag !== 1 || st.ch !== 1 || st.rate !== 16000 || st.bits !== 16) throw new Error(`${a.source}: not 16 kHz mono int16 PCM`);
    const sha1 = createHash("sha1").update(buf).digest("hex");
    manifest.push({ file: a.file, label: a.label, speaker: a.speaker, source: a.source, role: a.role,
      dataset: "Speech Commands v0.02 (Warden 2018)", licence: "CC BY 4.0", sha1, rms_dbfs: st.rmsDbfs, peak: st.peak });
    rows.push(`| ${a.file} | ${a.label} | ${a.speaker} | \`${a.source}\` | ${a.role} | ${st.rmsDbfs} dBFS | ${sha1.slice(0, 12)} |`);
  }
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
  writeFileSync(path.join(dir, "README.md"), `# Demo audio: real speech, Speech Commands v0.02

Copied byte-exact (no conversion: the sources already are 16 kHz, mono, 16-bit PCM WAV, 1.0 s) by
\`node --import tsx tools/demo/make-assets.ts\` from the project's dev corpus
(\`/work/shared/corpus/speech/speech_commands_v0.02_test\`, the dev half of the official Speech Commands v0.02 test
split; the other half is a hold-out kept elsewhere and is not used here).

**Dataset:** Speech Commands v0.02, Pete Warden / Google. Warden P., "Speech Commands: A Dataset for
Limited-Vocabulary Speech Recognition", arXiv:1804.03209, 2018.
**Licence:** Creative Commons Attribution 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/. Changes: files selected and renamed; audio unchanged.
The speaker id is the dataset's anonymous contributor id (the 8 hex digits before \`_nohash_\`).

| file | label | speaker | original file (corpus path) | role | RMS | sha1 |
|---|---|---|---|---|---|---|
${rows.join("\n")}

Why these: speaker \`${OWNER}\` is one of the few dev-side speakers with five distinct "yes" and five distinct
"no" takes (several others with many takes have byte-identical duplicates, e.g. 4c6167ca and 9a7c1f83, which would
make enrolment and confirmation the same recording). Its takes are clean and clearly audible (RMS -19 to -23 dBFS,
no clipping, the word well inside the 1 s window, a very low noise floor). Enrolment uses takes 0-2, the confirmation
is take 4 (take 3 is unused), "no" is take 1. The impostor \`${IMPOSTOR}\` is a different contributor whose "yes" is
equally clean and loud (-20.5 dBFS, similar low noise floor), so telling them apart takes the voice, not the level
or the background.

\`manifest.json\`: \`{file, label, speaker, source, role, dataset, licence, sha1, rms_dbfs, peak}\` per clip.
`);
}

// ---------------------------------------------------------------------------------------------- main

function defaultCorpus(): string {
  return process.env.SPEECH_CORPUS ?? sharedPath("corpus", "speech");
}

function main(argv: string[]) {
  let out = path.join(REPO, "assets", "demo"), only: string | null = null, corpus = defaultCorpus();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") out = path.resolve(argv[++i]);
    else if (a === "--only") only = argv[++i];
    else if (a === "--corpus") corpus = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a}; usage: make-assets.ts [--out DIR] [--only frames|audio] [--corpus DIR]`);
  }
  if (only !== null && only !== "frames" && only !== "audio") throw new Error("--only takes frames or audio");
  mkdirSync(out, { recursive: true });
  if (only !== "audio") makeFrames(out);
  if (only !== "frames") makeAudio(out, corpus);
  console.log(`wrote ${out}: payload ${PAYLOAD}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
