// One table of status codes for every entry point of the firmware (command face and device face).
// 0 is success; every failure is a positive code with a stable name and a human message.
// Engines add their codes here (one block per engine) so the host can print any of them: a constant
// below and ONE row in describe() (its name and its message). scripts/gen-abi.ts generates the host's
// table (host/generated/abi.ts) from this file and fails when a constant has no row or a row no constant.

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

// Picks one of two static strings: no allocation on an error path.
@inline function row(message: bool, name: string, text: string): string { return message ? text : name; }

function describe(code: i32, message: bool): string {
  switch (code) {
    case OK: return row(message, "ok", "success");
    case E_ARGS: return row(message, "bad_args", "bad or missing argument");
    case E_UNKNOWN_COMMAND: return row(message, "unknown_command", "unknown command");
    case E_IO: return row(message, "io", "file could not be opened, read or written");
    case E_FORMAT: return row(message, "format", "input is not in the expected format");
    case E_TRUNCATED: return row(message, "truncated", "input is truncated");
    case E_TOO_LARGE: return row(message, "too_large", "input is larger than the board's buffers");
    case E_NOT_INIT: return row(message, "not_init", "device not initialised: call init() first");
    case E_CONFIG: return row(message, "config", "invalid board config");
    case E_BUFFER_FULL: return row(message, "buffer_full", "buffer full");
    case E_STATE: return row(message, "bad_state", "operation not allowed in the current state");
    case E_STATE_CORRUPT: return row(message, "state_corrupt", "persistent state is corrupt (magic, length or checksum)");
    case E_STATE_VERSION: return row(message, "state_version", "persistent state has an unsupported version");
    case E_STATE_ROLLBACK: return row(message, "state_rollback", "stored state is older than the anchored generation (rollback refused)");
    case E_STATE_AUTH: return row(message, "state_auth", "persistent state failed authentication");
    case E_CRYPTO: return row(message, "crypto", "cryptographic operation failed");
    case E_BAD_KEY: return row(message, "bad_key", "invalid key");
    case E_BAD_POINT: return row(message, "bad_point", "invalid curve point");
    case E_BAD_SIGNATURE: return row(message, "bad_signature", "invalid signature encoding");
    case E_AUTH_FAILED: return row(message, "auth_failed", "authentication tag mismatch");
    case E_QR_NOT_FOUND: return row(message, "qr_not_found", "no QR code found");
    case E_QR_UNREADABLE: return row(message, "qr_unreadable", "QR code found but could not be corrected");
    case E_AUDIO_FORMAT: return row(message, "audio_format", "audio is not 16 kHz mono int16 WAV");
    case E_VOICE_PROFILE: return row(message, "voice_profile", "invalid voice profile");
    case E_PAYLOAD: return row(message, "payload", "invalid payment payload");
    case E_POLICY: return row(message, "policy", "refused by payment policy");
    case E_LINK_FRAME: return row(message, "link_frame", "malformed link frame");
    case E_PAYLOAD_CRC: return row(message, "payload_crc", "payment payload CRC missing or wrong");
    case E_PAYLOAD_STRUCTURE: return row(message, "payload_structure", "payment payload TLV structure is broken");
    case E_PAYLOAD_FORMAT: return row(message, "payload_format", "not a recognised payment payload (EMV QR, Alipay, WeChat Pay, UPI)");
    case E_LINK_SEQ: return row(message, "link_seq", "link fragment out of sequence");
    case E_LINK_LEN: return row(message, "link_len", "link fragment or message length is wrong");
    case E_LINK_CMD: return row(message, "link_cmd", "unknown link command");
    case E_LINK_TIMEOUT: return row(message, "link_timeout", "link message timed out");
    case E_CBOR: return row(message, "cbor", "malformed or non-canonical CBOR");
    case E_CBOR_LIMIT: return row(message, "cbor_limit", "CBOR exceeds a depth, length or size limit");
  }
  return row(message, "unknown_status", "unknown status");
}

/** The stable snake_case name of a status code ("bad_args"). */
export function statusName(code: i32): string { return describe(code, false); }

/** The human message of a status code ("bad or missing argument"). */
export function statusMessage(code: i32): string { return describe(code, true); }
