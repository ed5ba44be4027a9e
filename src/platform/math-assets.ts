import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// KaTeX's stylesheet and fonts, served like the other static files: under content-hashed names, cached for a year.
// The stylesheet is rewritten to name the hashed fonts, WOFF2 only (every browser the site supports reads it), and a
// page links it only when it contains math (html.ts), so pages without math load nothing more.

export interface GeneratedAsset {
  /** The file name before hashing, e.g. katex.css or KaTeX_Main-Regular.woff2. */
  readonly name: string;
  readonly body: Buffer;
}

/** The first 12 hex digits of a file's SHA-256: what its served name and ETag carry. */
export function contentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 12);
}

/** `name.ext` served as `name.<hash>.ext`. */
export function hashedName(name: string, body: Buffer, hash = contentHash(body)): string {
  const ext = path.extname(name);
  return `${path.basename(name, ext)}.${hash}${ext}`;
}

function build(): { files: GeneratedAsset[]; cssUrl: string } {
  const require = createRequire(import.meta.url);
  const cssFile = require.resolve('katex/dist/katex.min.css');
  const dir = path.dirname(cssFile);
  const files: GeneratedAsset[] = [];
  const css = readFileSync(cssFile, 'utf8').replace(
    /src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("[a-z]+"\))*/g,
    (_, font: string) => {
      const body = readFileSync(path.join(dir, 'fonts', `${font}.woff2`));
      files.push({ name: `${font}.woff2`, body });
      return `src:url(/static/${hashedName(`${font}.woff2`, body)}) format("woff2")`;
    },
  );
  if (files.length === 0) throw new Error('katex.min.css names no fonts in the expected form; check the katex version');
  const body = Buffer.from(css);
  files.push({ name: 'katex.css', body });
  return { files, cssUrl: `/static/${hashedName('katex.css', body)}` };
}

let built: ReturnType<typeof build> | undefined;

/** The math stylesheet and its fonts (read from the installed katex package once: they cannot change while running). */
export function mathAssets(): { files: GeneratedAsset[]; cssUrl: string } {
  built ??= build();
  return built;
}
