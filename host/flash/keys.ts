// Image signing keys (PEM, ECDSA P-256). A development key is made on first use, written atomically with
// mode 0600, and its public half printed so that a kit can be told to trust it.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** Default dev key: $GLASSES_IMAGE_KEY, else ~/.glasses-pay/image-dev-key.pem (outside any checkout). */
export function defaultKeyPath(): string {
  return process.env.GLASSES_IMAGE_KEY ?? path.join(homedir(), ".glasses-pay", "image-dev-key.pem");
}

/** temp file + fsync + rename + fsync of the folder. */
export function writeFileAtomic(file: string, data: Uint8Array | string, mode = 0o644): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w", mode);
  try { writeSync(fd, typeof data === "string" ? Buffer.from(data) : data); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, file);
  const dfd = openSync(dir, "r");
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}

export function publicKeyDer(key: KeyObject): Buffer {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return pub.export({ type: "spki", format: "der" });
}
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return String(pub.export({ type: "spki", format: "pem" }));
}

function checkP256(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new Error(`${file}: not an ECDSA P-256 key`);
  return key;
}

/** The signing key in `file`; when the file is missing, a new key is made there and `created` is true. */
export function loadOrCreateSigningKey(file: string): { key: KeyObject; created: boolean } {
  if (existsSync(file)) {
    const pem = readFileSync(file, "utf8");
    let key: KeyObject;
    try { key = createPrivateKey(pem); } catch (e) { throw new Error(`${file}: not a PEM private key (${(e as Error).message})`); }
    return { key: checkP256(key, file), created: false };
  }
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileAtomic(file, String(privateKey.export({ type: "pkcs8", format: "pem" })), 0o600);
  return { key: privateKey, created: true };
}

/** A key to verify with: a public PEM, or the public half of a private PEM. */
export function loadVerifyKey(file: string): KeyObject {
  if (!existsSync(file)) throw new Error(`no such key file: ${file}`);
  const pem = readFileSync(file, "utf8");
  try { return checkP256(createPublicKey(pem), file); } catch (e) {
    throw new Error(`${file}: not a PEM key (${(e as Error).message})`);
  }
}
