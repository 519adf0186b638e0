/**
 * Loopback TCP front of the wallet (the simulation transport for `glasses pay`). JSON lines: one UTF-8
 * JSON object per line, "\n"-terminated, in both directions.
 *
 *   request   {"id": 7, "op": "createOrder", "args": {"order": {...}}}
 *   response  {"id": 7, "result": {...}}        or   {"id": 7, "error": {"code": "bad_request", "message": "..."}}
 *
 * ops: ping {} · beginRegistration {} · register {registration} · createOrder {order}
 *      · verifyPayment {orderId, assertion} · recent {n}
 *      · registerMandate {credentialId, mandateText, signature} · mandates {credentialId} · createAgentOrder {request}
 *      · order {orderId} · credentials {} · disableDevice {credentialId} · isDisabled {credentialId}
 * A refused payment is a *result* ({"ok": false, "reason": "replay"}); "error" is for bad requests.
 * Bounds: 127.0.0.1 only, one line <= 64 KiB, idle sockets closed after 30 s, each request answered
 * within 10 s (else error "timeout"), at most 8 connections, requests on one connection answered in order.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  SERVER_HOST, SERVER_IDLE_TIMEOUT_MS, SERVER_MAX_CONNECTIONS, SERVER_MAX_LINE_BYTES, SERVER_REQUEST_TIMEOUT_MS, defaultDbPath,
} from './config.js';
import { Wallet } from './wallet.js';
import { fromB64u } from './wire.js';

export interface ServerOptions {
  host?: string;
  port?: number;
  maxLineBytes?: number;
  idleTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxConnections?: number;
}

export interface WalletServer {
  host: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface ErrorBody { code: string; message: string }

class RequestError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);
const MAX_QUEUED = 16;

function args(req: Record<string, unknown>): Record<string, unknown> {
  const a = req.args ?? {};
  if (typeof a !== 'object' || a === null || Array.isArray(a)) throw new RequestError('bad_request', 'args must be an object');
  return a as Record<string, unknown>;
}

async function dispatch(wallet: Wallet, req: Record<string, unknown>): Promise<unknown> {
  const a = args(req);
  switch (req.op) {
    case 'ping':
      return { pong: true };
    case 'beginRegistration':
      return wallet.beginRegistration();
    case 'register':
      return wallet.register(a.registration as never);
    case 'createOrder':
      try {
        return wallet.createOrder(a.order as never);
      } catch (e) {
        if (e instanceof TypeError) throw new RequestError('bad_request', e.message);
        throw e;
      }
    case 'verifyPayment':
      return wallet.verifyPayment(a.orderId as string, a.assertion as never);
    case 'recent': // the bills, plus every credential that is not active (cloned or disabled): the owner must see it
      return {
        bills: wallet.recent(typeof a.n === 'number' ? a.n : 5),
        flagged: wallet.credentials().filter((c) => c.status !== 'active'),
      };
    case 'order': {
      const o = wallet.order(a.orderId as string);
      if (!o) throw new RequestError('bad_request', `no order ${JSON.stringify(a.orderId)}`);
      return o;
    }
    case 'credentials':
      return { credentials: wallet.credentials() };
    case 'disableDevice':
      try {
        wallet.disableDevice(a.credentialId as string);
      } catch (e) {
        if (e instanceof TypeError) throw new RequestError('bad_request', e.message);
        throw e;
      }
      return { disabled: true, credential: wallet.credential(a.credentialId as string) };
    case 'isDisabled':
      return { disabled: wallet.isDisabled(a.credentialId as string) };
    case 'registerMandate': // {credentialId, mandateText (string), signature (base64url DER)}
      return wallet.registerMandate(a.credentialId as string, a.mandateText as string, a.signature as string);
    case 'mandates':
      return { mandates: wallet.mandates(a.credentialId as string) };
    case 'createAgentOrder': { // {request: {payload (string), payee, amount, currency, mandateId, seq, agentSignature (base64url raw r||s)}}
      const r = a.request as Record<string, unknown> | undefined;
      if (typeof r !== 'object' || r === null || typeof r.agentSignature !== 'string') {
        throw new RequestError('bad_request', 'request.agentSignature must be base64url');
      }
      const sig = fromB64u(r.agentSignature);
      if (!sig) throw new RequestError('bad_request', 'request.agentSignature must be base64url');
      return wallet.createAgentOrder({ ...r, agentSignature: sig } as never);
    }
    default:
      throw new RequestError('unknown_op', `unknown op ${JSON.stringify(req.op)}`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    t = setTimeout(() => rej(new RequestError('timeout', `no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

export async function startWalletServer(wallet: Wallet, opts: ServerOptions = {}): Promise<WalletServer> {
  const host = opts.host ?? SERVER_HOST;
  if (!LOOPBACK.has(host)) throw new Error(`wallet server binds loopback only, not ${host}`);
  const maxLine = opts.maxLineBytes ?? SERVER_MAX_LINE_BYTES;
  const idleMs = opts.idleTimeoutMs ?? SERVER_IDLE_TIMEOUT_MS;
  const reqMs = opts.requestTimeoutMs ?? SERVER_REQUEST_TIMEOUT_MS;
  const sockets = new Set<Socket>();

  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.setNoDelay(true);
    sock.setTimeout(idleMs, () => sock.destroy());
    let buf = Buffer.alloc(0);
    let chain: Promise<void> = Promise.resolve();
    let queued = 0;

    const send = (obj: unknown): void => {
      if (!sock.destroyed) sock.write(JSON.stringify(obj) + '\n');
    };
    const fail = (id: Json, e: ErrorBody, close = false): void => {
      send({ id, error: e });
      if (close) sock.end();
    };

    const handle = async (line: string): Promise<void> => {
      let req: unknown;
      try {
        req = JSON.parse(line);
      } catch {
        fail(null, { code: 'bad_json', message: 'line is not JSON' });
        return;
      }
      if (typeof req !== 'object' || req === null || Array.isArray(req)) {
        fail(null, { code: 'bad_request', message: 'request must be an object' });
        return;
      }
      const r = req as Record<string, unknown>;
      const id = (typeof r.id === 'number' || typeof r.id === 'string' ? r.id : null) as Json;
      try {
        const result = await withTimeout(dispatch(wallet, r), reqMs);
        send({ id, result });
      } catch (e) {
        if (e instanceof RequestError) fail(id, { code: e.code, message: e.message });
        else fail(id, { code: 'internal', message: (e as Error).message ?? String(e) });
      }
    };

    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let nl: number;
      while ((nl = buf.indexOf(0x0a)) >= 0) {
        const line = buf.subarray(0, nl).toString('utf8').replace(/\r$/, '');
        buf = buf.subarray(nl + 1);
        if (nl > maxLine) {
          fail(null, { code: 'line_too_long', message: `lines are limited to ${maxLine} bytes` }, true);
          buf = Buffer.alloc(0);
          return;
        }
        if (line.trim() === '') continue;
        if (++queued > MAX_QUEUED) {
          fail(null, { code: 'busy', message: 'too many requests in flight on this connection' }, true);
          return;
        }
        chain = chain.then(() => handle(line)).finally(() => { queued--; });
      }
      if (buf.length > maxLine) {
        fail(null, { code: 'line_too_long', message: `lines are limited to ${maxLine} bytes` }, true);
        buf = Buffer.alloc(0);
      }
    });
    sock.on('error', () => sock.destroy());
  });
  server.maxConnections = opts.maxConnections ?? SERVER_MAX_CONNECTIONS;

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, host, () => { server.off('error', rej); res(); });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('wallet server: no TCP address');
  return {
    host,
    port: addr.port,
    server,
    close: () => new Promise<void>((res) => {
      for (const s of sockets) s.destroy();
      server.close(() => res());
    }),
  };
}

/** Minimal client: one connection, requests answered in order, each with a deadline. */
export class WalletClient {
  private sock: Socket | undefined;
  private buf = '';
  private nextId = 1;
  private readonly waiting = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(readonly port: number, readonly host = SERVER_HOST, readonly timeoutMs = SERVER_REQUEST_TIMEOUT_MS) {}

