/**
 * SQLite storage of the phone wallet (better-sqlite3, one database file, WAL journal).
 * Tables: credentials (registered glasses), reg_challenges, orders (pending/paid payment orders), bills,
 * mandates (agent mandates the glasses signed). Older files gain the newer columns on open (user_version 1: mandate
 * columns; 2: the credential flags cloned_at / disabled_at).
 *
 * File modes: the database holds the wallet's credentials and bills, so a new file is created 0600 (SQLite gives
 * its -wal and -shm files the database file's mode) and an existing one is tightened to 0600; its folder is made
 * or tightened to 0700 unless it is evidently shared (/tmp, the working or home directory: ensurePrivateDir).
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../store/secret.js';

export const DB_FILE_MODE = 0o600;

export interface CredentialRow {
  id: string;            // credential ID, base64url
  public_key: Buffer;    // COSE_Key bytes
  sign_count: number;
  fmt: string;           // attestation format at registration: "packed" (self) or "none"
  aaguid: string;
  created_at: number;    // ms since epoch
  last_used_at: number | null;
  cloned_at: number | null;     // when a signCount went backwards (WebAuthn §6.1.1): payments refused until re-pairing
  cloned_detail: string | null; // "signed N, stored M"
  disabled_at: number | null;   // when the owner disabled the glasses (lost): payments refused, the link tells them to wipe
}

/** What the wallet thinks of a credential: usable, flagged as cloned, or disabled by its owner. */
export type CredentialStatus = 'active' | 'cloned' | 'disabled';

export function credentialStatus(c: Pick<CredentialRow, 'cloned_at' | 'disabled_at'>): CredentialStatus {
  if (c.disabled_at !== null && c.disabled_at !== undefined) return 'disabled';
  if (c.cloned_at !== null && c.cloned_at !== undefined) return 'cloned';
  return 'active';
}

export interface OrderRow {
  id: string;
  challenge: string;
  payee: string;
  amount: string;
  currency: string;
  qr_hash: string;
  instrument: string | null;   // JSON of {displayName, icon?} or null
  require_uv: number;          // 0/1: policy outcome at creation
  status: 'pending' | 'paid';
  created_at: number;
  expires_at: number;
  bill_id: string | null;
  mandate_id: string | null;   // agent order: the mandate it runs under (null: the wearer pays)
  mandate_seq: number | null;  // agent order: the agent's request sequence number
}

export interface BillRow {
  id: string;
  time: number;
  order_id: string;
  payee: string;
  amount: string;
  currency: string;
  credential_id: string;
  sign_count: number;
  user_verified: number;
  status: string;
  qr_hash: string;
  mandate_id: string | null;   // agent payment: the mandate id; null for payments the wearer approved
  // read-only, from the credentials table (recentBills): the paying credential's flags today
  cred_cloned_at?: number | null;
  cred_disabled_at?: number | null;
}

