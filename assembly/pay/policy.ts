// The wearer's spending policy: per currency a quick-pay limit and a daily cap, in minor units.
// At or below the quick-pay limit a spoken "yes" with a verified voice signs at once; above it the wallet
// must also confirm on the phone; past the daily cap, or in a currency with no limits set, it refuses.
// Persisted as state section SECTION_POLICY: u16 count, then per currency 3 ASCII bytes + i64 quick +
// i64 cap + i64 spent + i32 day.

export const DECIDE_QUICK: i32 = 0;
export const DECIDE_PHONE_CONFIRM: i32 = 1;
export const DECIDE_REFUSE: i32 = 2;

export class CurrencyLimit {
  constructor(public currency: string, public quickPayMinor: i64, public dailyCapMinor: i64,
              public spentMinor: i64 = 0, public day: i32 = -1) {}
}

export class Decision {
  constructor(public kind: i32, public reason: string) {}
}

const REC_BYTES: i32 = 3 + 8 + 8 + 8 + 4;
export const MAX_CURRENCIES: i32 = 32;

export class Policy {
  limits: CurrencyLimit[] = [];

  /** Defaults for a fresh device: modest limits in a few common currencies (minor units). */
  static defaults(): Policy {
    const p = new Policy();
    p.set("HKD", 20000, 200000);   // HK$200 quick, HK$2,000 a day
    p.set("CNY", 20000, 200000);
    p.set("USD", 5000, 50000);
    p.set("EUR", 5000, 50000);
    p.set("GBP", 5000, 50000);
    p.set("SGD", 5000, 50000);
    p.set("INR", 200000, 2000000);
    p.set("BRL", 20000, 200000);
    p.set("THB", 100000, 1000000);
    p.set("JPY", 5000, 50000);
    return p;
  }

  find(currency: string): CurrencyLimit | null {
    for (let i = 0; i < this.limits.length; i++) if (this.limits[i].currency == currency) return this.limits[i];
    return null;
  }

  /** Sets (or replaces) one currency's limits; returns false when the table is full or values are bad. */
  set(currency: string, quickPayMinor: i64, dailyCapMinor: i64): bool {
    if (currency.length != 3 || quickPayMinor < 0 || dailyCapMinor < quickPayMinor) return false;
    const l = this.find(currency);
    if (l != null) { l.quickPayMinor = quickPayMinor; l.dailyCapMinor = dailyCapMinor; return true; }
    if (this.limits.length >= MAX_CURRENCIES) return false;
    this.limits.push(new CurrencyLimit(currency, quickPayMinor, dailyCapMinor));
    return true;
  }

  /** What to do with a payment of amountMinor on day `day` (days since the epoch, from host time). */
  decide(currency: string, amountMinor: i64, day: i32): Decision {
    const l = this.find(currency);
    if (l == null) return new Decision(DECIDE_REFUSE, "currency_not_allowed");
    if (amountMinor <= 0) return new Decision(DECIDE_REFUSE, "no_amount");
    const spent = l.day == day ? l.spentMinor : 0;
    if (spent + amountMinor > l.dailyCapMinor) return new Decision(DECIDE_REFUSE, "daily_cap");
    if (amountMinor <= l.quickPayMinor) return new Decision(DECIDE_QUICK, "quick_pay");
    return new Decision(DECIDE_PHONE_CONFIRM, "over_quick_pay_limit");
  }

  /** Adds a completed payment to the day's total. */
  record(currency: string, amountMinor: i64, day: i32): void {
    const l = this.find(currency);
    if (l == null) return;
    if (l.day != day) { l.day = day; l.spentMinor = 0; }
    l.spentMinor += amountMinor;
  }

  serialize(): Uint8Array {
    const out = new Uint8Array(2 + this.limits.length * REC_BYTES);
    store<u16>(out.dataStart, <u16>this.limits.length);
    for (let i = 0; i < this.limits.length; i++) {
      const p = out.dataStart + 2 + i * REC_BYTES;
      const l = this.limits[i];
      for (let k = 0; k < 3; k++) store<u8>(p + k, <u8>l.currency.charCodeAt(k));
      store<i64>(p + 3, l.quickPayMinor);
      store<i64>(p + 11, l.dailyCapMinor);
      store<i64>(p + 19, l.spentMinor);
      store<i32>(p + 27, l.day);
    }
    return out;
  }

  /** Parses a serialised policy; null when the record is malformed. */
  static deserialize(ptr: usize, len: i32): Policy | null {
    if (len < 2) return null;
    const n = <i32>load<u16>(ptr);
    if (n > MAX_CURRENCIES || len != 2 + n * REC_BYTES) return null;
    const p = new Policy();
    for (let i = 0; i < n; i++) {
      const q = ptr + 2 + i * REC_BYTES;
      const c = String.UTF8.decodeUnsafe(q, 3);
      p.limits.push(new CurrencyLimit(c, load<i64>(q + 3), load<i64>(q + 11), load<i64>(q + 19), load<i32>(q + 27)));
    }
    return p;
  }
}

/**
 * Failed spoken-code confirmations (wrong code, or a voice that is not the owner's), counted per day.
 * After DAILY_FAILURE_LIMIT in one day quick pay is off: every payment also needs the wearer's
 * confirmation on the phone until one such phone-confirmed payment completes (clearLockout).
 * Persisted as state section SECTION_CONSENT: i32 day, i32 failures, u8 locked.
 */
export const DAILY_FAILURE_LIMIT: i32 = 5;
export const LEDGER_BYTES: i32 = 9;

export class ConsentLedger {
  day: i32 = -1;
  failures: i32 = 0;
  locked: bool = false;

  /** Counts one failure on `day`; true when this one turned quick pay off. */
  fail(day: i32): bool {
    if (this.day != day) { this.day = day; this.failures = 0; }
    this.failures++;
    if (!this.locked && this.failures >= DAILY_FAILURE_LIMIT) { this.locked = true; return true; }
    return false;
  }

  clearLockout(): void { this.locked = false; this.failures = 0; }

  serialize(): Uint8Array {
    const out = new Uint8Array(LEDGER_BYTES);
    store<i32>(out.dataStart, this.day);
    store<i32>(out.dataStart + 4, this.failures);
    out[8] = this.locked ? 1 : 0;
    return out;
  }

  static deserialize(ptr: usize, len: i32): ConsentLedger {
    const l = new ConsentLedger();
    if (len != LEDGER_BYTES) return l;
    l.day = load<i32>(ptr);
    l.failures = load<i32>(ptr + 4);
    l.locked = load<u8>(ptr + 8) != 0;
    return l;
  }
}
