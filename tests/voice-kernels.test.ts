// The int8 kernels (assembly/voice/kws.ts) against a float reference: random layers with per-channel
// scales (tools/voice/golden/voice_golden.json "kernels"); the requantised int8 output may differ from
// round(float) by at most 1 LSB (fixed-point multiplier rounding). Also: the packed fast path used by the
// network equals the generic kernel, and the network's MAC count stays within the budget.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "../host/boards.ts";
import { VoiceEngine } from "../host/commands/voice.ts";

const K = JSON.parse(readFileSync(path.join(REPO, "tools/voice/golden/voice_golden.json"), "utf8")).kernels;
let v: VoiceEngine;
let base = 0;
let cursor = 0;
before(async () => { v = await VoiceEngine.open({ board: "desktop" }); base = await v.dev.call("voiceScratch"); });
after(async () => { await v?.close(); });

async function put(bytes: Uint8Array): Promise<number> {
  const p = base + cursor;
  await v.dev.write(p, bytes);
  cursor += (bytes.length + 15) & ~15;
  return p;
}
const i8 = (a: number[]) => new Uint8Array(Int8Array.from(a).buffer);
const i32 = (a: number[]) => new Uint8Array(Int32Array.from(a).buffer);
async function readI8(p: number, n: number) { return new Int8Array((await v.dev.read(p, n)).buffer.slice(0)); }

function check(out: Int8Array, ref: number[], what: string) {
  let worst = 0, diff = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = Math.max(0, Math.min(127, Math.round(ref[i])));
    const d = Math.abs(out[i] - r);
    worst = Math.max(worst, d);
    if (d) diff++;
  }
  assert.ok(worst <= 1, `${what}: int8 output differs from the float reference by ${worst} LSB`);
  return diff;
}

