#!/usr/bin/env node
/**
 * The production build: src/cli.ts and everything it imports, bundled by esbuild into dist/ as plain JavaScript
 * for Node 20 (ESM, npm packages left as imports from node_modules). `npm install` runs it (prepare), `npm start`
 * runs it first when dist/ is missing or was built from other sources (prestart), `npm run build` always.
 *
 *   node scripts/build.mjs             build dist/
 *   node scripts/build.mjs --if-stale  build only when dist/ is missing or older than the sources it came from
 *
 * Plain JavaScript, so it runs before anything is compiled and without tsx. It is also imported by bin/scholia.js
 * for `staleReason()`, so esbuild is loaded only when a build actually runs.
 *
 * Freshness: dist/build.json records the size and modification time of every file the bundle was made from (from
 * esbuild's metafile), plus package.json, tsconfig.json and this script. dist/ is stale as soon as any of them
 * differs or is gone. A new source file can only matter once an existing one imports it, which changes that one.
 *
 * Files read at run time: code under src/ finds its files next to itself (`import.meta.url`: public/ from
 * src/platform/assets.ts, the demo content beside src/demo/seed.ts and guides.ts). The bundle keeps that meaning:
 * each source file's `import.meta.url` (and `.dirname`, `.filename`) is rewritten to the URL of that source file,
 * computed from the output file's location, so dist/ reads public/ and src/demo/ from the checkout. dist/ is
 * therefore not a stand-alone artifact: it runs from the project directory, next to src/, public/ and node_modules/.
 * All outputs sit directly in dist/ (no subfolders), which is what makes one relative path right for every chunk.
 *
 * Laziness: src/cli.ts imports each command's code with `import()`; code splitting keeps those as separate chunks,
 * so `scholia --help` loads almost nothing.
 *
 * Writes are atomic per file (temporary name, then rename), chunks before dist/cli.js and dist/build.json last, so a
 * process starting during a build sees a whole old or a whole new build. Outputs of the previous build that the new
 * one no longer has are deleted afterwards. The build does not type-check: `npm run typecheck` does.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(root, 'dist');
export const entry = path.join(distDir, 'cli.js');
const stampFile = path.join(distDir, 'build.json');
const STAMP_VERSION = 1;
/** Files that shape the build besides the bundled sources. */
const buildConfig = ['package.json', 'tsconfig.json', 'scripts/build.mjs'];

const toPosix = (p) => p.split(path.sep).join('/');

/** Why dist/ must be rebuilt before it may run, or null when it was built from the files as they are now. */
export function staleReason() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return 'dist/ has not been built';
  }
  if (stamp?.version !== STAMP_VERSION || typeof stamp.inputs !== 'object' || !Array.isArray(stamp.outputs))
    return 'dist/ was built by another version of the build';
  for (const file of stamp.outputs) if (!existsSync(path.join(distDir, file))) return `dist/${file} is missing`;
  for (const [file, seen] of Object.entries(stamp.inputs)) {
    let st;
    try {
      st = statSync(path.join(root, file));
    } catch {
      return `${file} is gone`;
    }
    if (!Array.isArray(seen) || st.mtimeMs !== seen[0] || st.size !== seen[1]) return `${file} changed since the last build`;
  }
  return null;
}

/**
 * Rewrites `import.meta.url`, `.dirname` and `.filename` in one source file to that source file's location,
 * reached from dist/ (where every output file sits), so paths it resolves at run time mean the same once bundled.
 */
