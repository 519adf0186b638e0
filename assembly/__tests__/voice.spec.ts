import { OK, E_AUDIO_FORMAT, E_TRUNCATED, E_FORMAT, E_VOICE_PROFILE, E_STATE } from "../errors";
import { parseWav } from "../voice/wav";
import { requantTest, avgPoolI8, denseI8, pointwiseI8, packWeights3, packedDenseRelu3, LANES3_BLOCKS } from "../voice/kws";
import { quantizeFrame, kwsRun, kwsLastLayerPtr } from "../voice/kws";
import { kwsStreamReset, kwsStreamFrame, kwsStreamRingPtr } from "../voice/kws-stream";
import { IN_MU } from "../voice/model";
import { frontendReset, frontendHop, cepFrame, logMelPtr, frameCountSinceReset } from "../voice/frontend";
import { enrolBegin, enrolAdd, enrolFinish, profileBufferPtr, profileValid, verifyUtterance, enrolNoisyCopy, PROFILE_BYTES, lastVerifyScore, CONSENT_THRESHOLD, ubmTopCompare, TOP, K, DIM } from "../voice/speaker";
import { UBM_MEAN, UBM_PREC } from "../voice/ubm";
import { templatesBegin, templateAdd, templatesWrite, templatesLoad, templateSims, TEMPLATE_BYTES, TEMPLATE_SLOTS } from "../voice/word-template";
import { kwsPooledPtr } from "../voice/kws";
import { detectorReset, detectorUpdate, detectorSetThreshold, eventCount, eventClass } from "../voice/detector";
import { codeWordName, codeWordIndex, codeWordMask, CODE_VOCAB_SIZE } from "../voice/code-words";
import { consentBegin, consentFeed, consentFlush, consentReason, consentThreshold,
  CONSENT_PENDING, CONSENT_NO_PROFILE, CONSENT_WRONG_CODE } from "../voice/consent";

function put4(d: Uint8Array, o: i32, s: string): void { for (let i = 0; i < 4; i++) d[o + i] = <u8>s.charCodeAt(i); }
function w32(d: Uint8Array, o: i32, v: i32): void { d[o] = <u8>v; d[o + 1] = <u8>(v >> 8); d[o + 2] = <u8>(v >> 16); d[o + 3] = <u8>(v >> 24); }
function w16(d: Uint8Array, o: i32, v: i32): void { d[o] = <u8>v; d[o + 1] = <u8>(v >> 8); }
function wavHeader(rate: i32, ch: i32, bits: i32, fmtTag: i32, dataBytes: i32): Uint8Array {
  const d = new Uint8Array(44 + dataBytes);
  put4(d, 0, "RIFF"); w32(d, 4, 36 + dataBytes); put4(d, 8, "WAVE"); put4(d, 12, "fmt "); w32(d, 16, 16);
  w16(d, 20, fmtTag); w16(d, 22, ch); w32(d, 24, rate); w32(d, 28, rate * ch * (bits >> 3)); w16(d, 32, ch * (bits >> 3)); w16(d, 34, bits);
  put4(d, 36, "data"); w32(d, 40, dataBytes);
  return d;
}
let seed: u32 = 12345;
function rnd(): i32 { seed = seed * 1103515245 + 12345; return <i32>((seed >> 16) & 0xff) - 128; }

