// as-pect runs the AssemblyScript unit tests (assembly/__tests__/*.spec.ts) under node:wasi.
import { WASI } from "node:wasi";

export default {
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  outputBinary: false,
  async instantiate(memory, createImports, instantiate, binary) {
    const wasi = new WASI({ version: "preview1", args: ["aspect"], env: {}, returnOnExit: true });
    const result = await instantiate(binary, createImports({ env: { memory }, ...wasi.getImportObject() }));
    wasi.initialize({ exports: { memory: result.exports.memory } });
    return result;
  },
};
