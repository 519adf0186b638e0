// The event queue the host drains: UTF-8 JSON records in a fixed byte ring. When the ring is full the
// oldest records are dropped (and counted) so the firmware never blocks on a slow host. A record is never
// cut: one longer than EVENT_MAX is replaced by a short, well-formed "event_too_large" record naming its type,
// so the host always reads whole JSON (fields are capped where they are parsed, so this is a last guard).
import { Json } from "../io/json";

const RING: i32 = 8192;
export const EVENT_MAX: i32 = 1024;

const ring: usize = memory.data(RING, 8);
const out: usize = memory.data(EVENT_MAX, 8);
let head: i32 = 0;   // read position
let tail: i32 = 0;   // write position
let used: i32 = 0;
let dropped: u32 = 0;
let oversized: u32 = 0;

function putByte(b: u8): void { store<u8>(ring + tail, b); tail = (tail + 1) % RING; }
function getByte(): u8 { const b = load<u8>(ring + head); head = (head + 1) % RING; return b; }

function dropOldest(): void {
  const len = (<i32>getByte()) | ((<i32>getByte()) << 8);
  head = (head + len) % RING;
  used -= 2 + len;
  dropped++;
}

/** The value of the leading "type" key of a record we wrote ("" when it does not start that way). */
function recordType(json: string): string {
  const head = "{\"type\":\"";
  if (!json.startsWith(head)) return "";
  const end = json.indexOf("\"", head.length);
  return end > head.length && end - head.length <= 32 ? json.substring(head.length, end) : "";
}

/** Queues one event record (a JSON object as text); an over-long record is replaced, never truncated. */
export function pushEvent(json: string): void {
  let bytes = String.UTF8.encode(json);
  if (bytes.byteLength > EVENT_MAX) {
    oversized++;
    bytes = String.UTF8.encode(new Json().str("type", "event_too_large").str("event", recordType(json))
      .int("bytes", bytes.byteLength).int("max", EVENT_MAX).toString());
  }
  const len = bytes.byteLength;
  while (used + 2 + len > RING) dropOldest();
  putByte(<u8>(len & 0xff)); putByte(<u8>(len >> 8));
  const p = changetype<usize>(bytes);
  for (let i = 0; i < len; i++) putByte(load<u8>(p + i));
  used += 2 + len;
}

/** Moves the oldest event into the out buffer; returns its length, or 0 when the queue is empty. */
export function popEvent(): i32 {
  if (used == 0) return 0;
  const len = (<i32>getByte()) | ((<i32>getByte()) << 8);
  for (let i = 0; i < len; i++) store<u8>(out + i, getByte());
  used -= 2 + len;
  return len;
}

export function eventOutPtr(): usize { return out; }
export function eventsDropped(): u32 { return dropped; }
/** How many records were too long and were replaced by an "event_too_large" record. */
export function eventsOversized(): u32 { return oversized; }
export function eventsReset(): void { head = 0; tail = 0; used = 0; dropped = 0; oversized = 0; }
