// No import cycle between host/, tools/ and scripts/: the host is the library; tools/ and scripts/ use it. The
// host builds firmware by running scripts/build.ts as a child process, never by importing scripts/, and may
// import a tools/ module only when that module never leads back into host/ (pure generators such as
// tools/qr/gen-hard.ts). Checked on the static and literal dynamic imports of every .ts file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { REPO } from "../host/boards.ts";

const DIRS = ["host", "tools", "scripts"];

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && !e.name.startsWith(".")) files(p, out);
    } else if (/\.(ts|mjs|js)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Relative imports of a file: `import … from "./x"`, `export … from "./x"`, `import("./x")`; `import type` is
 * erased at run time, so it is no dependency. */
export function importsOf(file: string, text = readFileSync(file, "utf8")): string[] {
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s*["']([^"']+)["']/g),
    ...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]);
  return specs.filter((s) => s.startsWith(".")).map((s) => path.resolve(path.dirname(file), s));
}

const top = (f: string): string => path.relative(REPO, f).split(path.sep)[0];

const graph = new Map<string, string[]>();
for (const d of DIRS) for (const f of files(path.join(REPO, d))) graph.set(f, importsOf(f));

test("the import parser sees static, re-export and dynamic imports", () => {
  const t = `import a from "./a.ts";\nexport { b } from "../tools/b.ts";\nconst c = await import("../scripts/c.ts");\nimport x from "node:fs";\nimport type { T } from "./t.ts";`;
  assert.deepEqual(importsOf("/r/host/x.ts", t), ["/r/host/a.ts", "/r/tools/b.ts", "/r/scripts/c.ts"]);
});

/** Every file reachable from f through imports (f included). */
function reach(f: string, seen = new Set<string>()): Set<string> {
  if (seen.has(f)) return seen;
  seen.add(f);
  for (const d of graph.get(f) ?? []) if (graph.has(d)) reach(d, seen);
  return seen;
}

test("no directory cycle: an import from one of host/, tools/, scripts/ into another never leads back", () => {
  const bad: string[] = [];
  for (const [f, deps] of graph)
    for (const d of deps) {
      if (!graph.has(d) || top(d) === top(f)) continue;
      const back = [...reach(d)].find((x) => top(x) === top(f));
      if (back) bad.push(`${path.relative(REPO, f)} → ${path.relative(REPO, d)} → … → ${path.relative(REPO, back)}`);
    }
  assert.deepEqual(bad, []);
});

test("the host builds firmware without importing scripts/ (it runs scripts/build.ts as a child process)", () => {
  const bad = [...graph]
    .filter(([f]) => top(f) === "host")
    .flatMap(([f, deps]) => deps.filter((d) => top(d) === "scripts").map((d) => `${path.relative(REPO, f)} → ${path.relative(REPO, d)}`));
  assert.deepEqual(bad, []);
});

test("no file-level import cycle in host/, tools/ and scripts/", () => {
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (f: string, stack: string[]) => {
    state.set(f, 1);
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map((x) => path.relative(REPO, x)).join(" → "));
      else if (!state.has(d)) visit(d, [...stack, d]);
    }
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(cycles, []);
});
