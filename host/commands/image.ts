// `glasses image`: package a firmware module as a signed MCUboot image, or check one.
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { loadBoard, wasmPath, REPO } from "../boards.ts";
import { parseOptions, UsageError, type GlobalFlags } from "../args.ts";
import { buildImage, checkImage, parseImage, parseVersion, versionString } from "../flash/image.ts";
import { defaultKeyPath, loadOrCreateSigningKey, loadVerifyKey, publicKeyPem, writeFileAtomic } from "../flash/keys.ts";

const HELP = `usage: glasses image --board B [--key KEY.pem] [--version 1.2.3+4] [MODULE.wasm] -o OUT.img
       glasses image --verify [--key KEY.pem] IMAGE.img
Packages a WASI firmware module as an MCUboot image (magic 0x96f3b83d, protected board TLV, SHA-256 and
ECDSA P-256 signature TLVs). MODULE defaults to build/B/glasses.wasm, the version to package.json's
plus a build number that grows with time (kits take upgrades only).
The key defaults to ${defaultKeyPath()} ($GLASSES_IMAGE_KEY); a development key is made there on first use.
--verify checks the hash and the signature against KEY (private or public PEM).
`;

export async function imageCommand(rest: string[], flags: GlobalFlags): Promise<number> {
  // `-o OUT` is the short form of `--out OUT`.
  const { opts, on, positional } = parseOptions(rest.map((a) => (a === "-o" ? "--out" : a)), ["--key", "--out", "--version"], ["--verify", "--help"]);
  if (on.has("help")) { process.stdout.write(HELP); return 0; }
  const keyFile = opts.key ?? defaultKeyPath();
  if (on.has("verify")) {
    if (positional.length !== 1) throw new UsageError("image --verify needs one IMAGE file");
    if (!existsSync(positional[0])) throw new UsageError(`no such image: ${positional[0]}`);
    const img = parseImage(readFileSync(positional[0]));
    const problem = checkImage(img, loadVerifyKey(keyFile));
    const r = { image: positional[0], ok: !problem, problem, board: img.board, version: versionString(img.version), body_bytes: img.bodySize,
      hash: img.hash?.toString("hex") ?? null, key: keyFile };
    if (flags.json) console.log(JSON.stringify(r));
    else console.log(problem ? `${r.image}: REFUSED: ${problem}` : `${r.image}: ok: board ${r.board}, version ${r.version}, ${r.body_bytes} body bytes, hash ${r.hash}`);
    return problem ? 1 : 0;
  }
  const out = opts.out;
  if (!out) throw new UsageError("image needs -o OUT.img (see glasses image --help)");
  if (positional.length > 1) throw new UsageError("image takes one MODULE.wasm");
  const board = loadBoard(flags.board).id;
  const module = positional[0] ?? wasmPath(board);
  if (!existsSync(module)) throw new UsageError(`no such module: ${module}${positional[0] ? "" : ` (build it: npm run build ${board})`}`);
  const body = readFileSync(module);
  if (body.readUInt32LE(0) !== 0x6d736100) throw new UsageError(`${module} is not a WebAssembly module`);
  // Default: package.json's version with a build number that grows with every build (seconds since
  // 2024-01-01), so a rebuilt module is always an upgrade for the kit (uploads are upgrade-only).
  const build = Math.floor((Date.now() - Date.UTC(2024, 0, 1)) / 1000);
  const version = parseVersion(opts.version ?? `${JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version}+${build}`);
  const { key, created } = loadOrCreateSigningKey(keyFile);
  if (created) process.stderr.write(`made a development signing key in ${keyFile} (mode 0600); its public half, for the kits that should trust it:\n${publicKeyPem(key)}`);
  const img = buildImage(body, board, version, key);
  writeFileAtomic(out, img);
  const p = parseImage(img);
  const r = { image: out, board, version: versionString(version), body_bytes: body.length, image_bytes: img.length, hash: p.hash!.toString("hex"), key: keyFile };
  if (flags.json) console.log(JSON.stringify(r));
  else console.log(`${out}: ${board} ${r.version}, ${img.length} bytes, hash ${r.hash}, signed with ${keyFile}`);
  return 0;
}
