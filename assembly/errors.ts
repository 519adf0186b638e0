// One table of status codes for every entry point of the firmware (command face and device face).
// 0 is success; every failure is a positive code with a stable name and a human message.
// Engines add their codes here (one block per engine) so the host can print any of them.

export const OK: i32 = 0;

// general 1..19
export const E_ARGS: i32 = 1;          // bad or missing command-line argument
export const E_UNKNOWN_COMMAND: i32 = 2;
export const E_IO: i32 = 3;            // a file could not be opened, read or written
export const E_FORMAT: i32 = 4;        // input bytes are not in the expected format
export const E_TRUNCATED: i32 = 5;     // input ends before its declared length
export const E_TOO_LARGE: i32 = 6;     // input exceeds a fixed buffer sized from the board
export const E_NOT_INIT: i32 = 7;      // device face used before init()
export const E_CONFIG: i32 = 8;        // board config passed to init() is invalid
export const E_BUFFER_FULL: i32 = 9;   // a queue or ring has no room
export const E_STATE: i32 = 10;        // operation not allowed in the current state
// persistent state 20..29
export const E_STATE_CORRUPT: i32 = 20;  // bad magic, length or checksum
export const E_STATE_VERSION: i32 = 21;  // written by an unknown format version
export const E_STATE_AUTH: i32 = 22;     // sealed state failed authentication
export const E_STATE_ROLLBACK: i32 = 23; // an older state than the anchored generation (restored backup)
// crypto 30..49
export const E_CRYPTO: i32 = 30;
export const E_BAD_KEY: i32 = 31;
export const E_BAD_POINT: i32 = 32;
export const E_BAD_SIGNATURE: i32 = 33;
export const E_AUTH_FAILED: i32 = 34;   // AEAD tag mismatch
// qr 50..69
export const E_QR_NOT_FOUND: i32 = 50;
export const E_QR_UNREADABLE: i32 = 51; // found but Reed–Solomon could not correct it
// voice 70..89
export const E_AUDIO_FORMAT: i32 = 70;
export const E_VOICE_PROFILE: i32 = 71;
// pay/link 90..119
export const E_PAYLOAD: i32 = 90;
export const E_POLICY: i32 = 91;
export const E_LINK_FRAME: i32 = 92;
export const E_PAYLOAD_CRC: i32 = 93;       // EMV tag 63 missing or does not match CRC-16/CCITT-FALSE
export const E_PAYLOAD_STRUCTURE: i32 = 94; // EMV TLV walk or top-level structure is broken
export const E_PAYLOAD_FORMAT: i32 = 95;    // not an EMV, Alipay, WeChat Pay or UPI payload
export const E_LINK_SEQ: i32 = 96;          // link continuation fragment out of sequence or unexpected
export const E_LINK_LEN: i32 = 97;          // link fragment or message length wrong (overlong, mismatch)
export const E_LINK_CMD: i32 = 98;          // unknown link command
export const E_LINK_TIMEOUT: i32 = 99;      // link message not completed in time
export const E_CBOR: i32 = 100;             // malformed or non-canonical CBOR
export const E_CBOR_LIMIT: i32 = 101;       // CBOR exceeds a depth, length or buffer limit

export function statusName(code: i32): string {
  switch (code) {
    case OK: return "ok";
    case E_ARGS: return "bad_args";
    case E_UNKNOWN_COMMAND: return "unknown_command";
    case E_IO: return "io";
    case E_FORMAT: return "format";
    case E_TRUNCATED: return "truncated";
    case E_TOO_LARGE: return "too_large";
    case E_NOT_INIT: return "not_init";
    case E_CONFIG: return "config";
    case E_BUFFER_FULL: return "buffer_full";
    case E_STATE: return "bad_state";
    case E_STATE_CORRUPT: return "state_corrupt";
    case E_STATE_VERSION: return "state_version";
    case E_STATE_AUTH: return "state_auth";
    case E_STATE_ROLLBACK: return "state_rollback";
    case E_CRYPTO: return "crypto";
    case E_BAD_KEY: return "bad_key";
    case E_BAD_POINT: return "bad_point";
    case E_BAD_SIGNATURE: return "bad_signature";
    case E_AUTH_FAILED: return "auth_failed";
    case E_QR_NOT_FOUND: return "qr_not_found";
    case E_QR_UNREADABLE: return "qr_unreadable";
    case E_AUDIO_FORMAT: return "audio_format";
    case E_VOICE_PROFILE: return "voice_profile";
    case E_PAYLOAD: return "payload";
    case E_POLICY: return "policy";
    case E_LINK_FRAME: return "link_frame";
    case E_PAYLOAD_CRC: return "payload_crc";
    case E_PAYLOAD_STRUCTURE: return "payload_structure";
    case E_PAYLOAD_FORMAT: return "payload_format";
    case E_LINK_SEQ: return "link_seq";
    case E_LINK_LEN: return "link_len";
    case E_LINK_CMD: return "link_cmd";
    case E_LINK_TIMEOUT: return "link_timeout";
    case E_CBOR: return "cbor";
    case E_CBOR_LIMIT: return "cbor_limit";
  }
  return "unknown_status";
}

export function statusMessage(code: i32): string {
  switch (code) {
    case OK: return "success";
    case E_ARGS: return "bad or missing argument";
    case E_UNKNOWN_COMMAND: return "unknown command";
    case E_IO: return "file could not be opened, read or written";
    case E_FORMAT: return "input is not in the expected format";
    case E_TRUNCATED: return "input is truncated";
    case E_TOO_LARGE: return "input is larger than the board's buffers";
    case E_NOT_INIT: return "device not initialised: call init() first";
    case E_CONFIG: return "invalid board config";
    case E_BUFFER_FULL: return "buffer full";
    case E_STATE: return "operation not allowed in the current state";
    case E_STATE_CORRUPT: return "persistent state is corrupt (magic, length or checksum)";
    case E_STATE_VERSION: return "persistent state has an unsupported version";
    case E_STATE_AUTH: return "persistent state failed authentication";
    case E_STATE_ROLLBACK: return "persistent state is older than the anchored generation (rolled back)";
    case E_CRYPTO: return "cryptographic operation failed";
    case E_BAD_KEY: return "invalid key";
    case E_BAD_POINT: return "invalid curve point";
    case E_BAD_SIGNATURE: return "invalid signature encoding";
    case E_AUTH_FAILED: return "authentication tag mismatch";
    case E_QR_NOT_FOUND: return "no QR code found";
    case E_QR_UNREADABLE: return "QR code found but could not be corrected";
    case E_AUDIO_FORMAT: return "audio is not 16 kHz mono int16 WAV";
    case E_VOICE_PROFILE: return "invalid voice profile";
    case E_PAYLOAD: return "invalid payment payload";
    case E_POLICY: return "refused by payment policy";
    case E_LINK_FRAME: return "malformed link frame";
    case E_PAYLOAD_CRC: return "payment payload CRC missing or wrong";
    case E_PAYLOAD_STRUCTURE: return "payment payload TLV structure is broken";
    case E_PAYLOAD_FORMAT: return "not a recognised payment payload (EMV QR, Alipay, WeChat Pay, UPI)";
    case E_LINK_SEQ: return "link fragment out of sequence";
    case E_LINK_LEN: return "link fragment or message length is wrong";
    case E_LINK_CMD: return "unknown link command";
    case E_LINK_TIMEOUT: return "link message timed out";
    case E_CBOR: return "malformed or non-canonical CBOR";
    case E_CBOR_LIMIT: return "CBOR exceeds a depth, length or size limit";
  }
  return "unknown status";
}
