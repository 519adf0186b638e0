// Command face of the crypto engine:
//   crypto keygen                                      -> {"key": HEX32, "pub": HEX65}
//   crypto sign --key HEX32 --msg HEX [--low-s]        -> {"der": HEX, "raw": HEX64}   (ECDSA P-256, SHA-256, RFC 6979)
//   crypto verify --pub HEX65 --msg HEX --sig HEXDER   -> {"valid": bool}
//   crypto ecdh --key HEX32 --pub HEX65                -> {"shared": HEX32}
//   crypto cose --pub HEX65                            -> {"cose": HEX}  (COSE_Key, EC2/P-256/ES256)
// keygen and sign print secrets/nonces derived from them only because they are explicit debugging commands.
import { printLine } from "../io/output";
import { Json } from "../io/json";
import { toHex, hexToBytes } from "../util/hex";
import { fail, flagValue, hasFlag } from "../commands/fail";
import { OK, E_ARGS, E_BAD_KEY, E_BAD_POINT, E_CRYPTO } from "../errors";
import { randomBytes, reseedRandom } from "./drbg";
import { ecdsaSign, ecdsaVerifyDigest, publicFromPrivate, loadPrivate } from "./ecdsa";
import { ecdhShared } from "./ecdh";
import { derEncodeSig, derDecodeSig } from "./der";
import { coseKeyFromSec1 } from "./cose";
import { decodePoint } from "./p256/point";
import { sha256 } from "./sha256";

export const CRYPTO_USAGE = "crypto keygen | sign --key HEX32 --msg HEX [--low-s] | verify --pub HEX65 --msg HEX --sig HEXDER | ecdh --key HEX32 --pub HEX65 | cose --pub HEX65";

const PRIV: usize = memory.data(32, 16);
const PUB: usize = memory.data(72, 16);  // decoded affine point (72) or encoded key (65)
const SIG: usize = memory.data(64, 16);
const DER: usize = memory.data(80, 16);
const OUT: usize = memory.data(80, 16);
const DIG: usize = memory.data(32, 16);
const PT: usize = memory.data(64, 16);
const SCR: usize = memory.data(32, 16);

function needHex(args: string[], flag: string, len: i32): Uint8Array | null {
  const v = flagValue(args, flag);
  if (v == null) return null;
  const b = hexToBytes(v!);
  if (b == null) return null;
  if (len >= 0 && b.length != len) return null;
  return b;
}

function keygen(): i32 {
  if (reseedRandom() != OK) return fail(E_CRYPTO, "random_get failed");
  for (let i = 0; i < 16; i++) {
    if (randomBytes(PRIV, 32) != OK) return fail(E_CRYPTO, "random_get failed");
    if (loadPrivate(SCR, PRIV)) {
      publicFromPrivate(PUB, PRIV);
      printLine(new Json().str("key", toHex(PRIV, 32)).str("pub", toHex(PUB, 65)).toString());
      memory.fill(PRIV, 0, 32); memory.fill(SCR, 0, 32);
      return OK;
    }
  }
  return fail(E_CRYPTO, "could not draw a private key");
}

function sign(args: string[]): i32 {
  const key = needHex(args, "--key", 32);
  if (key == null) return fail(E_ARGS, "--key needs 64 hex digits (a 32-byte private key)");
  const msg = needHex(args, "--msg", -1);
  if (msg == null) return fail(E_ARGS, "--msg needs hex bytes (may be empty: --msg '')");
  const st = ecdsaSign(SIG, key.dataStart, msg.dataStart, <usize>msg.length, hasFlag(args, "--low-s"));
  key.fill(0);
  if (st == E_BAD_KEY) return fail(st, "private key must be in [1, n-1]");
  if (st != OK) return fail(st, "signing failed");
  const n = derEncodeSig(DER, SIG);
  printLine(new Json().str("der", toHex(DER, n)).str("raw", toHex(SIG, 64)).toString());
  return OK;
}

function verify(args: string[]): i32 {
  const pub = needHex(args, "--pub", -1);
  if (pub == null) return fail(E_ARGS, "--pub needs a hex SEC1 public key (65 bytes 04||x||y)");
  const msg = needHex(args, "--msg", -1);
  if (msg == null) return fail(E_ARGS, "--msg needs hex bytes");
  const sig = needHex(args, "--sig", -1);
  if (sig == null) return fail(E_ARGS, "--sig needs a hex DER signature");
  if (pub.length != 65) return fail(E_BAD_POINT, "public key must be 65 bytes (04||x||y), got " + pub.length.toString());
  if (decodePoint(PUB, pub.dataStart, 65) != 0) return fail(E_BAD_POINT, "public key is not a point on P-256");
  let valid = false;
  if (derDecodeSig(SIG, sig.dataStart, sig.length)) {
    sha256(DIG, msg.dataStart, <usize>msg.length);
    valid = ecdsaVerifyDigest(pub.dataStart, 65, DIG, SIG) == OK;
  }
  printLine(new Json().bool("valid", valid).toString());
  return OK;
}

function ecdh(args: string[]): i32 {
  const key = needHex(args, "--key", 32);
  if (key == null) return fail(E_ARGS, "--key needs 64 hex digits (a 32-byte private key)");
  const pub = needHex(args, "--pub", -1);
  if (pub == null) return fail(E_ARGS, "--pub needs a hex SEC1 public key (65 bytes 04||x||y)");
  if (pub.length != 65) return fail(E_BAD_POINT, "public key must be 65 bytes (04||x||y), got " + pub.length.toString());
  const st = ecdhShared(OUT, key.dataStart, pub.dataStart, 65);
  key.fill(0);
  if (st == E_BAD_POINT) return fail(st, "public key is not a point on P-256");
  if (st == E_BAD_KEY) return fail(st, "private key must be in [1, n-1]");
  if (st != OK) return fail(st, "ECDH failed");
  printLine(new Json().str("shared", toHex(OUT, 32)).toString());
  memory.fill(OUT, 0, 32);
  return OK;
}

function cose(args: string[]): i32 {
  const pub = needHex(args, "--pub", 65);
  if (pub == null) return fail(E_ARGS, "--pub needs 130 hex digits (04||x||y)");
  if (decodePoint(PUB, pub.dataStart, 65) != 0) return fail(E_BAD_POINT, "public key is not a point on P-256");
  const n = coseKeyFromSec1(OUT, pub.dataStart, 65);
  printLine(new Json().str("cose", toHex(OUT, n)).toString());
  return OK;
}

/** `crypto <sub> ...` */
export function cryptoCommand(args: string[]): i32 {
  if (args.length < 1) return fail(E_ARGS, "usage: " + CRYPTO_USAGE);
  const sub = args[0];
  const rest = args.slice(1);
  if (sub == "keygen") return keygen();
  if (sub == "sign") return sign(rest);
  if (sub == "verify") return verify(rest);
  if (sub == "ecdh") return ecdh(rest);
  if (sub == "cose") return cose(rest);
  return fail(E_ARGS, "unknown crypto subcommand '" + sub + "'; usage: " + CRYPTO_USAGE);
}