describe("voice wav parser (command face)", () => {
  it("reads 16-bit mono exactly", () => {
    const d = wavHeader(16000, 1, 16, 1, 6);
    d[44] = 0x01; d[45] = 0x00; d[46] = 0xff; d[47] = 0xff; d[48] = 0x00; d[49] = 0x80;
    const r = parseWav(d);
    expect(r.status).toBe(OK);
    expect(r.samples.length).toBe(3);
    expect(r.samples[0]).toBe(1); expect(r.samples[1]).toBe(-1); expect(r.samples[2]).toBe(-32768);
  });
  it("mixes stereo 24-bit to mono, keeping the top 16 bits", () => {
    const d = wavHeader(16000, 2, 24, 1, 6);
    // left = 0x123456 → 0x1234, right = 0x001000 → 0x0010
    d[44] = 0x56; d[45] = 0x34; d[46] = 0x12; d[47] = 0x00; d[48] = 0x10; d[49] = 0x00;
    const r = parseWav(d);
    expect(r.status).toBe(OK);
    expect(r.samples[0]).toBe(<i16>Math.round((0x1234 + 0x0010) / 2.0));
  });
  it("reads float32 and 8-bit", () => {
    const f = wavHeader(16000, 1, 32, 3, 4);
    store<f32>(f.dataStart + 44, 0.5);
    expect(parseWav(f).samples[0]).toBe(16384);
    const b = wavHeader(16000, 1, 8, 1, 1);
    b[44] = 0;
    expect(parseWav(b).samples[0]).toBe(-32768);
  });
  it("refuses other rates, truncation and non-WAV with clear codes", () => {
    expect(parseWav(wavHeader(8000, 1, 16, 1, 2)).status).toBe(E_AUDIO_FORMAT);
    const t = wavHeader(16000, 1, 16, 1, 100);
    expect(parseWav(t.subarray(0, 60)).status).toBe(E_TRUNCATED);
    expect(parseWav(t.subarray(0, 30)).status).toBe(E_TRUNCATED);
    expect(parseWav(t.subarray(0, 8)).status).toBe(E_TRUNCATED);
    const junk = new Uint8Array(50);
    expect(parseWav(junk).status).toBe(E_FORMAT);
    expect(parseWav(new Uint8Array(0)).status).toBe(E_FORMAT);
    expect(parseWav(wavHeader(16000, 1, 12, 1, 2)).status).toBe(E_AUDIO_FORMAT);
    expect(parseWav(wavHeader(16000, 1, 16, 2, 2)).status).toBe(E_AUDIO_FORMAT);
  });
});