  connect(): Promise<void> {
    return new Promise((res, rej) => {
      const s = connect({ port: this.port, host: this.host });
      const t = setTimeout(() => { s.destroy(); rej(new Error('connect timeout')); }, this.timeoutMs);
      s.once('connect', () => { clearTimeout(t); this.sock = s; res(); });
      s.once('error', (e) => { clearTimeout(t); rej(e); });
      s.on('data', (c: Buffer) => this.onData(c.toString('utf8')));
      s.on('close', () => this.failAll(new Error('connection closed')));
    });
  }

  private onData(text: string): void {
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      let msg: { id?: number; result?: unknown; error?: ErrorBody };
      try { msg = JSON.parse(line); } catch { continue; }
      const w = typeof msg.id === 'number' ? this.waiting.get(msg.id) : undefined;
      if (!w) {
        if (msg.error) this.failAll(new Error(`${msg.error.code}: ${msg.error.message}`));
        continue;
      }
      this.waiting.delete(msg.id!);
      clearTimeout(w.timer);
      if (msg.error) w.rej(Object.assign(new Error(`${msg.error.code}: ${msg.error.message}`), { code: msg.error.code }));
      else w.res(msg.result);
    }
  }

  private failAll(e: Error): void {
    for (const [id, w] of this.waiting) { clearTimeout(w.timer); w.rej(e); this.waiting.delete(id); }
  }

  call<T = unknown>(op: string, a: Record<string, unknown> = {}): Promise<T> {
    const sock = this.sock;
    if (!sock || sock.destroyed) return Promise.reject(new Error('not connected'));
    const id = this.nextId++;
    return new Promise<T>((res, rej) => {
      const timer = setTimeout(() => { this.waiting.delete(id); rej(new Error(`${op}: timeout`)); }, this.timeoutMs);
      this.waiting.set(id, { res: res as (v: unknown) => void, rej, timer });
      sock.write(JSON.stringify({ id, op, args: a }) + '\n');
    });
  }

  close(): void {
    this.sock?.end();
    this.sock?.destroy();
  }
}

