import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentHash, type GeneratedAsset, hashedName } from './math-assets.ts';

/** Static files, read once at start and served from memory under a content-hashed name (cached for a year). */
export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

export class AssetStore {
  private readonly byUrl = new Map<string, Asset>();
  private readonly urls = new Map<string, string>();

  constructor(files: readonly string[] = ['app.css', 'favicon.svg'], generated: readonly GeneratedAsset[] = []) {
    for (const file of files) this.add(file, readFileSync(path.join(publicDir, file)));
    for (const g of generated) this.add(g.name, g.body);
  }

  private add(file: string, body: Buffer): void {
    const hash = contentHash(body);
    const url = `/static/${hashedName(file, body, hash)}`;
    this.byUrl.set(url, { body, contentType: types[path.extname(file)] ?? 'application/octet-stream', etag: `"${hash}"` });
    this.urls.set(file, url);
  }

  /** The public URL of a file in public/. */
  url(file: string): string {
    const url = this.urls.get(file);
    if (!url) throw new Error(`unknown asset ${file}`);
    return url;
  }

  get(url: string): Asset | undefined {
    return this.byUrl.get(url);
  }
}
