// Trust boundary, issue 9 items 1 and 3: every byte of clientDataJSON comes from the escaping JSON writer, a
// malformed challenge is refused before anything is signed, shown fields are capped where they are parsed, and
// no event record is ever cut mid-JSON. Everything goes through the real entry points (the device face over
// link fragments, the payload command face) and is checked with Node's own JSON and base64url decoders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDevice, drainEvents, runCommand, type Device } from "../host/engine/index.ts";
import { loadBoard } from "../host/boards.ts";
import { fragment, CMD } from "./link-ref.ts";
import { cborEncode, type CborValue } from "../host/phone/cbor.ts";
import { BUTTON } from "../host/generated/abi.ts";

const BOARD = "desktop";
const T_REG_CHALLENGE = 6, T_REGISTRATION = 7, T_RECENT = 10;
const secret = new Uint8Array(32).map((_, i) => (i * 29 + 3) & 0xff);

async function send(dev: Device, body: Map<number, unknown>): Promise<number[]> {
  const mtu = loadBoard(BOARD).link.mtu;
  const rx = await dev.call("linkRxBuffer");
  const st: number[] = [];
  for (const f of fragment(CMD.MSG, cborEncode(body as Map<CborValue, CborValue>), mtu)) {
    await dev.write(rx, f);
    st.push(await dev.call("onLinkRx", f.length));
  }
  return st;
}

/** Every message body the glasses sent (reassembled from the [u16 len][fragment] records of linkTx). */
async function sent(dev: Device): Promise<Uint8Array[]> {
  const tx = await dev.call("linkTxBuffer");
  const frags: Uint8Array[] = [];
  for (;;) {
    const n = await dev.call("linkTx");
    if (n <= 0) break;
    const buf = await dev.read(tx, n);
    for (let p = 0; p + 2 <= n;) { const len = buf[p] | (buf[p + 1] << 8); frags.push(buf.slice(p + 2, p + 2 + len)); p += 2 + len; }
  }
  const bodies: Uint8Array[] = [];
  let cur: number[] = [], need = 0;
  for (const f of frags) {
    if (f[0] & 0x80) { if (f[0] !== CMD.MSG) continue; need = (f[1] << 8) | f[2]; cur = [...f.slice(3)]; }
    else cur.push(...f.slice(1));
    if (need > 0 && cur.length >= need) { bodies.push(Uint8Array.from(cur.slice(0, need))); need = 0; }
  }
  return bodies;
}

/** Text fields of a CBOR map body that hold clientDataJSON (small decoder: the glasses' bodies are canonical). */
function texts(body: Uint8Array): string[] {
  const s = Buffer.from(body).toString("latin1");
  const out: string[] = [];
  for (let i = s.indexOf('{"type"'); i >= 0; i = s.indexOf('{"type"', i + 1)) {
    let depth = 0, j = i, inStr = false;
    for (; j < s.length; j++) {
      const c = s[j];
      if (inStr) { if (c === "\\") j++; else if (c === '"') inStr = false; }
      else if (c === '"') inStr = true; else if (c === "{") depth++; else if (c === "}" && --depth === 0) break;
    }
    out.push(Buffer.from(s.slice(i, j + 1), "latin1").toString("utf8"));
  }
  return out;
}

test("a registration challenge that is not base64url of 16–64 bytes is refused and nothing is signed", async () => {
  const dev = await openDevice({ board: BOARD, init: true, secret });
  await drainEvents(dev);
  const payment = { rpId: "glasses.local", payeeName: "Thief", total: { currency: "USD", value: "999.00" } };
  const injected = 'x","type":"payment.get","challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","payment":' +
    JSON.stringify(payment) + ',"x":"';
  const bad = [injected, "AAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAA+/", "AAAAAAAAAAAAAAAAAAAAAB", "AAAA",
    "A".repeat(90), "AAAAAAAAAAAAAAAAAAAAAA\u00e9"];
  // in pairing mode, so the challenge itself is what is refused (outside it every registration is refused)
  assert.equal(await dev.call("pairBegin", 1_800_000_000_000n), 0);
  for (const ch of bad) {
    await send(dev, new Map<number, unknown>([[1, T_REG_CHALLENGE], [2, ch], [3, "Phone"]]));
    const out = await sent(dev);
    assert.ok(!out.some((b) => b[2] === T_REGISTRATION || texts(b).length > 0), `signed for challenge ${JSON.stringify(ch).slice(0, 40)}`);
  }
  for (const e of await drainEvents(dev)) assert.notEqual(e.type, "registration");
  await dev.close();
});

test("a valid challenge is signed inside a clientDataJSON that parses to exactly the expected keys", async () => {
  const dev = await openDevice({ board: BOARD, init: true, secret });
  const challenge = Buffer.from(Uint8Array.from({ length: 32 }, (_, i) => i * 7)).toString("base64url");
  // pairing as the wearer does it: pairing mode, the phone's challenge, the wearer confirms (first pairing: button)
  assert.equal(await dev.call("pairBegin", 1_800_000_000_000n), 0);
  await send(dev, new Map<number, unknown>([[1, T_REG_CHALLENGE], [2, challenge], [3, "Phone"]]));
  assert.equal((await sent(dev)).flatMap(texts).length, 0, "nothing signed before the wearer confirms");
  assert.equal(await dev.call("onButton", BUTTON.CONFIRM, 1_800_000_001_000n), 0);
  const cds = (await sent(dev)).flatMap(texts);
  assert.equal(cds.length, 1, "one registration signed");
  for (const cd of cds) {
    const o = JSON.parse(cd);
    assert.deepEqual(Object.keys(o), ["type", "challenge", "origin"]);
    assert.equal(o.type, "webauthn.create");
    assert.equal(o.challenge, challenge);
    assert.equal(Buffer.from(o.challenge, "base64url").length, 32);
  }
  await dev.close();
});

test("payload caps: a payee name over 64 bytes is refused at parse time, the account is reported", async () => {
  const upi = (pn: string) => `upi://pay?pa=shop@okbank&pn=${encodeURIComponent(pn)}&am=10.00&cu=INR`;
  const long = await runCommand(["payload", "--json", upi("A".repeat(1100))], { board: BOARD });
  const r = JSON.parse(long.stdout.trim().split("\n").pop()!);
  assert.equal(r.valid, false);
  assert.match(r.error, /payee name longer than 64 bytes/);
  // 22 three-byte characters are 66 bytes: the limit is in bytes, not characters.
  const wide = JSON.parse((await runCommand(["payload", "--json", upi("\u4e2d".repeat(22))], { board: BOARD })).stdout.trim().split("\n").pop()!);
  assert.equal(wide.valid, false);
  const ok = JSON.parse((await runCommand(["payload", "--json", upi("\u4e2d".repeat(21))], { board: BOARD })).stdout.trim().split("\n").pop()!);
  assert.equal(ok.valid, true);
  assert.equal(ok.account, "shop@okbank");
});

test("no event record is ever cut: an over-long reply is refused whole and every event parses", async () => {
  const dev = await openDevice({ board: BOARD, init: true, secret });
  await drainEvents(dev);
  // The phone's recent-payments reply with a 1,100-character payee (it used to abort the host mid-JSON).
  const st = await send(dev, new Map<number, unknown>([[1, T_RECENT], [2, [["P".repeat(1100), "5.00", "HKD"]]]]));
  assert.ok(st.some((s) => s !== 0), "the over-long reply is refused");
  const events = await drainEvents(dev);      // throws if any record is not whole JSON
  assert.ok(!events.some((e) => e.type === "recent"));
  await dev.close();
});