const HELP = `Usage: node --import tsx host/phone/server.ts [COMMAND] [--db FILE] [--port N]

The reference phone wallet (host/phone/README.md).

Commands:
  serve (default)          run the loopback JSON-lines server; prints {"listening":{host,port},"db":FILE}
  credentials              list the paired glasses with their status (active, cloned, disabled) as JSON
  disable-device CRED_ID   the owner lost these glasses: refuse their payments from now on (persisted);
                           the glasses are told to wipe on their next contact with the phone
Options:
  --db FILE                wallet database (default $GLASSES_WALLET_DB, else $GLASSES_DATA_DIR/wallet.sqlite,
                           else ./data/wallet.sqlite); created 0600 in a 0700 folder
  --port N                 serve: TCP port on 127.0.0.1 (default: an ephemeral one)
  -h, --help               this text`;

// `node --import tsx host/phone/server.ts [serve|credentials|disable-device ID] [--db FILE] [--port N]`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(HELP);
    process.exit(0);
  }
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const positional = argv.filter((x, i) => !x.startsWith('--') && !(i > 0 && (argv[i - 1] === '--db' || argv[i - 1] === '--port')));
  const command = positional[0] ?? 'serve';
  const dbPath = opt('--db') ?? defaultDbPath();
  if (command === 'credentials' || command === 'disable-device') {
    const wallet = new Wallet({ dbPath });
    try {
      if (command === 'disable-device') {
        const id = positional[1];
        if (!id) throw new TypeError('disable-device needs a credential ID (see the "credentials" command)');
        wallet.disableDevice(id);
        console.log(JSON.stringify({ disabled: true, credential: wallet.credential(id) }));
      } else {
        console.log(JSON.stringify({ credentials: wallet.credentials() }));
      }
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      process.exitCode = 2;
    } finally {
      wallet.close();
    }
  } else if (command !== 'serve') {
    console.error(`error: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    process.exit(2);
  } else {
    const wallet = new Wallet({ dbPath });
    const srv = await startWalletServer(wallet, { port: Number(opt('--port') ?? 0) });
    console.log(JSON.stringify({ listening: { host: srv.host, port: srv.port }, db: dbPath }));
    const stop = (): void => { void srv.close().then(() => { wallet.close(); process.exit(0); }); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
}
