// as-pect 8.1.0's transform hard-codes AssemblyScript AST NodeKind numbers; compiler 0.28.17 inserted
// TupleType and shifted them by one. Rewrite the numbers from the installed compiler's own enum.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
const dir = "node_modules/@as-pect/transform/lib/";
if (existsSync(dir)) {
  const { NodeKind } = await import("assemblyscript/dist/assemblyscript.js");
  for (const f of ["index.js", "createStrictEqualsMember.js", "createAddReflectedValueKeyValuePairsMember.js"]) {
    const src = readFileSync(dir + f, "utf8");
    const out = src.replace(/\b\d+ \/\* NodeKind\.(\w+) \*\//g, (_, k) => `${NodeKind[k]} /* NodeKind.${k} */`);
    if (out !== src) writeFileSync(dir + f, out);
  }
}
