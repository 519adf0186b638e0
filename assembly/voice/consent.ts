// PLACEHOLDER (session branch) for the voice helper's assembly/voice/consent.ts, interface A of
// prompts/interfaces.md: the code vocabulary and the consent outcomes only, so the session compiles and
// its tests can inject outcomes. The voice branch's file replaces this one whole when it is merged.
export const CODE_LENGTH: i32 = 3;
export const CODE_VOCAB_SIZE: i32 = 5;

export function codeWordName(i: i32): string {
  switch (i) {
    case 0: return "up";
    case 1: return "down";
    case 2: return "left";
    case 3: return "right";
    case 4: return "go";
  }
  return "";
}

export function codeWordIndex(name: string): i32 {
  for (let i = 0; i < CODE_VOCAB_SIZE; i++) if (codeWordName(i) == name) return i;
  return -1;
}

export const CONSENT_PENDING: i32 = 0;
export const CONSENT_ACCEPTED: i32 = 1;
export const CONSENT_WRONG_CODE: i32 = 2;
export const CONSENT_REFUSED: i32 = 3;
export const CONSENT_VOICE_MISMATCH: i32 = 4;
export const CONSENT_NO_PROFILE: i32 = 5;

export function consentReason(): string { return ""; }