function sourceLocation() {
  return {
    name: 'scholia-source-location',
    setup(b) {
      b.onLoad({ filter: /\.(ts|tsx|mts|js|mjs)$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!/\bimport\.meta\.(url|dirname|filename)\b/.test(text)) return undefined;
        const fromDist = JSON.stringify(toPosix(path.relative(distDir, args.path)));
        const url = `new URL(${fromDist}, import.meta.url)`;
        const contents = text
          .replace(/\bimport\.meta\.url\b/g, `${url}.href`)
          .replace(/\bimport\.meta\.filename\b/g, `__scholiaPath(${url})`)
          .replace(/\bimport\.meta\.dirname\b/g, `__scholiaDirname(__scholiaPath(${url}))`);
        const helpers = /__scholiaPath\(/.test(contents)
          ? "import { fileURLToPath as __scholiaPath } from 'node:url';\nimport { dirname as __scholiaDirname } from 'node:path';\n"
          : '';
        return { contents: helpers + contents, loader: path.extname(args.path).slice(1).replace(/^m/, '') };
      });
    },
  };
}

function writeAtomically(file, contents) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

function previousOutputs() {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    return Array.isArray(stamp.outputs) ? stamp.outputs.filter((f) => typeof f === 'string' && !f.includes('/')) : [];
  } catch {
    return [];
  }
}

/** Builds dist/: returns how many files it wrote and how long it took. */
export async function build() {
  const esbuild = await import('esbuild');
  const started = Date.now();
  const before = previousOutputs();
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { cli: 'src/cli.ts' },
      outdir: distDir,
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      // jsx (react-jsx, jsxImportSource preact) and the rest come from tsconfig.json, as they do for tsx.
      tsconfig: 'tsconfig.json',
      // Bundling may rename clashing top-level names; keep .name right for classes and functions.
      keepNames: true,
      sourcemap: 'linked',
      metafile: true,
      write: false,
      logLevel: 'warning',
      plugins: [sourceLocation()],
    });
  } finally {
    await esbuild.stop();
  }

  const outputs = result.outputFiles.map((f) => ({ name: toPosix(path.relative(distDir, f.path)), contents: f.contents }));
  const nested = outputs.find((o) => o.name.includes('/'));
  if (nested) throw new Error(`build: ${nested.name} is not directly in dist/; import.meta.url rewriting needs every output there`);

  mkdirSync(distDir, { recursive: true });
  const last = (o) => (o.name === 'cli.js' ? 1 : 0);
  for (const o of [...outputs].sort((a, b) => last(a) - last(b))) writeAtomically(path.join(distDir, o.name), o.contents);

  const inputs = {};
  const changedDuringBuild = [];
  for (const file of [...Object.keys(result.metafile.inputs), ...buildConfig]) {
    const st = statSync(path.join(root, file));
    // A file saved while esbuild ran may have been read before the save: record it so the next check rebuilds.
    if (st.mtimeMs >= started) changedDuringBuild.push(file);
    inputs[toPosix(file)] = st.mtimeMs >= started ? [-1, -1] : [st.mtimeMs, st.size];
  }
  const names = outputs.map((o) => o.name);
  const stamp = { version: STAMP_VERSION, builtAt: new Date().toISOString(), outputs: names, inputs };
  writeAtomically(stampFile, `${JSON.stringify(stamp, null, 1)}\n`);

  for (const old of before) {
    if (!names.includes(old)) rmSync(path.join(distDir, old), { force: true });
  }
  if (changedDuringBuild.length > 0)
    process.stderr.write(`build: ${changedDuringBuild.join(', ')} changed during the build; the next start builds again\n`);
  return { files: names.length, ms: Date.now() - started };
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const ifStale = process.argv.includes('--if-stale');
  const reason = staleReason();
  if (ifStale && reason === null) process.exit(0);
  if (ifStale) process.stdout.write(`Building dist/ (${reason})…\n`);
  try {
    const { files, ms } = await build();
    process.stdout.write(`Built dist/ (${files} files) in ${(ms / 1000).toFixed(1)} s.\n`);
  } catch (err) {
    // esbuild has already printed the errors with file and line.
    process.stderr.write(`Build failed${err instanceof Error && !('errors' in err) ? `: ${err.message}` : ''}.\n`);
    process.exit(1);
  }
}
