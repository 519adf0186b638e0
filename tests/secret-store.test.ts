// host/store/secret.ts: the device secret (0600 in a 0700 folder, written atomically with fsync, never made over
// an existing sealed state, wrong-sized files refused) and writeFileAtomic.
// Run: node --import tsx --test tests/secret-store.test.ts
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVICE_SECRET_FILE, SEALED_STATE_FILES, SECRET_BYTES, createFileAtomic, loadOrCreateDeviceSecret, nodeIo, writeFileAtomic,
  type AtomicIo,
} from '../host/store/secret.js';

const root = mkdtempSync(join(tmpdir(), 'secret-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `d${++n}`, 'data');
const mode = (p: string): number => statSync(p).mode & 0o777;

/** Runs fn with the common umask 022 (which would otherwise give 0644 files and 0755 folders). */
function withUmask<T>(fn: () => T): T {
  const old = process.umask(0o022);
  try { return fn(); } finally { process.umask(old); }
}

/** nodeIo that records every call (name and the path or fd it touched). */
function recordingIo(log: string[]): AtomicIo {
  const fds = new Map<number, string>();
  return {
    openSync: (p, f, m) => { const fd = nodeIo.openSync(p, f, m); fds.set(fd, p); log.push(`open ${p}`); return fd; },
    writeSync: (fd, b, o, l) => { log.push(`write ${fds.get(fd)}`); return nodeIo.writeSync(fd, b, o, l); },
    fchmodSync: (fd, m) => { log.push(`fchmod ${fds.get(fd)}`); nodeIo.fchmodSync(fd, m); },
    fsyncSync: (fd) => { log.push(`fsync ${fds.get(fd)}`); nodeIo.fsyncSync(fd); },
    closeSync: (fd) => { log.push(`close ${fds.get(fd)}`); nodeIo.closeSync(fd); },
    renameSync: (a, b) => { log.push(`rename ${a} ${b}`); nodeIo.renameSync(a, b); },
    linkSync: (a, b) => { log.push(`link ${a} ${b}`); nodeIo.linkSync(a, b); },
    unlinkSync: (p) => { log.push(`unlink ${p}`); nodeIo.unlinkSync(p); },
  };
}

describe('loadOrCreateDeviceSecret', () => {
  test('creates 32 random bytes, 0600, in a 0700 folder; later calls return the same bytes', () => withUmask(() => {
    const dir = fresh();
    const a = loadOrCreateDeviceSecret(dir);
    assert.equal(a.length, SECRET_BYTES);
    assert.notDeepEqual(a, Buffer.alloc(SECRET_BYTES));
    assert.equal(mode(join(dir, DEVICE_SECRET_FILE)), 0o600);
    assert.equal(mode(dir), 0o700);
    assert.deepEqual(loadOrCreateDeviceSecret(dir), a);
    assert.notDeepEqual(loadOrCreateDeviceSecret(fresh()), a);
    assert.deepEqual(readdirSync(dir), [DEVICE_SECRET_FILE]); // no temporary file left behind
  }));

  test('the new secret is fsynced before it gets its name, and the folder after', () => withUmask(() => {
    const dir = fresh();
    const log: string[] = [];
    loadOrCreateDeviceSecret(dir, { io: recordingIo(log), random: (k) => new Uint8Array(k).fill(7) });
    const tmp = log[0].slice('open '.length);
    const at = (s: string) => { const i = log.indexOf(s); assert.ok(i >= 0, `${s} in ${log.join(' | ')}`); return i; };
    assert.ok(at(`write ${tmp}`) < at(`fsync ${tmp}`));
    assert.ok(at(`fsync ${tmp}`) < at(`link ${tmp} ${join(dir, DEVICE_SECRET_FILE)}`));
    assert.ok(at(`link ${tmp} ${join(dir, DEVICE_SECRET_FILE)}`) < at(`fsync ${dir}`));
    assert.ok(at(`unlink ${tmp}`) < at(`fsync ${dir}`));
    assert.deepEqual(readFileSync(join(dir, DEVICE_SECRET_FILE)), Buffer.alloc(SECRET_BYTES, 7));
  }));

  test('an existing loose secret file and folder are tightened to 0600 / 0700', () => withUmask(() => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, DEVICE_SECRET_FILE), Buffer.alloc(32, 1), { mode: 0o644 });
    assert.deepEqual(loadOrCreateDeviceSecret(dir), Buffer.alloc(32, 1));
    assert.equal(mode(join(dir, DEVICE_SECRET_FILE)), 0o600);
    assert.equal(mode(dir), 0o700);
  }));

  test('a shared sticky folder (as /tmp) keeps its mode; the secret in it is still 0600', () => withUmask(() => {
    const dir = join(root, `sticky${++n}`);
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    loadOrCreateDeviceSecret(dir);
    assert.equal(statSync(dir).mode & 0o7777, 0o1777);
    assert.equal(mode(join(dir, DEVICE_SECRET_FILE)), 0o600);
  }));

  test('empty, short, long and non-regular secret files are refused with a clear message and left untouched', () => {
    for (const [bytes, re] of [[0, /is empty/], [8, /holds 8 bytes \(a device secret is 16–64\)/], [65, /holds 65 bytes/]] as const) {
      const dir = fresh();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, DEVICE_SECRET_FILE), Buffer.alloc(bytes, 3));
      assert.throws(() => loadOrCreateDeviceSecret(dir), (e: Error) => re.test(e.message) && /restore that file from a backup/.test(e.message));
      assert.equal(readFileSync(join(dir, DEVICE_SECRET_FILE)).length, bytes);
    }
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, 'elsewhere'), Buffer.alloc(32));
    symlinkSync(join(root, 'elsewhere'), join(dir, DEVICE_SECRET_FILE));
    assert.throws(() => loadOrCreateDeviceSecret(dir), /not a regular file/);
    const ok = fresh();
    mkdirSync(ok, { recursive: true });
    writeFileSync(join(ok, DEVICE_SECRET_FILE), Buffer.alloc(16, 9));
    assert.deepEqual(loadOrCreateDeviceSecret(ok), Buffer.alloc(16, 9)); // 16..64 bytes are what the firmware accepts
  });

  test('no new secret over an existing sealed state', () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, SEALED_STATE_FILES[0]), Buffer.alloc(100, 5));
    assert.throws(() => loadOrCreateDeviceSecret(dir), /a sealed state exists .*glasses-state\.bin.*none is made/);
    assert.equal(existsSync(join(dir, DEVICE_SECRET_FILE)), false);
    assert.deepEqual(readdirSync(dir), [SEALED_STATE_FILES[0]]);
    // another name can be given
    const other = fresh();
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'custom.sealed'), 'x');
    assert.throws(() => loadOrCreateDeviceSecret(other, { sealedStateFiles: ['custom.sealed'] }), /custom\.sealed/);
  });

  test('two creators racing share one secret (the second finds the first one\'s file)', () => {
    const dir = fresh();
    let raced = false;
    const io: AtomicIo = {
      ...nodeIo,
      linkSync: (a, b) => {
        if (!raced) { raced = true; loadOrCreateDeviceSecret(dir, { random: (k) => new Uint8Array(k).fill(1) }); }
        nodeIo.linkSync(a, b);
      },
    };
    const got = loadOrCreateDeviceSecret(dir, { io, random: (k) => new Uint8Array(k).fill(2) });
    assert.deepEqual(got, Buffer.alloc(SECRET_BYTES, 1));
    assert.deepEqual(readFileSync(join(dir, DEVICE_SECRET_FILE)), Buffer.alloc(SECRET_BYTES, 1));
    assert.deepEqual(readdirSync(dir), [DEVICE_SECRET_FILE]);
  });
});