export interface MandateRow {
  id: string;              // 16 lowercase hex
  credential_id: string;   // the glasses credential that signed it (base64url)
  agent_pub: string;       // 130 lowercase hex, uncompressed P-256 point
  currency: string;
  per_payment: string;     // decimal strings with the currency's exponent
  budget: string;
  spent: string;
  payees: string;          // JSON array of strings
  expires: number;         // ms since epoch
  last_seq: number;
  created: number;
  mandate_text: string;    // the exact signed text
  device_sig: Buffer;      // the glasses' DER signature over it
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS credentials (
  id            TEXT PRIMARY KEY,
  public_key    BLOB NOT NULL,
  sign_count    INTEGER NOT NULL CHECK (sign_count >= 0 AND sign_count <= 4294967295),
  fmt           TEXT NOT NULL,
  aaguid        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  cloned_at     INTEGER,
  cloned_detail TEXT,
  disabled_at   INTEGER
);
CREATE TABLE IF NOT EXISTS reg_challenges (
  challenge     TEXT PRIMARY KEY,
  expires_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id            TEXT PRIMARY KEY,
  challenge     TEXT NOT NULL UNIQUE,
  payee         TEXT NOT NULL,
  amount        TEXT NOT NULL,
  currency      TEXT NOT NULL,
  qr_hash       TEXT NOT NULL,
  instrument    TEXT,
  require_uv    INTEGER NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  bill_id       TEXT,
  mandate_id    TEXT,
  mandate_seq   INTEGER
);
CREATE TABLE IF NOT EXISTS bills (
  id             TEXT PRIMARY KEY,
  time           INTEGER NOT NULL,
  order_id       TEXT NOT NULL UNIQUE REFERENCES orders(id),
  payee          TEXT NOT NULL,
  amount         TEXT NOT NULL,
  currency       TEXT NOT NULL,
  credential_id  TEXT NOT NULL REFERENCES credentials(id),
  sign_count     INTEGER NOT NULL,
  user_verified  INTEGER NOT NULL,
  status         TEXT NOT NULL,
  qr_hash        TEXT NOT NULL,
  mandate_id     TEXT
);
CREATE INDEX IF NOT EXISTS bills_time ON bills(time DESC);
CREATE TABLE IF NOT EXISTS mandates (
  id             TEXT PRIMARY KEY,
  credential_id  TEXT NOT NULL REFERENCES credentials(id),
  agent_pub      TEXT NOT NULL,
  currency       TEXT NOT NULL,
  per_payment    TEXT NOT NULL,
  budget         TEXT NOT NULL,
  spent          TEXT NOT NULL,
  payees         TEXT NOT NULL,
  expires        INTEGER NOT NULL,
  last_seq       INTEGER NOT NULL CHECK (last_seq >= 0),
  created        INTEGER NOT NULL,
  mandate_text   TEXT NOT NULL,
  device_sig     BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS mandates_credential ON mandates(credential_id);
`;

export class WalletStore {
  readonly db: Database.Database;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') WalletStore.prepareFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(SCHEMA);
    this.migrate();
    // Still 2: the migration looks at the columns, not at this number, and tests/wallet-agent.test.ts pins it.
    this.db.pragma('user_version = 2');
  }

  /** Makes the folder private (0700) and an empty database file (0600), so SQLite never creates them with the umask. */
  private static prepareFile(path: string): void {
    ensurePrivateDir(dirname(path));
    if (!existsSync(path)) closeSync(openSync(path, 'a', DB_FILE_MODE));
    chmodSync(path, DB_FILE_MODE);
    for (const side of ['-wal', '-shm']) if (existsSync(path + side)) chmodSync(path + side, DB_FILE_MODE);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** user_version 1 files lack the agent-mandate columns; 1 and 2 lack the credential flags. */
  private migrate(): void {
    const has = (table: string, col: string): boolean =>
      (this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === col);
    const add = [
      ['orders', 'mandate_id', 'TEXT'], ['orders', 'mandate_seq', 'INTEGER'], ['bills', 'mandate_id', 'TEXT'],
      ['credentials', 'cloned_at', 'INTEGER'], ['credentials', 'cloned_detail', 'TEXT'], ['credentials', 'disabled_at', 'INTEGER'],
    ] as const;
    this.db.transaction(() => {
      for (const [t, c, ty] of add) if (!has(t, c)) this.db.exec(`ALTER TABLE ${t} ADD COLUMN ${c} ${ty}`);
    })();
  }

  // credentials
  getCredential(id: string): CredentialRow | undefined {
    return this.db.prepare('SELECT * FROM credentials WHERE id = ?').get(id) as CredentialRow | undefined;
  }
  listCredentials(): CredentialRow[] {
    return this.db.prepare('SELECT * FROM credentials ORDER BY created_at DESC, rowid DESC').all() as CredentialRow[];
  }
  /** Flags a credential as cloned (first detection wins; the flag is never cleared: re-pairing makes a new credential). */
  flagCloned(id: string, at: number, detail: string): void {
    this.db.prepare('UPDATE credentials SET cloned_at = ?, cloned_detail = ? WHERE id = ? AND cloned_at IS NULL').run(at, detail, id);
  }
  /** Marks a credential disabled; returns false when there is no such credential. Idempotent. */
  disableCredential(id: string, at: number): boolean {
    const r = this.db.prepare('UPDATE credentials SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?').run(at, id);
    return r.changes > 0;
  }
  insertCredential(c: Omit<CredentialRow, 'last_used_at' | 'cloned_at' | 'cloned_detail' | 'disabled_at'>): void {
    this.db.prepare(
      'INSERT INTO credentials (id, public_key, sign_count, fmt, aaguid, created_at) VALUES (@id, @public_key, @sign_count, @fmt, @aaguid, @created_at)',
    ).run(c);
  }

  // registration challenges
  insertRegChallenge(challenge: string, expiresAt: number): void {
    this.db.prepare('INSERT INTO reg_challenges (challenge, expires_at) VALUES (?, ?)').run(challenge, expiresAt);
  }
  /** Deletes the challenge; returns its expiry, or undefined when it was unknown (or already used). */
  takeRegChallenge(challenge: string): number | undefined {
    const row = this.db.prepare('DELETE FROM reg_challenges WHERE challenge = ? RETURNING expires_at').get(challenge) as
      | { expires_at: number } | undefined;
    return row?.expires_at;
  }

  // orders
  insertOrder(o: OrderRow): void {
    this.db.prepare(
      `INSERT INTO orders (id, challenge, payee, amount, currency, qr_hash, instrument, require_uv, status, created_at, expires_at, bill_id,
                           mandate_id, mandate_seq)
       VALUES (@id, @challenge, @payee, @amount, @currency, @qr_hash, @instrument, @require_uv, @status, @created_at, @expires_at, @bill_id,
               @mandate_id, @mandate_seq)`,
    ).run(o);
  }
  getOrder(id: string): OrderRow | undefined {
    return this.db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
  }
  getOrderByChallenge(challenge: string): OrderRow | undefined {
    return this.db.prepare('SELECT * FROM orders WHERE challenge = ?').get(challenge) as OrderRow | undefined;
  }
  /** Deletes pending orders that expired before `now`; paid orders stay (they back the bills and replay checks). */
  pruneExpired(now: number): number {
    const a = this.db.prepare("DELETE FROM orders WHERE status = 'pending' AND expires_at < ?").run(now).changes;
    const b = this.db.prepare('DELETE FROM reg_challenges WHERE expires_at < ?').run(now).changes;
    return a + b;
  }

  // mandates
  insertMandate(m: MandateRow): void {
    this.db.prepare(
      `INSERT INTO mandates (id, credential_id, agent_pub, currency, per_payment, budget, spent, payees, expires, last_seq, created,
                             mandate_text, device_sig)
       VALUES (@id, @credential_id, @agent_pub, @currency, @per_payment, @budget, @spent, @payees, @expires, @last_seq, @created,
               @mandate_text, @device_sig)`,
    ).run(m);
  }
  getMandate(id: string): MandateRow | undefined {
    return this.db.prepare('SELECT * FROM mandates WHERE id = ?').get(id) as MandateRow | undefined;
  }
  mandatesOf(credentialId: string): MandateRow[] {
    return this.db.prepare('SELECT * FROM mandates WHERE credential_id = ? ORDER BY created DESC, rowid DESC').all(credentialId) as MandateRow[];
  }

  // bills
  recentBills(n: number): BillRow[] {
    return this.db.prepare(
      `SELECT b.*, c.cloned_at AS cred_cloned_at, c.disabled_at AS cred_disabled_at
         FROM bills b LEFT JOIN credentials c ON c.id = b.credential_id
        ORDER BY b.time DESC, b.rowid DESC LIMIT ?`,
    ).all(n) as BillRow[];
  }
}
