// wasmtime fuel per crypto kernel operation (deterministic instruction-count proxy) of a test build.
// CLI: node --import tsx tools/crypto/fuel.ts [glasses.test.wasm]
import { WasmtimeDevice } from "../engine/wasmtime.ts";
import { firmwareWasm } from "../engine/crypto-kernel.ts";
import crypto from "node:crypto";

export async function kernelFuel(wasm = firmwareWasm()): Promise<Record<string, number>> {
  const dev = await WasmtimeDevice.open(wasm);
  try {
    const buf = await dev.call("cryptoBuffer");
    const PRIV = buf,
      PUB = buf + 64,
      MSG = buf + 192,
      OUT = buf + 512,
      PEER = buf + 1024,
      KEY = buf + 1200,
      NONCE = buf + 1240,
      DATA = buf + 2048,
      CT = buf + 4096,
      SIG = buf + 1280;
    const ec = crypto.createECDH("prime256v1");
    ec.generateKeys();
    const peer = crypto.createECDH("prime256v1");
    peer.generateKeys();
    await dev.write(PRIV, new Uint8Array(Buffer.concat([Buffer.alloc(32 - ec.getPrivateKey().length), ec.getPrivateKey()])));
    await dev.write(PUB, new Uint8Array(ec.getPublicKey()));
    await dev.write(PEER, new Uint8Array(peer.getPublicKey()));
    await dev.write(MSG, new Uint8Array(crypto.randomBytes(100)));
    await dev.write(KEY, new Uint8Array(crypto.randomBytes(32)));
    await dev.write(NONCE, new Uint8Array(crypto.randomBytes(12)));
    await dev.write(DATA, new Uint8Array(crypto.randomBytes(1024)));
    const out: Record<string, number> = {};
    const f = async (name: string, fn: string, ...args: number[]) => {
      const st = await dev.call(fn, ...args);
      if (st < 0 || (st !== 0 && !fn.endsWith("Der"))) throw new Error(`${fn} returned ${st}`);
      out[name] = dev.lastFuel()!;
    };
    await f("keygen", "cryptoKeygen", OUT, OUT + 64);
    await f("sign", "cryptoSign", SIG, PRIV, MSG, 100, 0);
    await f("verify", "cryptoVerify", PUB, 65, MSG, 100, SIG);
    await f("ecdh", "cryptoEcdh", OUT, PRIV, PEER, 65);
    await f("sha256-1k", "cryptoSha256", OUT, DATA, 1024);
    await f("chacha20poly1305-1k", "cryptoChachaSeal", CT, KEY, NONCE, 12, 0, 0, DATA, 1024);
    await f("aes128gcm-1k", "cryptoAesGcmSeal", CT, KEY, 16, NONCE, 12, 0, 0, DATA, 1024);
    return out;
  } finally {
    await dev.close();
  }
}