describe("voice int8 kernels vs float reference", () => {
  const { T, F, C, CO } = K;
  const x: number[] = K.x, xr: number[] = K.xr;
  const at = (a: number[], t: number, f: number, c: number, CC: number) => (t < 0 || t >= T || f < 0 || f >= F ? 0 : a[(t * F + f) * CC + c]);

  test("convolution 3×2, stride 2×2, padding (1, 0), per-channel scales", async () => {
    cursor = 0;
    const L = K.conv, KT = 3, KF = 2, TO = Math.floor((T + 2 - KT) / 2) + 1, FO = Math.floor((F - KF) / 2) + 1;
    const pin = await put(i8(x)), pw = await put(i8(L.w)), pb = await put(i32(L.b)), pm = await put(i32(L.mult)), ps = await put(i32(L.shift));
    const pout = await put(new Uint8Array(TO * FO * CO));
    await v.dev.call("voiceConvI8", pin, T, F, C, pw, pb, pm, ps, KT, KF, 2, 2, 1, 0, CO, pout, TO, FO, 0);
    const ref: number[] = [];
    for (let to = 0; to < TO; to++) for (let fo = 0; fo < FO; fo++) for (let co = 0; co < CO; co++) {
      let acc = L.b[co];
      for (let kt = 0; kt < KT; kt++) for (let kf = 0; kf < KF; kf++) for (let c = 0; c < C; c++)
        acc += at(x, to * 2 + kt - 1, fo * 2 + kf, c, C) * L.w[((co * KT + kt) * KF + kf) * C + c];
      ref.push(acc * 0.05 * L.m[co]);
    }
    check(await readI8(pout, TO * FO * CO), ref, "conv");
  });

  test("depthwise 3×3 with zero padding", async () => {
    cursor = 0;
    const L = K.dw;
    const pin = await put(i8(xr)), pw = await put(i8(L.w)), pb = await put(i32(L.b)), pm = await put(i32(L.mult)), ps = await put(i32(L.shift));
    const pout = await put(new Uint8Array(T * F * C));
    await v.dev.call("voiceDepthwiseI8", pin, T, F, C, 3, pw, pb, pm, ps, pout, 0);
    const ref: number[] = [];
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) for (let c = 0; c < C; c++) {
      let acc = L.b[c];
      for (let kt = 0; kt < 3; kt++) for (let kf = 0; kf < 3; kf++) acc += at(xr, t + kt - 1, f + kf - 1, c, C) * L.w[(c * 3 + kt) * 3 + kf];
      ref.push(acc * 0.05 * L.m[c]);
    }
    check(await readI8(pout, T * F * C), ref, "depthwise");
  });

  test("pointwise 1×1 and dense + softmax", async () => {
    cursor = 0;
    const L = K.pw, N = T * F;
    const pin = await put(i8(xr)), pw = await put(i8(L.w)), pb = await put(i32(L.b)), pm = await put(i32(L.mult)), ps = await put(i32(L.shift));
    const pout = await put(new Uint8Array(N * CO));
    await v.dev.call("voicePointwiseI8", pin, N, C, CO, pw, pb, pm, ps, pout, 0);
    const ref: number[] = [];
    for (let n = 0; n < N; n++) for (let co = 0; co < CO; co++) {
      let acc = L.b[co];
      for (let c = 0; c < C; c++) acc += xr[n * C + c] * L.w[co * C + c];
      ref.push(acc * 0.05 * L.m[co]);
    }
    check(await readI8(pout, N * CO), ref, "pointwise");
    // dense: int32 accumulators exactly, then per-channel dequantised softmax
    const D = K.fc;
    const pd = await put(i8(D.w)), pdb = await put(i32(D.b)), pacc = await put(new Uint8Array(CO * 4));
    await v.dev.call("voiceDenseI8", pin, C, CO, pd, pdb, pacc);
    const acc = new Int32Array((await v.dev.read(pacc, CO * 4)).buffer.slice(0));
    const deq = D.m.map((m: number) => 0.05 * m);
    for (let co = 0; co < CO; co++) {
      let a = D.b[co];
      for (let c = 0; c < C; c++) a += xr[c] * D.w[co * C + c];
      assert.equal(acc[co], a);
    }
    const pdeq = await put(new Uint8Array(Float32Array.from(deq).buffer)), psm = await put(new Uint8Array(CO * 4));
    await v.dev.call("voiceSoftmaxDeq", pacc, pdeq, CO, psm);
    const sm = new Float32Array((await v.dev.read(psm, CO * 4)).buffer.slice(0));
    const z = Array.from(acc).map((a, i) => a * deq[i]), mx = Math.max(...z), e = z.map((u) => Math.exp(u - mx)), s = e.reduce((p, q) => p + q);
    for (let i = 0; i < CO; i++) assert.ok(Math.abs(sm[i] - e[i] / s) < 1e-5);
  });

  test("average pooling rounds half up", async () => {
    cursor = 0;
    const vals = [0, 1, 2, 3, 127, 126, 5, 0, 0, 1];   // N=5, C=2
    const pin = await put(i8(vals)), pout = await put(new Uint8Array(2));
    await v.dev.call("voiceAvgPoolI8", pin, 5, 2, pout);
    const out = await readI8(pout, 2);
    assert.equal(out[0], Math.floor((0 + 2 + 127 + 5 + 0 + 2) / 5));
    assert.equal(out[1], Math.floor((1 + 3 + 126 + 0 + 1 + 2) / 5));
  });

  test("network size within the issue's budget (≤ 64 KB weights, ≤ 5 M MACs)", async () => {
    const macs = await v.dev.call("voiceKwsMacs");
    assert.ok(macs <= 5_000_000, `${macs} MACs`);
    const meta = JSON.parse(readFileSync(path.join(REPO, "assembly/voice/model.ts"), "utf8").split("\n")[2].slice(3));
    assert.ok(meta.weights_bytes + meta.bias_bytes <= 64 * 1024, `${meta.weights_bytes} B weights`);
  });
});