describe('writeFileAtomic / createFileAtomic', () => {
  test('replaces whole, with the asked mode whatever the umask, fsync before rename and folder after; no temp left', () => {
    const dir = join(root, `w${++n}`);
    mkdirSync(dir);
    const f = join(dir, 'state.bin');
    writeFileSync(f, 'old content');
    const log: string[] = [];
    const old = process.umask(0o077);
    try { writeFileAtomic(f, Buffer.from('new'), 0o640, recordingIo(log)); } finally { process.umask(old); }
    assert.equal(readFileSync(f, 'utf8'), 'new');
    assert.equal(mode(f), 0o640);
    const tmp = log[0].slice('open '.length);
    assert.ok(log.indexOf(`fsync ${tmp}`) < log.indexOf(`rename ${tmp} ${f}`));
    assert.ok(log.indexOf(`rename ${tmp} ${f}`) < log.indexOf(`fsync ${dir}`));
    assert.deepEqual(readdirSync(dir), ['state.bin']);
  });

  test('a failing write leaves the old file and no temporary file', () => {
    const dir = join(root, `w${++n}`);
    mkdirSync(dir);
    const f = join(dir, 'state.bin');
    writeFileSync(f, 'old');
    const io: AtomicIo = { ...nodeIo, fsyncSync: () => { throw Object.assign(new Error('EIO: disk gone'), { code: 'EIO' }); } };
    assert.throws(() => writeFileAtomic(f, Buffer.from('new'), 0o600, io), /EIO/);
    assert.equal(readFileSync(f, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['state.bin']);
  });

  test('createFileAtomic refuses an existing name (EEXIST) and keeps its content', () => {
    const dir = join(root, `w${++n}`);
    mkdirSync(dir);
    const f = join(dir, 'once');
    createFileAtomic(f, Buffer.from('first'), 0o600);
    assert.throws(() => createFileAtomic(f, Buffer.from('second'), 0o600), { code: 'EEXIST' });
    assert.equal(readFileSync(f, 'utf8'), 'first');
    assert.deepEqual(readdirSync(dir), ['once']);
  });
});
