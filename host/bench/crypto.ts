// `glasses bench crypto`: the firmware's crypto kernels side by side with node:crypto (OpenSSL) and
// @noble/curves / @noble/hashes in the same process and run: median µs per operation, ratios,
// wasmtime fuel per operation (deterministic work count), and the bytes the crypto code adds.
// Output: {"suite":"crypto","ops":[{"op","impl","median_us","fuel"}],"ratios":…,"bytes":…}; the bench
// command writes it under build/bench/. @noble/ciphers is not installed, so the AEAD rows have no noble entry.
import crypto from "node:crypto";
import { statSync, readFileSync } from "node:fs";
import path from "node:path";
import { p256 } from "@noble/curves/nist.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { firmwareWasm, loadKernel } from "../engine/crypto-kernel.ts";
import { kernelFuel } from "./crypto-fuel.ts";
import { codeShare } from "../wasm-share.ts";
import { resolveWasm, wasmtimePythonProblem } from "../engine/index.ts";
import { REPO } from "../boards.ts";

export interface CryptoBenchOptions { json: boolean; board?: string; iterations?: number; sizes?: boolean; quick?: boolean }
export interface OpRow { op: string; impl: "glasses" | "node" | "noble"; median_us: number; fuel: number | null }

/**
 * Median per-call time in µs of each implementation of one operation. The implementations are
 * timed in interleaved batches (25 calls of glasses, 25 of node, 25 of noble, then again …), so
 * changing load on the machine hits them alike while each batch runs with warm caches; each is
 * first warmed up long enough for V8 to tier the wasm and JS code up.
 */
function medians(fns: Partial<Record<OpRow["impl"], () => void>>, iters: number, warm = 300): Partial<Record<OpRow["impl"], number>> {
  const impls = Object.keys(fns) as OpRow["impl"][];
  for (const k of impls) for (let i = 0; i < warm; i++) fns[k]!();
  const times: Record<string, number[]> = {};
  for (const k of impls) times[k] = [];
  const BATCH = 25;
  for (let done = 0; done < iters; done += BATCH) {
    for (const k of impls) {
      const f = fns[k]!;
      for (let i = 0; i < BATCH; i++) {
        const s = process.hrtime.bigint();
        f();
        times[k].push(Number(process.hrtime.bigint() - s) / 1000);
      }
    }
  }
  const out: Partial<Record<OpRow["impl"], number>> = {};
  for (const k of impls) {
    const t = times[k].sort((a, b) => a - b);
    out[k] = Math.round(t[t.length >> 1] * 100) / 100;
  }
  return out;
}

/**
 * What the crypto engine costs in the shipped module: the "names" build (release code with a name section,
 * scripts/asc.ts) gives the code bytes of every assembly/crypto/ function; the fixed-base table is static
 * data of known size. Nothing is rewritten: the bytes are those of the release build itself.
 */
function firmwareBytes(board: string): Record<string, number> | null {
  try {
    const named = resolveWasm({ board, target: "names" });
    const share = codeShare(named, "assembly/crypto/");
    const table = readFileSync(path.join(REPO, "assembly/crypto/p256/basetable.ts"), "utf8");
    const m = /= (\d+) bytes\./.exec(table);
    return {
      firmware_module: statSync(resolveWasm({ board })).size,
      crypto_code_in_firmware: share.prefixCodeBytes,
      crypto_functions_in_firmware: share.prefixFunctions,
      crypto_base_table_data: m ? Number(m[1]) : NaN,
      crypto_total_in_firmware: share.prefixCodeBytes + (m ? Number(m[1]) : 0),
    };
  } catch {
    return null;
  }
}

