import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
};

export class AssetStore {
  private readonly byUrl = new Map<string, Asset>();
  private readonly urls = new Map<string, string>();

  constructor(files: readonly string[] = ['app.css', 'favicon.svg']) {
    for (const file of files) {
      const body = readFileSync(path.join(publicDir, file));
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const ext = path.extname(file);
      const url = `/static/${path.basename(file, ext)}.${hash}${ext}`;
      this.byUrl.set(url, { body, contentType: types[ext] ?? 'application/octet-stream', etag: `"${hash}"` });
      this.urls.set(file, url);
    }
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
