/**
 * SQLite storage of the phone wallet (better-sqlite3, one database file, WAL journal).
 * Tables: credentials (registered glasses), reg_challenges, orders (pending/paid payment orders), bills.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface CredentialRow {
  id: string;            // credential ID, base64url
  public_key: Buffer;    // COSE_Key bytes
  sign_count: number;
  fmt: string;           // attestation format at registration: "packed" (self) or "none"
  aaguid: string;
  created_at: number;    // ms since epoch
  last_used_at: number | null;
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
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS credentials (
  id            TEXT PRIMARY KEY,
  public_key    BLOB NOT NULL,
  sign_count    INTEGER NOT NULL CHECK (sign_count >= 0 AND sign_count <= 4294967295),
  fmt           TEXT NOT NULL,
  aaguid        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER
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
  bill_id       TEXT
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
  qr_hash        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bills_time ON bills(time DESC);
`;

export class WalletStore {
  readonly db: Database.Database;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(SCHEMA);
    this.db.pragma('user_version = 1');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // credentials
  getCredential(id: string): CredentialRow | undefined {
    return this.db.prepare('SELECT * FROM credentials WHERE id = ?').get(id) as CredentialRow | undefined;
  }
  insertCredential(c: Omit<CredentialRow, 'last_used_at'>): void {
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
      `INSERT INTO orders (id, challenge, payee, amount, currency, qr_hash, instrument, require_uv, status, created_at, expires_at, bill_id)
       VALUES (@id, @challenge, @payee, @amount, @currency, @qr_hash, @instrument, @require_uv, @status, @created_at, @expires_at, @bill_id)`,
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

  // bills
  recentBills(n: number): BillRow[] {
    return this.db.prepare('SELECT * FROM bills ORDER BY time DESC, rowid DESC LIMIT ?').all(n) as BillRow[];
  }
}