describe("voice int8 kernels", () => {
  it("requantises with rounding and clamps to [0, 127]", () => {
    // mult 2^30, shift 31 → × 0.5
    expect(requantTest(10, 1 << 30, 31)).toBe(5);
    expect(requantTest(11, 1 << 30, 31)).toBe(6);
    expect(requantTest(-11, 1 << 30, 31)).toBe(0);
    expect(requantTest(1000, 1 << 30, 31)).toBe(127);
  });
  it("three-lane packed dense is exact for signed inputs at conv1's width and at the limit Cin = 65", () => {
    // conv1's inputs are signed z-scores: lane sums reach ±Cin·127·127 (±645,160 at Cin 40), and neighbouring
    // lanes can have opposite signs (a borrow between lanes). The bias cancels the scalar sum and the scale is
    // ×1, so every output must be exactly 64: any error in any lane shows.
    const Cout = 64;
    for (let k = 0; k < 2; k++) {
      const Cin = k == 0 ? 40 : 65;
      const x = new StaticArray<i8>(Cin), w = new StaticArray<i8>(Cin * Cout), b = new StaticArray<i32>(Cout);
      const m = new StaticArray<i32>(Cout), s = new StaticArray<i32>(Cout);
      const packed = new StaticArray<i64>(LANES3_BLOCKS * Cin * 8);
      const o1 = new StaticArray<i8>(Cout), o2 = new StaticArray<i8>(Cout);
      for (let round = 0; round < 5; round++) {
        // 0: random signs; 1: all sums −Cin·127²; 2: all +Cin·127²; 3: ±Cin·127² alternating by channel (x all 127);
        // 4: the same with x alternating in sign too
        for (let i = 0; i < Cin; i++) x[i] = round == 0 ? <i8>max(-127, rnd()) : round == 4 && (i & 1) ? -127 : round >= 3 ? 127 : -127;
        for (let c = 0; c < Cout; c++) for (let i = 0; i < Cin; i++) {
          w[c * Cin + i] = round == 0 ? <i8>max(-127, rnd()) : round == 1 ? 127 : round == 2 ? -127
            : round == 3 ? (c & 1 ? -127 : 127) : ((c + i) & 1 ? -127 : 127);
        }
        for (let c = 0; c < Cout; c++) {
          let sum = 0;
          for (let i = 0; i < Cin; i++) sum += <i32>x[i] * <i32>w[c * Cin + i];
          if (round > 0) expect(abs(sum)).toBe(Cin * 127 * 127);
          b[c] = 64 - sum; m[c] = 1 << 30; s[c] = 30;
        }
        packWeights3(changetype<usize>(w), Cin, Cout, changetype<usize>(packed));
        packedDenseRelu3(changetype<usize>(x), Cin, Cout, changetype<usize>(packed), changetype<usize>(b), changetype<usize>(m), changetype<usize>(s), changetype<usize>(o1));
        pointwiseI8(changetype<usize>(x), 1, Cin, Cout, changetype<usize>(w), changetype<usize>(b), changetype<usize>(m), changetype<usize>(s), changetype<usize>(o2), 0);
        for (let c = 0; c < Cout; c++) { expect(o1[c]).toBe(64); expect(o2[c]).toBe(64); }
      }
    }
  });
  it("three-lane packed dense equals the generic pointwise kernel, also at the largest sums", () => {
    const Cin = 64, Cout = 64;
    const x = new StaticArray<i8>(Cin), w = new StaticArray<i8>(Cin * Cout), b = new StaticArray<i32>(Cout);
    const m = new StaticArray<i32>(Cout), s = new StaticArray<i32>(Cout);
    const packed = new StaticArray<i64>(LANES3_BLOCKS * Cin * 8);
    const o1 = new StaticArray<i8>(Cout), o2 = new StaticArray<i8>(Cout);
    for (let round = 0; round < 3; round++) {
      // round 0: random; 1: every product +127·127 (sums at the bound); 2: alternating signs per channel
      for (let i = 0; i < Cin; i++) x[i] = round == 0 ? <i8>max(0, rnd()) : 127;
      for (let i = 0; i < Cin * Cout; i++) w[i] = round == 0 ? <i8>max(-127, rnd()) : round == 1 ? 127 : ((i / Cin) & 1 ? -127 : 127);
      // ×2^-14 keeps sums near 2^20 inside [0, 127], so a lane error would show
      for (let i = 0; i < Cout; i++) { b[i] = round == 0 ? rnd() * 20 : -i; m[i] = round == 0 ? 1500000000 - i * 1000 : 1 << 30; s[i] = round == 0 ? 38 + (i & 3) : 44; }
      packWeights3(changetype<usize>(w), Cin, Cout, changetype<usize>(packed));
      packedDenseRelu3(changetype<usize>(x), Cin, Cout, changetype<usize>(packed), changetype<usize>(b), changetype<usize>(m), changetype<usize>(s), changetype<usize>(o1));
      pointwiseI8(changetype<usize>(x), 1, Cin, Cout, changetype<usize>(w), changetype<usize>(b), changetype<usize>(m), changetype<usize>(s), changetype<usize>(o2), 0);
      let nonzero = 0;
      for (let i = 0; i < Cout; i++) { expect(o1[i]).toBe(o2[i]); if (o1[i] != 0) nonzero++; }
      expect(nonzero).toBeGreaterThan(0);
    }
  });
  it("the streaming network computes the same rows as the whole-window network, away from the window's end", () => {
    // 50 cepstrum frames of a varying signal; the whole window sees frames 0..49, the stream the same frames
    // one at a time (before frame 0 both see zeros). Rows 4..18 of the last block depend on neither the
    // window's end padding nor the rows a stream computes before its first frame.
    const cep = new StaticArray<f32>(50 * 13);
    for (let t = 0; t < 50; t++) for (let f = 0; f < 13; f++)
      cep[t * 13 + f] = (f < 10 ? IN_MU[f] : 0) + <f32>rnd() * 0.15 + <f32>Math.sin(<f64>(t * (f + 1)) * 0.3) * 8;
    for (let t = 0; t < 50; t++) quantizeFrame(changetype<usize>(cep) + <usize>(t * 13 * 4), t);
    kwsRun();
    kwsStreamReset();
    for (let t = 0; t < 50; t++) kwsStreamFrame(changetype<usize>(cep) + <usize>(t * 13 * 4));
    kwsStreamFrame(changetype<usize>(cep));   // a 51st frame: the last row's later blocks run with it
    const whole = kwsLastLayerPtr(), ring = kwsStreamRingPtr();
    let nonzero = 0;
    for (let m = 4; m <= 18; m++) {
      for (let f = 0; f < 5; f++) for (let c = 0; c < 64; c++) {
        const a = load<i8>(whole + <usize>(((m + 1) * 7 + f + 1) * 64 + c));
        const b = load<i8>(ring + <usize>((((m + 4) % 25) * 5 + f) * 64 + c));
        expect(b).toBe(a);
        if (a != 0) nonzero++;
      }
    }
    expect(nonzero).toBeGreaterThan(1000);
  });
  it("dense accumulates exactly and pooling rounds", () => {
    const x = new StaticArray<i8>(3); x[0] = 1; x[1] = -2; x[2] = 3;
    const w = new StaticArray<i8>(6); w[0] = 10; w[1] = 20; w[2] = 30; w[3] = -1; w[4] = -1; w[5] = -1;
    const b = new StaticArray<i32>(2); b[0] = 100; b[1] = 0;
    const out = new StaticArray<i32>(2);
    denseI8(changetype<usize>(x), 3, 2, changetype<usize>(w), changetype<usize>(b), changetype<usize>(out));
    expect(out[0]).toBe(100 + 10 - 40 + 90);
    expect(out[1]).toBe(-2);
    const p = new StaticArray<i8>(4); p[0] = 1; p[1] = 2; p[2] = 2; p[3] = 2;   // N=2, C=2: (1+2)/2, (2+2)/2
    const po = new StaticArray<i8>(2);
    avgPoolI8(changetype<usize>(p), 2, 2, changetype<usize>(po));
    expect(po[0]).toBe(2); expect(po[1]).toBe(2);
  });
});

