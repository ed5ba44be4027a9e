import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering rules of docs/architecture.md, checked on every import statement in the tree.

const root = path.resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(['"]([^'"]+)['"]\)/g)]
    .map((m) => m[1] as string)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s));
}

const rel = (p: string) => path.relative(root, p);

describe('module boundaries', () => {
  it('lib/ imports nothing from the rest of src/', () => {
    for (const f of files(path.join(root, 'src/lib'))) {
      for (const target of imports(f)) expect(rel(target), rel(f)).toMatch(/^src\/lib\//);
    }
  });

  it('migrations never import src/', () => {
    for (const f of files(path.join(root, 'migrations'))) {
      for (const target of imports(f)) expect(rel(target), rel(f)).toMatch(/^migrations\//);
    }
  });

  it('a module reaches another module only through its index.ts', () => {
    const modules = path.join(root, 'src/modules');
    for (const f of files(modules)) {
      const own = rel(f).split('/')[2];
      for (const target of imports(f)) {
        const r = rel(target);
        if (!r.startsWith('src/modules/')) continue;
        const other = r.split('/')[2];
        if (other !== own) expect(r, `${rel(f)} imports ${r}`).toMatch(/^src\/modules\/[^/]+\/index\.ts$/);
      }
    }
  });

  it('only repositories and db/ hold SQL builders; services, routes, views and domain code do not', () => {
    for (const f of files(path.join(root, 'src'))) {
      const r = rel(f);
      const isView = r.includes('/views/') || /page\.tsx$/.test(r) || /\.(service|routes)\.tsx?$/.test(r);
      const isDomain = /modules\/[^/]+\/[^/.]+\.ts$/.test(r) && !/\.(repository|service|routes)\.tsx?$/.test(r) && !r.endsWith('index.ts');
      if (!isView && !isDomain) continue;
      const text = readFileSync(f, 'utf8');
      expect(text, r).not.toMatch(/\b(selectFrom|insertInto|updateTable|deleteFrom)\(/);
      // Services may call repositories; views, routes and domain code may not.
      if (/\.service\.tsx?$/.test(r)) continue;
      for (const target of imports(f)) expect(rel(target), r).not.toMatch(/(repository|\/db\/connect)\.ts$/);
    }
  });
});
