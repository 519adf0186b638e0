// Section ids of the persistent state (state/blob.ts). One place, so no two modules collide.
export const SECTION_IDENTITY: u16 = 1;   // device key (32) + credential id (16)
export const SECTION_COUNTER: u16 = 2;    // signCount, u32
export const SECTION_POLICY: u16 = 3;     // pay/policy.ts
export const SECTION_VOICE: u16 = 4;      // the enrolled voice profile
export const SECTION_MANDATES: u16 = 5;   // open agent mandates
export const SECTION_RECEIPTS: u16 = 6;   // recent completed payments
export const SECTION_CONSENT: u16 = 7;    // failed spoken-code confirmations per day, quick-pay lockout (pay/policy.ts)
export const SECTION_PAIRING: u16 = 8;    // the paired phone: u8 name length + name (UTF-8); absent = not paired