describe("voice front end", () => {
  it("silence gives the log floor and streams one frame per hop", () => {
    frontendReset();
    const hop = new StaticArray<i16>(320);
    for (let i = 0; i < 5; i++) frontendHop(changetype<usize>(hop));
    expect(frameCountSinceReset()).toBe(5);
    const lm = load<f32>(logMelPtr());
    expect(Mathf.abs(lm - Mathf.log(<f32>1e-6))).toBeLessThan(<f32>1e-3);
  });
  it("a 1 kHz tone peaks in the mel band around 1 kHz", () => {
    frontendReset();
    const hop = new StaticArray<i16>(320);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 320; i++) hop[i] = <i16>(10000 * Math.sin(2 * Math.PI * 1000 * <f64>(k * 320 + i) / 16000));
      frontendHop(changetype<usize>(hop));
    }
    let best = 0;
    for (let m = 1; m < 40; m++) if (load<f32>(logMelPtr() + (<usize>m << 2)) > load<f32>(logMelPtr() + (<usize>best << 2))) best = m;
    expect(best).toBeGreaterThanOrEqual(17);
    expect(best).toBeLessThanOrEqual(19);
  });
});

describe("voice detector", () => {
  it("fires once above threshold, then respects the refractory period", () => {
    detectorReset();
    detectorSetThreshold(0.7);
    const sc = new StaticArray<f32>(12);
    sc[2] = 0.9; sc[1] = 0.1;
    let fired = 0;
    for (let i = 0; i < 10; i++) if (detectorUpdate(changetype<usize>(sc), <i64>(i * 40)) >= 0) fired++;
    expect(fired).toBe(1);
    expect(eventCount()).toBe(1);
    expect(eventClass(0)).toBe(2);
    // held while the class stays high; released once it falls, then a new detection
    expect(detectorUpdate(changetype<usize>(sc), 1000)).toBe(-1);
    const low = new StaticArray<f32>(12);
    low[0] = 1.0;
    for (let i = 0; i < 3; i++) detectorUpdate(changetype<usize>(low), <i64>(1100 + i * 40));
    for (let i = 0; i < 3; i++) detectorUpdate(changetype<usize>(sc), <i64>(1300 + i * 40));
    expect(eventCount()).toBe(2);
  });
  it("ignores _silence_ and _unknown_", () => {
    detectorReset();
    const sc = new StaticArray<f32>(12);
    sc[0] = 1.0;
    for (let i = 0; i < 5; i++) expect(detectorUpdate(changetype<usize>(sc), <i64>(i * 40))).toBe(-1);
  });
});

