import { Reassembler, Fragmenter, CMD_MSG, CMD_PING, LERR_INVALID_SEQ, LERR_INVALID_LEN, LERR_REQ_TIMEOUT } from "../link/framing";
import { CborWriter, CborReader, cborValidate, MT_MAP } from "../link/cbor";
import { OK, E_LINK_SEQ, E_LINK_LEN, E_LINK_TIMEOUT, E_CBOR } from "../errors";

const frag = memory.data(512, 8);
const body = memory.data(1024, 8);

describe("framing", () => {
  it("round-trips a 300-byte message at MTU 20", () => {
    const tx = new Fragmenter();
    const rx = new Reassembler();
    expect(tx.configure(20)).toBe(OK);
    expect(rx.configure(20, 1000)).toBe(OK);
    for (let i = 0; i < 300; i++) store<u8>(body + i, <u8>(i * 7));
    expect(tx.send(CMD_MSG, body, 300)).toBe(OK);
    let n = 0, frags = 0;
    while ((n = tx.next(frag)) > 0) {
      expect(n).toBeLessThanOrEqual(20);
      expect(rx.feed(frag, n, 10)).toBe(OK);
      frags++;
    }
    expect(frags).toBe(1 + 15);   // 17 bytes in the init fragment, then 19 per continuation
    expect(rx.ready).toBe(true);
    expect(rx.cmd).toBe(CMD_MSG);
    expect(rx.total).toBe(300);
    expect(memory.compare(rx.data(), body, 300)).toBe(0);
  });
  it("rejects a continuation without an init", () => {
    const rx = new Reassembler();
    rx.configure(20, 1000);
    store<u8>(frag, 0); store<u8>(frag + 1, 1);
    expect(rx.feed(frag, 2, 0)).toBe(E_LINK_SEQ);
    expect(rx.lastError).toBe(LERR_INVALID_SEQ);
  });
  it("rejects an init carrying more than it announces", () => {
    const rx = new Reassembler();
    rx.configure(20, 1000);
    store<u8>(frag, <u8>CMD_PING); store<u8>(frag + 1, 0); store<u8>(frag + 2, 1);
    expect(rx.feed(frag, 5, 0)).toBe(E_LINK_LEN);
    expect(rx.lastError).toBe(LERR_INVALID_LEN);
  });
  it("times out a partial message", () => {
    const rx = new Reassembler();
    rx.configure(20, 100);
    store<u8>(frag, <u8>CMD_MSG); store<u8>(frag + 1, 0); store<u8>(frag + 2, 40);
    expect(rx.feed(frag, 20, 0)).toBe(OK);
    expect(rx.tick(50)).toBe(OK);
    expect(rx.tick(101)).toBe(E_LINK_TIMEOUT);
    expect(rx.lastError).toBe(LERR_REQ_TIMEOUT);
  });
});

describe("cbor", () => {
  it("writes canonical heads and reads them back", () => {
    const w = new CborWriter().reset(body, 1024);
    w.map(3).uint(1).int(-500).uint(2).text("héllo").uint(3).bool(true);
    expect(w.overflow).toBe(false);
    expect(cborValidate(body, w.len)).toBe(OK);
    const r = new CborReader().reset(body, w.len);
    expect(r.readMap()).toBe(3);
    expect(r.readInt()).toBe(1);
    expect(r.readInt()).toBe(-500);
    expect(r.readInt()).toBe(2);
    expect(r.readText()).toBe(true);
    expect(String.UTF8.decodeUnsafe(r.valPtr, r.valLen)).toBe("héllo");
    expect(r.readInt()).toBe(3);
    expect(r.readSimple()).toBe(1);
    expect(r.atEnd()).toBe(true);
  });
  it("rejects unsorted keys and overflows safely", () => {
    const w = new CborWriter().reset(body, 1024);
    w.map(2).uint(2).nul().uint(1).nul();
    expect(cborValidate(body, w.len)).toBe(E_CBOR);
    const small = new CborWriter().reset(body, 3);
    small.text("too long for three bytes");
    expect(small.overflow).toBe(true);
    expect(small.len).toBeLessThanOrEqual(3);
  });
});
