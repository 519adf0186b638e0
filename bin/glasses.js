#!/usr/bin/env node
// The `glasses` command: the TypeScript host run through tsx (no build step for the host).
import { register } from "tsx/esm/api";
register();
const { run } = await import("../host/cli.ts");
await run(process.argv.slice(2));
