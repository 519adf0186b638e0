// Prints the code bytes of the functions whose names start with a prefix (default assembly/crypto/) in a
// module built with names (scripts/asc.ts target "names"). The parser lives in host/wasm-share.ts.
// Usage: node --import tsx tools/crypto/wasm-share.ts build/desktop/glasses.names.wasm [PREFIX]
import { codeShare } from "../../host/wasm-share.ts";

console.log(codeShare(process.argv[2], process.argv[3] ?? "assembly/crypto/"));
