import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { assertBlobKey, type BlobEntry, type BlobStore, isBlobKey } from './blob-store.ts';

/*
 * Blobs as files under one directory (DATA_DIR/images), spread over 256 subdirectories by the key's first two hex
 * digits so no directory grows past what `ls` and backups handle well: images/3f/3fa9…c1.webp.
 *
 * A file holds its bytes whole or does not exist: each is written to a temporary name in the same directory,
 * flushed to the disk, then renamed into place (rename is atomic within a file system), and the directory is
 * flushed so the new name survives a power cut as well.
 */

// The type follows from the key's extension: a file system keeps no content type, and keys are made by blobKeyOf.
const TYPES: Record<string, string> = { webp: 'image/webp', jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };

const TEMPORARY = /^\.(tmp|del)-[0-9a-f]{12}-/;

function typeOfKey(key: string): string | undefined {
  return TYPES[key.slice(key.lastIndexOf('.') + 1)];
}

function missing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface FileBlobStore extends BlobStore {
  readonly kind: 'files';
  readonly root: string;
  tidy(before: string): Promise<number>;
}

export function fileBlobStore(root: string): FileBlobStore {
  const dirOf = (key: string) => path.join(root, key.slice(0, 2));
  const fileOf = (key: string) => path.join(dirOf(key), key);
  const aside = (kind: 'tmp' | 'del', key: string) => path.join(dirOf(key), `.${kind}-${randomBytes(6).toString('hex')}-${key}`);

  return {
    kind: 'files',
    root,

    async put(key, bytes, contentType) {
      assertBlobKey(key);
      if (typeOfKey(key) !== contentType) throw new Error(`the key ${key} does not name a ${contentType} file`);
      const file = fileOf(key);
      try {
        // Already whole on disk (names are only ever renamed into place); mark it as wanted now.
        const now = new Date();
        await utimes(file, now, now);
        return;
      } catch (err) {
        if (!missing(err)) throw err;
      }
      const created = await mkdir(dirOf(key), { recursive: true });
      if (created !== undefined) await syncDirectory(root);
      const temporary = aside('tmp', key);
      try {
        const handle = await open(temporary, 'wx', 0o644);
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, file);
      } catch (err) {
        await unlink(temporary).catch(() => {});
        throw err;
      }
      await syncDirectory(dirOf(key));
    },

    async get(key) {
      const contentType = isBlobKey(key) ? typeOfKey(key) : undefined;
      if (contentType === undefined) return undefined;
      try {
        return { bytes: await readFile(fileOf(key)), contentType };
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },

    async delete(key, options = {}) {
      assertBlobKey(key);
      const file = fileOf(key);
      if (options.storedBefore === undefined) {
        try {
          await unlink(file);
          return true;
        } catch (err) {
          if (missing(err)) return false;
          throw err;
        }
      }
      // Checking the time and then unlinking would leave a gap in which an upload marks the file as wanted and
      // loses it anyway. Renaming it aside first closes the gap: a put from then on finds no file and writes one,
      // and a put just before shows in the time read here, and the file goes back (same key, same bytes).
      const moved = aside('del', key);
      try {
        await rename(file, moved);
      } catch (err) {
        if (missing(err)) return false;
        throw err;
      }
      if ((await stat(moved)).mtimeMs >= Date.parse(options.storedBefore)) {
        await rename(moved, file);
        return false;
      }
      await unlink(moved);
      return true;
    },

    async list({ after = '', limit }) {
      const out: BlobEntry[] = [];
      let prefixes: string[];
      try {
        prefixes = (await readdir(root)).filter((d) => /^[0-9a-f]{2}$/.test(d) && d >= after.slice(0, 2)).sort();
      } catch (err) {
        if (missing(err)) return out;
        throw err;
      }
      for (const prefix of prefixes) {
        const names = (await readdir(path.join(root, prefix))).filter((n) => isBlobKey(n) && n > after).sort();
        for (const key of names) {
          try {
            const s = await stat(path.join(root, prefix, key));
            out.push({ key, bytes: s.size, storedAt: new Date(s.mtimeMs).toISOString() });
          } catch (err) {
            if (!missing(err)) throw err; // deleted meanwhile
          }
          if (out.length >= limit) return out;
        }
      }
      return out;
    },

    async tidy(before) {
      const cutoff = Date.parse(before);
      let tidied = 0;
      let prefixes: string[];
      try {
        prefixes = (await readdir(root)).filter((d) => /^[0-9a-f]{2}$/.test(d));
      } catch (err) {
        if (missing(err)) return 0;
        throw err;
      }
      for (const prefix of prefixes) {
        const dir = path.join(root, prefix);
        for (const name of await readdir(dir)) {
          if (!TEMPORARY.test(name)) continue;
          const file = path.join(dir, name);
          try {
            if ((await stat(file)).mtimeMs >= cutoff) continue;
            const key = name.replace(TEMPORARY, '');
            // A delete cut short between its two renames may have been about to put the file back; putting it
            // back is the safe choice, since a blob no image wants is found again by the next sweep.
            if (name.startsWith('.del-') && isBlobKey(key) && !(await stat(path.join(dir, key)).catch(() => null))) {
              await rename(file, path.join(dir, key));
            } else {
              await unlink(file);
            }
            tidied++;
          } catch (err) {
            if (!missing(err)) throw err;
          }
        }
      }
      return tidied;
    },
  };
}
