// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0): the EMV MPM QR checksum.
// check("123456789") = 0x29B1. Table-driven (512 bytes, static data, built once on first use).

const table: usize = memory.data(512, 2);
let tableReady = false;

function buildTable(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c: u32 = i << 8;
    for (let k = 0; k < 8; k++) c = (c & 0x8000) ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    store<u16>(table + (i << 1), <u16>c);
  }
  tableReady = true;
}

/** Continues a CRC over len bytes at ptr (start with crc = 0xFFFF). */
export function crc16Update(crc: u32, ptr: usize, len: i32): u32 {
  if (!tableReady) buildTable();
  for (let i = 0; i < len; i++) {
    const b = <u32>load<u8>(ptr + <usize>i);
    crc = ((crc << 8) & 0xffff) ^ <u32>load<u16>(table + ((((crc >> 8) ^ b) & 0xff) << 1));
  }
  return crc;
}

/** CRC-16/CCITT-FALSE of len bytes at ptr. */
export function crc16(ptr: usize, len: i32): u32 {
  return crc16Update(0xffff, ptr, len);
}

const HEXU = "0123456789ABCDEF";

/** The 4-character upper-case hex form used in tag 63. */
export function crc16Hex(crc: u32): string {
  let s = "";
  for (let sh = 12; sh >= 0; sh -= 4) s += HEXU.charAt(<i32>((crc >> <u32>sh) & 15));
  return s;
}
