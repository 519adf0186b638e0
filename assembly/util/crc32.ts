// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320): the integrity check of the persistent-state blob.
// Bitwise, no table: the blob is small and written rarely.
export function crc32(ptr: usize, len: i32): u32 {
  let c: u32 = 0xffffffff;
  for (let i = 0; i < len; i++) {
    c ^= load<u8>(ptr + i);
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & (0 - (c & 1)));
  }
  return ~c;
}
