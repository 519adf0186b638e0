// The owner's word templates: for each code word, the keyword spotter's embedding of the owner's own
// enrolment takes of it (the 64 pooled channels in front of its classifier, the window centred on the take's
// speech). consent.ts uses them as a second way for a code word to hold: where the spotter's posterior misses
// a word that the owner says in their own way (one validation owner's "right" is _unknown_ at 0.88-0.95 on
// every take), the window's embedding can still lie close to the owner's template of that word and far from
// their templates of the other code words. The spotter does the listening either way; the template only knows
// how this owner's words look to it. Static buffers only.
import { HOP } from "./tables";
import { frontendReset, frontendHop, frontendSave, frontendRestore } from "./frontend";
import { kwsLoadFromFrontend, kwsRun, kwsPooledPtr } from "./kws";
import { CH } from "./model";
import { CODE_VOCAB_SIZE } from "./code-words";

export const EMB: i32 = CH;                       // embedding channels (int8, ≥ 0: they follow a ReLU)
export const TEMPLATE_SLOTS: i32 = CODE_VOCAB_SIZE;    // one per code word
export const TEMPLATE_BYTES: i32 = TEMPLATE_SLOTS * EMB;
const WINDOW_HOPS: i32 = 50;                      // the spotter's 1 s window

const acc: usize = memory.data(TEMPLATE_SLOTS * EMB * 4, 16);     // f32 sums of unit embeddings (enrolment; zero: no take)
const stored: usize = memory.data(TEMPLATE_BYTES, 16);           // i8 loaded templates
const invNorm: usize = memory.data(TEMPLATE_SLOTS * 4, 16);       // f32 1 / their length (0: empty slot)
const hop: usize = memory.data(HOP * 2, 16);

export function templatesBegin(): void {
  memory.fill(acc, 0, TEMPLATE_SLOTS * EMB * 4);
}

/**
 * Adds the embedding of n samples at pcm to word's template: the spotter's window (1 s) centred on sample
 * `centre` (the middle of the take's speech; zeros beyond the take), run through a fresh front end as a clip
 * is. The keyword stream's front end is saved and restored around it; the spotter's own buffers are
 * overwritten (enrolment does not run during a prompt).
 */
export function templateAdd(pcm: usize, n: i32, centre: i32, word: i32): void {
  if (word < 0 || word >= TEMPLATE_SLOTS) return;
  frontendSave();
  frontendReset();
  const start = centre - (WINDOW_HOPS * HOP) / 2;
  for (let h = 0; h < WINDOW_HOPS; h++) {
    for (let i = 0; i < HOP; i++) {
      const s = start + h * HOP + i;
      store<i16>(hop + (<usize>i << 1), s >= 0 && s < n ? load<i16>(pcm + (<usize>s << 1)) : 0);
    }
    frontendHop(hop);
  }
  kwsLoadFromFrontend();
  kwsRun();
  frontendRestore();
  const e = kwsPooledPtr();
  const norm = embNorm(e);
  if (norm <= 0) return;
  const a = acc + <usize>(word * EMB * 4);
  for (let c = 0; c < EMB; c++) store<f32>(a + (<usize>c << 2), load<f32>(a + (<usize>c << 2)) + <f32>load<i8>(e + c) / norm);
}

/** Writes the templates (TEMPLATE_BYTES at dst): each word's mean direction as int8, its largest channel 127; a word without takes is all zero. */
export function templatesWrite(dst: usize): void {
  for (let w = 0; w < TEMPLATE_SLOTS; w++) {
    const a = acc + <usize>(w * EMB * 4), o = dst + <usize>(w * EMB);
    let mx: f32 = 0;
    for (let c = 0; c < EMB; c++) mx = max(mx, load<f32>(a + (<usize>c << 2)));
    for (let c = 0; c < EMB; c++) {
      const v = mx > 0 ? Mathf.round(load<f32>(a + (<usize>c << 2)) / mx * 127) : 0;
      store<i8>(o + c, <i8>max<f32>(0, min<f32>(127, v)));
    }
  }
}

/** Loads the templates stored at src (TEMPLATE_BYTES, as templatesWrite wrote them) for templateSims. */
export function templatesLoad(src: usize): void {
  memory.copy(stored, src, TEMPLATE_BYTES);
  for (let w = 0; w < TEMPLATE_SLOTS; w++) {
    const norm = embNorm(stored + <usize>(w * EMB));
    store<f32>(invNorm + (<usize>w << 2), norm > 0 ? <f32>1 / norm : 0);
  }
}

// Integer dot products, eight channels a step with constant offsets: this runs on every inference of a prompt,
// inside the MCU's audio hop (3.4 k fuel a hop at most for five words, against 9 k for the same sums in f32 a
// channel at a time: the speech hops of the demo code on mcu-s3, one-off counts).
/** Cosine similarity of the embedding at e (int8 [EMB]) to each of the first `words` loaded templates → f32 [words] at out (0 where a slot is empty). */
export function templateSims(e: usize, words: i32, out: usize): void {
  const en = embNorm(e);
  const inv: f32 = en > 0 ? <f32>1 / en : 0;
  for (let w = 0; w < words; w++) {
    const t = stored + <usize>(w * EMB);
    store<f32>(out + (<usize>w << 2), <f32>dot(e, t) * inv * load<f32>(invNorm + (<usize>w << 2)));
  }
}

function dot(a: usize, b: usize): i32 {
  let s: i32 = 0;
  for (let c = 0; c < EMB; c += 8, a += 8, b += 8) {
    s += <i32>load<i8>(a) * <i32>load<i8>(b) + <i32>load<i8>(a, 1) * <i32>load<i8>(b, 1)
       + <i32>load<i8>(a, 2) * <i32>load<i8>(b, 2) + <i32>load<i8>(a, 3) * <i32>load<i8>(b, 3)
       + <i32>load<i8>(a, 4) * <i32>load<i8>(b, 4) + <i32>load<i8>(a, 5) * <i32>load<i8>(b, 5)
       + <i32>load<i8>(a, 6) * <i32>load<i8>(b, 6) + <i32>load<i8>(a, 7) * <i32>load<i8>(b, 7);
  }
  return s;
}

function embNorm(e: usize): f32 { return Mathf.sqrt(<f32>dot(e, e)); }