export async function benchCrypto(opts: CryptoBenchOptions = { json: false }) {
  const board = opts.board ?? "desktop";
  const wasm = firmwareWasm(board);   // the test build: release code + the crypto kernel exports
  const k = await loadKernel(wasm);
  const ex = k.ex;
  const it = opts.iterations ?? (opts.quick ? 100 : 1000);
  const rows: OpRow[] = [];
  const fuel = wasmtimePythonProblem() === null ? await kernelFuel(wasm) : {};
  const add = (op: string, impl: OpRow["impl"], us: number) => rows.push({ op, impl, median_us: us, fuel: impl === "glasses" ? (fuel as any)[op] ?? null : null });

  // inputs
  const msg = new Uint8Array(crypto.randomBytes(100));
  const kib = new Uint8Array(crypto.randomBytes(1024));
  const key32 = new Uint8Array(crypto.randomBytes(32)), nonce = new Uint8Array(crypto.randomBytes(12));
  const nodeKp = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecA = crypto.createECDH("prime256v1"); ecA.generateKeys();
  const ecB = crypto.createECDH("prime256v1"); ecB.generateKeys();
  const skA = new Uint8Array(Buffer.concat([Buffer.alloc(32 - ecA.getPrivateKey().length), ecA.getPrivateKey()]));
  const pkA = new Uint8Array(ecA.getPublicKey()), pkB = new Uint8Array(ecB.getPublicKey());
  const [pPriv, pMsg, pPub, pPeer, pKib, pKey, pNonce, pOut, pSig, pPriv2, pPub2] =
    k.put(skA, msg, pkA, pkB, kib, key32, nonce, new Uint8Array(1200), new Uint8Array(80), new Uint8Array(32), new Uint8Array(65));
  ex.cryptoSignDer(pSig, pPriv, pMsg, msg.length, 0);
  const derLen = ex.cryptoSignDer(pSig, pPriv, pMsg, msg.length, 0);
  const der = Buffer.from(k.get(pSig, derLen));
  const nodeSig = crypto.sign("sha256", msg, nodeKp.privateKey);
  const nobleSig = p256.sign(msg, skA, { lowS: false });

  const run = (op: string, fns: Partial<Record<OpRow["impl"], () => void>>, iters: number) => {
    const m = medians(fns, iters);
    for (const impl of ["glasses", "node", "noble"] as const) if (m[impl] !== undefined) add(op, impl, m[impl]!);
  };
  const slow = Math.max(100, Math.min(it, 300));   // noble's verify/ECDH take milliseconds
  // keygen: fresh random private key + public key
  run("keygen", {
    glasses: () => ex.cryptoKeygen(pPriv2, pPub2),
    node: () => crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }),
    noble: () => p256.getPublicKey(p256.utils.randomSecretKey(), false),
  }, Math.min(it, 500));
  // sign: SHA-256 of 100 bytes + ECDSA (DER)
  run("sign", {
    glasses: () => ex.cryptoSignDer(pSig, pPriv, pMsg, msg.length, 0),
    node: () => crypto.sign("sha256", msg, nodeKp.privateKey),
    noble: () => p256.sign(msg, skA, { lowS: false }),
  }, Math.min(it, 500));
  // verify (DER for glasses and node, compact for noble)
  run("verify", {
    glasses: () => ex.cryptoVerifyDer(pPub, 65, pMsg, msg.length, pSig, derLen),
    node: () => crypto.verify("sha256", msg, nodeKp.publicKey, nodeSig),
    noble: () => p256.verify(nobleSig, msg, pkA, { lowS: false }),
  }, slow);
  // ECDH
  run("ecdh", {
    glasses: () => ex.cryptoEcdh(pOut, pPriv, pPeer, 65),
    node: () => ecA.computeSecret(pkB),
    noble: () => p256.getSharedSecret(skA, pkB),
  }, slow);
  // SHA-256 of 1 KiB
  run("sha256-1k", {
    glasses: () => ex.cryptoSha256(pOut, pKib, 1024),
    node: () => crypto.createHash("sha256").update(kib).digest(),
    noble: () => nobleSha256(kib),
  }, it * 5);
  // ChaCha20-Poly1305 seal of 1 KiB (@noble/ciphers is not installed)
  run("chacha20poly1305-1k", {
    glasses: () => ex.cryptoChachaSeal(pOut, pKey, pNonce, 12, 0, 0, pKib, 1024),
    node: () => {
      const c = crypto.createCipheriv("chacha20-poly1305", key32, nonce, { authTagLength: 16 });
      c.update(kib); c.final(); c.getAuthTag();
    },
  }, it * 5);
  // AES-128-GCM seal of 1 KiB
  run("aes128gcm-1k", {
    glasses: () => ex.cryptoAesGcmSeal(pOut, pKey, 16, pNonce, 12, 0, 0, pKib, 1024),
    node: () => {
      const c = crypto.createCipheriv("aes-128-gcm", key32.subarray(0, 16), nonce);
      c.update(kib); c.final(); c.getAuthTag();
    },
  }, it * 2);

  const get = (op: string, impl: string) => rows.find((r) => r.op === op && r.impl === impl)?.median_us ?? NaN;
  const ratios: Record<string, { glasses_vs_node: number; glasses_vs_noble: number | null }> = {};
  for (const op of [...new Set(rows.map((r) => r.op))]) {
    const g = get(op, "glasses"), n = get(op, "node"), b = get(op, "noble");
    ratios[op] = { glasses_vs_node: Math.round((g / n) * 100) / 100, glasses_vs_noble: Number.isNaN(b) ? null : Math.round((g / b) * 1000) / 1000 };
  }
  const bytes: Record<string, number | null> = { benched_module: statSync(wasm).size };
  if (opts.sizes !== false) Object.assign(bytes, firmwareBytes(board) ?? {});
  const result = {
    suite: "crypto",
    node: process.version,
    note: "median of per-call wall time in this process, implementations timed in interleaved batches of 25 calls so machine load hits them alike; fuel = wasmtime fuel of one call of the kernel export; noble = @noble/curves 2.x (lowS:false) and @noble/hashes; @noble/ciphers not installed",
    ops: rows,
    ratios,
    bytes,
  };
  if (!opts.json) {
    console.log("crypto: median µs per operation (lower is better); fuel = wasmtime fuel per call");
    console.table(rows.map((r) => ({ op: r.op, impl: r.impl, median_us: r.median_us, fuel: r.fuel ?? "" })));
    console.table(Object.entries(ratios).map(([op, r]) => ({ op, "glasses/node": r.glasses_vs_node, "glasses/noble": r.glasses_vs_noble ?? "" })));
    console.log("bytes:", JSON.stringify(bytes));
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchCrypto({ json: process.argv.includes("--json") });
  if (process.argv.includes("--json")) console.log(JSON.stringify(r));
}
