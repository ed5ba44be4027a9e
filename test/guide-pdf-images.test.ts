import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/modules/accounts/index.ts';
import { guideImportKey } from '../src/modules/content/import-guide.ts';
import { importGuides } from '../src/modules/guides/index.ts';
import { createBlobStore, DEFAULT_IMAGE_LIMITS, markRemoved, type StoredImage, storeImage } from '../src/modules/images/index.ts';
import { grantComplimentary } from '../src/modules/membership/membership.service.ts';
import { buildTestApp, type TestApp, testConfig } from './helpers/app.ts';
import { engines } from './helpers/databases.ts';
import { Client, TestClock } from './helpers/http.ts';
import { solid } from './helpers/images.ts';

// A study guide's PDF prints the images its overview and sections place (issue #15, item 7), each with its
// description as a caption; a removed image is left out and one whose file is gone prints as its description.

const PW = 'guide pdf images test password';

interface PdfRead {
  text: string;
  /** Width and height, in pixels, of every image drawn, in page order. */
  images: Array<[number, number]>;
}

async function readPdf(bytes: Buffer): Promise<PdfRead> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0, useSystemFonts: false }).promise;
  const texts: string[] = [];
  const images: Array<[number, number]> = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
    const ops = await page.getOperatorList();
    ops.fnArray.forEach((fn, n) => {
      if (fn === pdfjs.OPS.paintImageXObject) {
        const [, width, height] = ops.argsArray[n] as [string, number, number];
        images.push([width, height]);
      }
    });
  }
  await doc.destroy();
  return { text: texts.join(' ').replace(/\s+/g, ' '), images };
}

describe.each(engines)('the images of a study guide PDF on %s', (engine) => {
  let t: TestApp;
  let dataDir: string;
  const clock = new TestClock();
  const store = async (picture: ReturnType<typeof solid>, as: 'png' | 'jpeg'): Promise<StoredImage> =>
    storeImage(
      {
        db: t.database.db,
        blobs: createBlobStore({ store: engine === 'postgres' ? 'database' : 'files', dataDir }, t.database.db, clock),
        limits: DEFAULT_IMAGE_LIMITS,
        clock,
      },
      { bytes: await (as === 'png' ? picture.png() : picture.jpeg()).toBuffer(), ownerId: null },
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-pdf-images-'));
    t = await buildTestApp(engine, {
      clock,
      config: { dataDir, images: { ...testConfig.images, store: engine === 'postgres' ? 'database' : 'files' } },
    });
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('draws placed images with their descriptions, leaves a removed one out, and names one whose file is gone', async () => {
    const photo = await store(solid(1400, 900, { colour: { r: 200, g: 60, b: 40 } }), 'jpeg');
    const diagram = await store(solid(300, 200, { alpha: 0.5 }), 'png');
    const removed = await store(solid(500, 500, { colour: { r: 10, g: 200, b: 10 } }), 'png');
    const lost = await store(solid(400, 300, { colour: { r: 90, g: 90, b: 250 } }), 'jpeg');
    expect(await markRemoved({ db: t.database.db, clock }, { id: removed.id, by: null })).toBe(true);
    const blobs = createBlobStore({ store: engine === 'postgres' ? 'database' : 'files', dataDir }, t.database.db, clock);
    for (const v of lost.variants) await blobs.delete(v.key);

    const subject = 'Geometry';
    const title = 'Triangles on Paper';
    await importGuides(
      t.database.db,
      [
        {
          subject,
          title,
          overview: `Every triangle has three sides.\n\n![A red photograph of a triangle drawn on a whiteboard](image:${photo.id})\n\nIts area is $\\frac{1}{2}bh$.`,
          sections: [
            {
              title: 'Worked example',
              body: `Label the sides first: ![A labelled right triangle with sides a, b and c](image:${diagram.id}) then use $a^2 + b^2 = c^2$.\n\n![A green square nobody needs](image:${removed.id})\n\n![A blue sketch of the same triangle](image:${lost.id})`,
              membersOnly: true,
            },
          ],
          importKey: guideImportKey({ subject, title }),
        },
      ],
      { clock },
    );

    const user = await createUser(t.database.db, { email: 'pdf-member@example.org', name: 'Pat Member', password: PW });
    await grantComplimentary(t.database.db, user.id, '2027-12-31', clock);
    const member = new Client(t.app, '100.92.0.1');
    expect((await member.submit('/login', '/login', { email: 'pdf-member@example.org', password: PW })).statusCode).toBe(303);
    const res = await member.get('/guides/triangles-on-paper.pdf');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');

    const pdf = await readPdf(res.rawPayload);
    // The photograph at the print width (its 960-pixel JPEG), the small diagram at its own size; nothing else.
    expect(pdf.images).toEqual([
      [960, Math.round((900 * 960) / 1400)],
      [300, 200],
    ]);
    expect(pdf.text).toContain('A red photograph of a triangle drawn on a whiteboard');
    expect(pdf.text).toContain('A labelled right triangle with sides a, b and c');
    expect(pdf.text).toContain('Label the sides first:');
    expect(pdf.text).toContain('then use a^2 + b^2 = c^2');
    expect(pdf.text).toContain('(1)/(2)bh');
    expect(pdf.text).not.toContain('\\frac');
    expect(pdf.text).not.toContain('A green square nobody needs');
    expect(pdf.text).toContain('[Image: A blue sketch of the same triangle]');

    // Who gets the PDF is as before: a visitor is refused it.
    expect((await new Client(t.app).get('/guides/triangles-on-paper.pdf')).statusCode).toBe(403);
  });
});
