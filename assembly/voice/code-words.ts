// The spoken code's vocabulary: how many words a code has, which words, and their names. The consent matcher
// (consent.ts), the owner's word templates (word-template.ts: one slot per code word), the session and the
// device face all take the vocabulary from here; scripts/gen-abi.ts reads CODE_* from this file for the host.
import { CLASSES } from "./model";

export const CODE_LENGTH: i32 = 3;
export const CODE_VOCAB_SIZE: i32 = 5;                  // 5^3 = 125 codes
// code word i → spotter class index (model.ts CLASSES): up, yes, left, right, on. No word that sounds like a
// refusal: a code word heard as "no"/"stop" refuses the owner's own code, and a "no" heard as a code word can
// complete it. "go" rhymes with "no" and did both (one validation owner's "go" is heard as "no" at 0.68-0.96,
// their real "no" at 0.90-0.97: every code with "go" refused; two owners' "no" heard as "go"); "down" was
// dropped earlier for the same reason (an earlier spotter heard 20 of 91 validation "down" clips as
// "no"/"stop"). With "on" for "go" the validation owners passed 159 / 83 of 220 first codes (quiet / 10 dB)
// against 149 / 75 on the desktop and refused none of their own codes as "no" (29; the bench's owner prompts
// replayed by a one-off script): a choice the report set informed (tools/voice/README.md, "Code words").
export const CODE_CLASS: StaticArray<i32> = [4, 2, 6, 7, 8];

export function codeWordName(i: i32): string { return i >= 0 && i < CODE_VOCAB_SIZE ? CLASSES[CODE_CLASS[i]] : ""; }
export function codeWordIndex(name: string): i32 {
  for (let i = 0; i < CODE_VOCAB_SIZE; i++) if (CLASSES[CODE_CLASS[i]] == name) return i;
  return -1;
}
export function codeWordClass(i: i32): i32 { return i >= 0 && i < CODE_VOCAB_SIZE ? CODE_CLASS[i] : -1; }
/** The bit mask of every code word (what an enrolment must cover). */
export function codeWordMask(): u32 { return (<u32>1 << <u32>CODE_VOCAB_SIZE) - 1; }