describe("voice speaker profile", () => {
  it("needs 3 utterances, round-trips and rejects corruption", () => {
    const n = 16000;
    const a = new StaticArray<i16>(n);
    enrolBegin();
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < n; i++) a[i] = <i16>(6000 * Math.sin(2 * Math.PI * (150 + 10 * k) * <f64>i / 16000) * (i > 4000 && i < 12000 ? 1.0 : 0.02));
      if (k < 2) { enrolAdd(changetype<usize>(a), n, k); expect(enrolFinish(-0.75, 0)).toBe(-E_STATE); }
      else enrolAdd(changetype<usize>(a), n, -1);
    }
    // words 0 and 1 were tagged; a profile for the whole code vocabulary needs words 2..4 too
    expect(enrolFinish(-0.75, codeWordMask())).toBe(-E_VOICE_PROFILE);
    // a profile that requires words is adapted on code-word clips only: two are too few (the other word does not count)
    expect(enrolFinish(-0.75, 3)).toBe(-E_STATE);
    const len = enrolFinish(-0.75, 0);
    expect(len).toBe(PROFILE_BYTES);
    expect(profileValid(profileBufferPtr(), len)).toBe(true);
    const r = verifyUtterance(profileBufferPtr(), len, changetype<usize>(a), n);
    expect(r).toBe(1);
    expect(lastVerifyScore()).toBeGreaterThan(<f32>-0.75);
    store<u8>(profileBufferPtr() + 20, load<u8>(profileBufferPtr() + 20) ^ 1);
    expect(verifyUtterance(profileBufferPtr(), len, changetype<usize>(a), n)).toBe(-E_VOICE_PROFILE);
    expect(profileValid(profileBufferPtr(), len - 1)).toBe(false);
  });

  it("the noise model's enrolment copies carry pink noise at the SNR asked for; a silent clip gets none", () => {
    const n = 16000;
    const a = new StaticArray<i16>(n), out = new StaticArray<i16>(n);
    for (let i = 0; i < n; i++) a[i] = <i16>(5000 * Math.sin(2 * Math.PI * 220 * <f64>i / 16000) * (i > 4000 && i < 12000 ? 1.0 : 0.02));
    for (let snr: f32 = 5; snr <= 15; snr += 10) {
      expect(enrolNoisyCopy(changetype<usize>(a), n, snr, 12345, changetype<usize>(out))).toBeGreaterThan(<f32>0);
      let ps: f64 = 0, pn: f64 = 0, pd: f64 = 0;
      for (let i = 0; i < n; i++) {
        const x = <f64>a[i], v = <f64>out[i] - x;
        ps += x * x; pn += v * v;
        if (i > 0) { const d = v - (<f64>out[i - 1] - <f64>a[i - 1]); pd += d * d; }
      }
      expect(Math.abs(10 * Math.log10(ps / pn) - <f64>snr)).toBeLessThan(0.1);
      // white noise's first difference has twice its power; pink noise's, whose power is mostly at low
      // frequencies, under half of it (about 0.44 for this generator: speaker.ts pinkNext)
      expect(pd / pn).toBeLessThan(0.6);
    }
    const quiet = new StaticArray<i16>(n);
    expect(enrolNoisyCopy(changetype<usize>(quiet), n, 10, 1, changetype<usize>(out))).toBe(<f32>0);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(<i16>0);
  });

  it("a consent profile is the same with or without clips of other words", () => {
    const n = 16000;
    const a = new StaticArray<i16>(n);
    const first = new StaticArray<u8>(PROFILE_BYTES);
    for (let pass = 0; pass < 2; pass++) {
      enrolBegin();
      for (let k = 0; k < CODE_VOCAB_SIZE; k++) {
        for (let i = 0; i < n; i++) a[i] = <i16>(5000 * Math.sin(2 * Math.PI * (140 + 15 * k) * <f64>i / 16000) * (i > 4000 && i < 12000 ? 1.0 : 0.02));
        expect(enrolAdd(changetype<usize>(a), n, k)).toBe(OK);
        if (pass == 1) {   // an other word between the code words
          for (let i = 0; i < n; i++) a[i] = <i16>(7000 * Math.sin(2 * Math.PI * (400 + 40 * k) * <f64>i / 16000) * (i > 3000 && i < 13000 ? 1.0 : 0.02));
          expect(enrolAdd(changetype<usize>(a), n, -1)).toBe(OK);
        }
      }
      expect(enrolFinish(0.5, codeWordMask())).toBe(PROFILE_BYTES);
      if (pass == 0) memory.copy(changetype<usize>(first), profileBufferPtr(), PROFILE_BYTES);
      else expect(memory.compare(changetype<usize>(first), profileBufferPtr(), PROFILE_BYTES)).toBe(0);
    }
  });
});

