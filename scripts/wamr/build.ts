// `node --import tsx scripts/wamr/build.ts [fast] [classic] [wamrc]`: builds WAMR's tools from ../shared/vendor
// into build/wamr (the logic is host/wamr/build.ts, which tests, the bench and `info` use too).
import { buildVariant, type Variant } from "../../host/wamr/build.ts";

{
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log("usage: node --import tsx scripts/wamr/build.ts [fast] [classic] [wamrc]\n" +
      "Builds iwasm (fast / classic interpreter) or wamrc (AOT compiler, needs llvm-16-dev) from ../shared/vendor\n" +
      "into build/wamr/<variant>/, cached by the tarballs' sha256 and the cmake flags. Default: fast classic.");
    process.exit(0);
  }
  const vs = (args.length ? args : ["fast", "classic"]) as Variant[];
  for (const v of vs) {
    if (!["fast", "classic", "wamrc"].includes(v)) { console.error(`unknown variant: ${v}`); process.exit(2); }
    console.log(buildVariant(v));
  }
}
