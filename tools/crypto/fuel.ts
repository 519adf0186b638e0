// Prints wasmtime fuel per crypto kernel operation (deterministic instruction-count proxy).
// Usage: node --import tsx tools/crypto/fuel.ts [glasses.test.wasm]   (default: the desktop test build)
import { kernelFuel } from "../../host/bench/crypto-fuel.ts";
import { firmwareWasm } from "../../host/engine/crypto-kernel.ts";

console.log(JSON.stringify(await kernelFuel(process.argv[2] ?? firmwareWasm())));