describe("voice speaker UBM scoring", () => {
  it("the early exit picks the same best components, with the same bits, as scoring all of them", () => {
    const x = new StaticArray<f32>(DIM), tp = new StaticArray<i32>(TOP), tl = new StaticArray<f32>(TOP), all = new StaticArray<f32>(K);
    let frames = 0, same = 0;
    // frames near a component's mean (a run drifting between components, as speech does) and far from all
    for (let f = 0; f < 400; f++) {
      const k = (f >> 3) * 37 % K;
      for (let d = 0; d < DIM; d++) {
        const sd = <f32>1 / Mathf.sqrt(load<f32>(UBM_PREC + (<usize>(k * DIM + d) << 2)));
        x[d] = load<f32>(UBM_MEAN + (<usize>(k * DIM + d) << 2)) + sd * <f32>rnd() / <f32>(f % 50 == 49 ? 8 : 64);
      }
      ubmTopCompare(changetype<usize>(x), changetype<usize>(tp), changetype<usize>(tl), changetype<usize>(all));
      // the t-th of ubmTop's list must have exactly t components above it in the exhaustive scores
      let ok = true;
      for (let t = 0; t < TOP; t++) {
        if (all[tp[t]] != tl[t]) ok = false;                     // the same bits as the full sum
        let above = 0;
        for (let j = 0; j < K; j++) if (all[j] > tl[t]) above++;
        if (above != t) ok = false;                              // exactly t components score higher
      }
      frames++;
      if (ok) same++;
    }
    expect(same).toBe(frames);
  });
});

