import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideDb } from '../src/modules/guides/guide.tables.ts';
import { buildTestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client } from './helpers/http.ts';
import { pngHeader, solid } from './helpers/images.ts';
import { openSite, type Site, scholia } from './helpers/sites.ts';

// `scholia import` takes image files with a line (issue #15, item 8): `"images": [{"file", "alt"}]`, read from the
// import file's folder, placed in the Markdown as image:1, image:2, … and stored as the site's images.

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const question = (title: string, extra: Record<string, unknown> = {}) =>
  line({
    subject: 'Math',
    title,
    quickAnswer: 'Use the theorem. It relates the three sides.',
    answer: 'Square the two shorter sides and add them.',
    educator: 'Imported Teacher',
    ...extra,
  });

describe.each(engines)('importing images on %s', (engine) => {
  let site: Site;
  let dir: string;
  let env: Record<string, string>;

  const count = async (table: 'images' | 'questions') =>
    Number(
      (
        await site.handle.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const answerOf = async (title: string) =>
    site.handle.db
      .selectFrom('questions as q')
      .innerJoin('answers as a', 'a.question_id', 'q.id')
      .select(['q.id', 'a.body', 'a.body_html'])
      .where('q.title', '=', title)
      .executeTakeFirstOrThrow();
  const usesOf = async (kind: string, contentId: number) =>
    (
      await site.handle.db
        .selectFrom('image_uses')
        .select('image_id')
        .where('kind', '=', kind as 'answer')
        .where('content_id', '=', contentId)
        .orderBy('image_id')
        .execute()
    ).map((r) => Number(r.image_id));

  beforeAll(async () => {
    site = await openSite(engine);
    // 100 KB: small enough for a test file to be too large.
    env = { ...site.env, IMAGE_MAX_BYTES: String(100 * 1024) };
    dir = mkdtempSync(path.join(tmpdir(), 'scholia-import-images-'));
    mkdirSync(path.join(dir, 'photos'));
    writeFileSync(path.join(dir, 'diagram.png'), await solid(300, 200, { alpha: 0.5 }).png().toBuffer());
    writeFileSync(
      path.join(dir, 'photos', 'triangle.jpg'),
      await solid(800, 600, { colour: { r: 220, g: 80, b: 30 } })
        .jpeg()
        .toBuffer(),
    );
    writeFileSync(path.join(dir, 'notes.png'), 'these are notes, not a picture\n');
    const noise = await sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } })
      .png()
      .toBuffer();
    writeFileSync(path.join(dir, 'big.png'), noise);
    // A PNG's signature and size, and no pixels: it passes the first look and fails the decoder.
    writeFileSync(path.join(dir, 'broken.png'), pngHeader(100, 100));
  });
  afterAll(async () => {
    await site?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores the files a line lists, places them where the Markdown numbers them and the rest at its end, once each', async () => {
    const file = path.join(dir, 'content.jsonl');
    writeFileSync(
      file,
      [
        question('How do I use the diagram of the right triangle?', {
          images: [
            { file: 'diagram.png', alt: 'A labelled diagram of a right triangle' },
            { file: 'photos/triangle.jpg', alt: 'A photo of a [wooden]\ntriangle' },
          ],
          answer: 'Draw it first.\n\n![](image:2)\n\nThen $x^2 + y^2$ gives the square.\n\n```python\nprint(3 ** 2)\n```',
        }),
        question('Where is the hypotenuse in the diagram?', {
          images: [{ file: './photos/../diagram.png', alt: 'The same diagram' }],
          answer: 'Opposite the right angle: see ![The diagram, hypotenuse marked](image:1).',
        }),
        line({
          type: 'guide',
          subject: 'Math',
          title: 'Right Triangles in Pictures',
          overview: 'A guide in pictures.\n\n![](image:1)',
          sections: [{ title: 'The sides', body: 'Each side has a name.', membersOnly: false }],
          images: [{ file: 'photos/triangle.jpg', alt: 'A triangle cut from wood' }],
        }),
      ].join('\n'),
    );
    const r = await scholia(['import', file], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Imported 3 question(s); 0 already present.');
    // Two files, each stored once however many lines list it; the site's own (no owner).
    const images = await site.handle.db.selectFrom('images').select(['id', 'owner_id', 'has_alpha']).orderBy('id').execute();
    expect(images).toHaveLength(2);
    expect(images.every((i) => i.owner_id === null)).toBe(true);
    const diagram = Number(images.find((i) => Number(i.has_alpha) === 1)?.id);
    const photo = Number(images.find((i) => Number(i.has_alpha) === 0)?.id);

    const first = await answerOf('How do I use the diagram of the right triangle?');
    // The number became the id, the list's description filled the empty brackets, and the unplaced diagram follows.
    expect(first.body).toBe(
      `Draw it first.\n\n![A photo of a wooden triangle](image:${photo})\n\nThen $x^2 + y^2$ gives the square.\n\n\`\`\`python\nprint(3 ** 2)\n\`\`\`\n\n![A labelled diagram of a right triangle](image:${diagram})`,
    );
    const html = first.body_html;
    expect(html).toContain(`<picture class="placed-image" data-image="${photo}">`);
    expect(html).toContain(`<picture class="placed-image" data-image="${diagram}">`);
    expect(html.indexOf(`data-image="${photo}"`)).toBeLessThan(html.indexOf(`data-image="${diagram}"`));
    expect(html).toContain('alt="A labelled diagram of a right triangle"');
    // Math and code arrive as Markdown, rendered as the editor would render them.
    expect(html).toContain('class="katex"');
    expect(html).toMatch(/<pre[^>]*><code[^>]*language-python/);
    expect(await usesOf('answer', Number(first.id))).toEqual([diagram, photo].sort((a, b) => a - b));

    const second = await answerOf('Where is the hypotenuse in the diagram?');
    expect(second.body).toBe(`Opposite the right angle: see ![The diagram, hypotenuse marked](image:${diagram}).`);
    expect(await usesOf('answer', Number(second.id))).toEqual([diagram]);

    const guide = await guideDb(site.handle.db)
      .selectFrom('guides')
      .select(['id', 'slug'])
      .where('title', '=', 'Right Triangles in Pictures')
      .executeTakeFirstOrThrow();
    expect(await usesOf('guide_overview', Number(guide.id))).toEqual([photo]);
    // A visitor sees the guide's photo and its file is served.
    const t = await buildTestApp(engine, {
      database: { ...site.handle, destroy: async () => {} },
      config: { dataDir: site.dataDir, images: { ...testConfig.images, store: engine === 'postgres' ? 'database' : 'files' } },
    });
    try {
      const page = await new Client(t.app).get(`/guides/${guide.slug}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`data-image="${photo}"`);
      expect(page.body).toContain('alt="A triangle cut from wood"');
      const src = /<img [^>]*src="(\/images\/[0-9a-f]{64}\.[a-z]+)"/.exec(page.body)?.[1];
      expect(src).toBeDefined();
      expect((await new Client(t.app).get(src as string)).statusCode).toBe(200);
    } finally {
      await t.close();
    }

    // Importing the same file again adds nothing, images included.
    const again = await scholia(['import', file], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Imported 0 question(s); 3 already present.');
    expect(await count('images')).toBe(2);
  });

  it('refuses missing, oversized and non-image files and paths out of the folder, line by line, storing nothing', async () => {
    const before = { images: await count('images'), questions: await count('questions') };
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      [
        question('Bad line one about triangles?', { images: [{ file: 'nope.png', alt: 'Missing' }] }),
        question('Bad line two about triangles?', { images: [{ file: 'notes.png', alt: 'Notes' }] }),
        question('Bad line three about triangles?', { images: [{ file: 'big.png', alt: 'Noise' }] }),
        question('Bad line four about triangles?', { images: [{ file: '/etc/hostname', alt: 'Elsewhere' }] }),
        question('Bad line five about triangles?', { images: [{ file: 'photos/../../outside.png', alt: 'Outside' }] }),
        question('Bad line six about triangles?', { images: [{ file: 'diagram.png', alt: 'A diagram' }], answer: 'See ![x](image:3).' }),
        line({
          type: 'guide',
          subject: 'Math',
          title: 'A Guide That Forgets Its Picture',
          overview: 'No picture here.',
          sections: [{ title: 'One', body: 'Nor here.' }],
          images: [{ file: 'diagram.png', alt: 'A diagram' }],
        }),
        question('A good line about the diagram again?', { images: [{ file: 'diagram.png', alt: 'A diagram' }] }),
      ].join('\n'),
    );
    const r = await scholia(['import', file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Nothing imported: 7 of 8 line(s) are invalid');
    expect(r.stderr.trim().split('\n')).toEqual([
      `line 1: images[0].file nope.png does not exist (looked in ${dir})`,
      'line 2: images[0].file notes.png is not a JPEG, PNG, WebP or GIF image',
      expect.stringMatching(/^line 3: images\[0\]\.file big\.png is \d+(\.\d)? KB; an image may be at most 100 KB \(IMAGE_MAX_BYTES\)$/),
      'line 4: images[0].file must be a path relative to the folder of the import file, not an absolute path',
      'line 5: images[0].file must stay inside the folder of the import file (no ".." out of it)',
      `line 6: answer places image:3, but the line's "images" lists one image (in a line with "images", image:N is its Nth image)`,
      'line 7: images[0] is not placed: put ![description](image:1) in the overview or a section',
    ]);
    expect(await count('images')).toBe(before.images);
    expect(await count('questions')).toBe(before.questions);

    const skipping = await scholia(['import', '--skip-invalid', file], env);
    expect(skipping.code).toBe(2);
    expect(skipping.stdout).toContain('Imported 1 question(s); 0 already present; 7 invalid line(s) skipped');
    const good = await answerOf('A good line about the diagram again?');
    expect(good.body_html).toContain('data-image=');
  });

  it('reports a file the decoder refuses with its line, and imports nothing without --skip-invalid', async () => {
    const before = await count('questions');
    const file = path.join(dir, 'damaged.jsonl');
    writeFileSync(
      file,
      [
        question('A question whose picture is broken?', { images: [{ file: 'broken.png', alt: 'Broken' }] }),
        question('A question whose picture is fine?', { images: [{ file: 'photos/triangle.jpg', alt: 'A triangle' }] }),
      ].join('\n'),
    );
    const r = await scholia(['import', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('line 1: images[0].file broken.png could not be read as an image: it is damaged or cut short');
    expect(await count('questions')).toBe(before);
    const skipping = await scholia(['import', '--skip-invalid', file], env);
    expect(skipping.code).toBe(2);
    expect(skipping.stdout).toContain('Imported 1 question(s)');
    expect(await count('questions')).toBe(before + 1);
  });
});