describe("voice word templates", () => {
  it("a take's template is its own embedding's direction; another take's is not; empty words stay empty", () => {
    const n = 16000;
    const a = new StaticArray<i16>(n), b = new StaticArray<i16>(n);
    // two different "words": a low tone burst with a rising second tone, and a noise burst
    for (let i = 0; i < n; i++) {
      const on = i > 5000 && i < 11000 ? 1.0 : 0.0;
      a[i] = <i16>(on * (5000 * Math.sin(2 * Math.PI * 180 * <f64>i / 16000) + 3000 * Math.sin(2 * Math.PI * (600 + <f64>i / 20) * <f64>i / 16000)));
      b[i] = <i16>(on * <f64>rnd() * 40);
    }
    templatesBegin();
    templateAdd(changetype<usize>(a), n, 8000, 2);
    const embA = new StaticArray<i8>(64);
    memory.copy(changetype<usize>(embA), kwsPooledPtr(), 64);
    templateAdd(changetype<usize>(b), n, 8000, 4);
    const embB = new StaticArray<i8>(64);
    memory.copy(changetype<usize>(embB), kwsPooledPtr(), 64);
    const stored = new StaticArray<u8>(TEMPLATE_BYTES);
    templatesWrite(changetype<usize>(stored));
    for (let c = 0; c < 64; c++) expect(stored[c]).toBe(0);            // word 0 had no take
    templatesLoad(changetype<usize>(stored));
    const sims = new StaticArray<f32>(TEMPLATE_SLOTS);
    templateSims(changetype<usize>(embA), TEMPLATE_SLOTS, changetype<usize>(sims));
    expect(sims[2]).toBeGreaterThan(<f32>0.995);                     // int8 rounding of the stored direction only
    expect(sims[0]).toBe(<f32>0);
    expect(sims[2]).toBeGreaterThan(sims[4]);
    templateSims(changetype<usize>(embB), TEMPLATE_SLOTS, changetype<usize>(sims));
    expect(sims[4]).toBeGreaterThan(<f32>0.995);
    expect(sims[4]).toBeGreaterThan(sims[2]);
  });
});

describe("voice consent matcher", () => {
  it("names the code words and maps them back; other words are -1", () => {
    expect(CODE_VOCAB_SIZE * CODE_VOCAB_SIZE * CODE_VOCAB_SIZE).toBeGreaterThanOrEqual(100);
    for (let i = 0; i < CODE_VOCAB_SIZE; i++) expect(codeWordIndex(codeWordName(i))).toBe(i);
    expect(codeWordIndex("down")).toBe(-1);
    expect(codeWordIndex("no")).toBe(-1);
    expect(codeWordName(CODE_VOCAB_SIZE)).toBe("");
  });
  it("without a valid profile the answer is no_profile; silence stays pending", () => {
    const junk = new StaticArray<u8>(PROFILE_BYTES);
    consentBegin(0, 1, 2, changetype<usize>(junk), PROFILE_BYTES, 0);
    expect(consentFeed(changetype<usize>(junk), 0, 0)).toBe(CONSENT_NO_PROFILE);
    expect(consentReason()).toBe("no_profile");
    // a valid profile (from the test above's enrolment buffer is overwritten: enrol again)
    const n = 16000;
    const a = new StaticArray<i16>(n);
    enrolBegin();
    for (let k = 0; k < CODE_VOCAB_SIZE; k++) {
      for (let i = 0; i < n; i++) a[i] = <i16>(5000 * Math.sin(2 * Math.PI * (140 + 15 * k) * <f64>i / 16000) * (i > 4000 && i < 12000 ? 1.0 : 0.02));
      expect(enrolAdd(changetype<usize>(a), n, k)).toBe(OK);
    }
    const len = enrolFinish(-0.4, codeWordMask());
    expect(len).toBe(PROFILE_BYTES);
    const silence = new StaticArray<i16>(8000);
    consentBegin(0, 1, 2, profileBufferPtr(), len, 0);
    for (let k = 0; k < 4; k++) expect(consentFeed(changetype<usize>(silence), 8000, 0)).toBe(CONSENT_PENDING);
    expect(consentFlush()).toBe(CONSENT_PENDING);
    // a profile's own threshold below the firmware's is held to the firmware's
    expect(consentThreshold()).toBe(CONSENT_THRESHOLD);
    // a code word outside the vocabulary can never be matched
    consentBegin(0, 9, 2, profileBufferPtr(), len, 0);
    expect(consentFeed(changetype<usize>(silence), 8000, 0)).toBe(CONSENT_WRONG_CODE);
  });
});
