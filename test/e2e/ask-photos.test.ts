import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { testConfig } from '../helpers/app.ts';
import { axeViolations, launchChromium, signInDemo } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { chromiumPath } from '../helpers/environment.ts';
import { solid } from '../helpers/images.ts';

const TITLE = 'Which treaty does the map in my worksheet show?';

describe.skipIf(!chromiumPath)('photos on /ask in Chromium', () => {
  let database: TestDatabase;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base: string;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'scholia-e2e-photos-'));
    database = await createTestDatabase('sqlite');
    await seedDemo(database.db);
    app = await buildApp({ ...testConfig, dataDir }, { database, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const signIn = (email: string, javaScriptEnabled = true): Promise<Page> => signInDemo(browser, base, email, javaScriptEnabled);

  it('attaches a photo, shows it before and after Continue, posts it, and the educator sees it loaded', async () => {
    const student = await signIn('jordan.lee@demo.scholia.test');
    await student.getByRole('link', { name: 'Ask', exact: true }).click();
    await student.getByLabel('Your question').fill(TITLE);
    await student.getByLabel('Details (optional)').fill('The map is question 2; I took a photo of it.');
    await student.getByLabel('Subject').selectOption('history');
    const worksheet = await solid(1200, 900, { colour: { r: 30, g: 110, b: 70 } })
      .jpeg()
      .toBuffer();
    await student
      .getByLabel('Photos of your homework (optional)')
      .setInputFiles({ name: 'map.jpg', mimeType: 'image/jpeg', buffer: worksheet });
    // The island shows the chosen photo at once, before anything is sent.
    // (Read from the file in the browser, so it may take a moment.)
    await student.getByRole('img', { name: 'New photo 1: map.jpg' }).waitFor();
    expect(await axeViolations(student)).toEqual([]);

    await student.getByRole('button', { name: 'Continue' }).click();
    await student.getByRole('heading', { name: 'Is it already answered?' }).waitFor();
    const attached = student.getByRole('img', { name: 'Photo 1 you attached' });
    await attached.waitFor();
    // The server's thumbnail, decoded by the browser: the file it points at was served.
    await expect(attached.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).resolves.toBeGreaterThan(0);
    expect(await axeViolations(student)).toEqual([]);

    // "Edit it first" brings the form back with the photo listed, a box to remove it, and the file input for more.
    await student.getByRole('button', { name: 'Edit it first' }).click();
    await student.getByRole('checkbox', { name: 'Remove photo 1' }).waitFor();
    await expect(student.getByLabel('Your question').inputValue()).resolves.toBe(TITLE);
    expect(await axeViolations(student)).toEqual([]);
    await student.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(student)).toEqual([]);
    await student.emulateMedia({ colorScheme: 'light' });
    await student.getByRole('button', { name: 'Continue' }).click();
    await student.getByRole('button', { name: 'Post my question' }).click();
    await student.waitForURL(/\/account\/questions/);
    await student.getByText('with 1 photo').waitFor();

    // The educator of the subject claims it and sees the photo, loaded.
    const educator = await signIn('amara.okafor@demo.scholia.test');
    await educator.goto(`${base}/educator`);
    await educator.getByRole('button', { name: /^Claim “Which treaty does the map/ }).click();
    const shown = educator.getByRole('img', { name: 'Photo attached to the question' });
    await shown.waitFor();
    await expect(shown.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).resolves.toBeGreaterThan(0);
  }, 60_000);

  it('the educator answers that question with an uploaded diagram and a formula; the published page shows both', async () => {
    const educator = await signIn('amara.okafor@demo.scholia.test');
    // "Your images": upload the diagram with its description, and copy the line it gives.
    const library = await educator.context().newPage();
    await library.goto(`${base}/uploads`);
    await library.getByLabel('Description for readers who cannot see it').fill('Map of Europe after the treaty, new borders in red');
    const diagram = await solid(800, 500, { colour: { r: 200, g: 60, b: 40 } })
      .png()
      .toBuffer();
    await library.getByLabel('Image', { exact: true }).setInputFiles({ name: 'borders.png', mimeType: 'image/png', buffer: diagram });
    await library.getByRole('button', { name: 'Upload' }).click();
    const line = await library.getByLabel('Paste this line into your text:').inputValue();
    expect(line).toMatch(/^!\[Map of Europe after the treaty, new borders in red\]\(image:\d+\)$/);
    expect(await axeViolations(library)).toEqual([]);

    // The answer: the diagram at the top (in the opening every reader gets), a formula further down.
    const { id } = await database.db.selectFrom('questions').select('id').where('title', '=', TITLE).executeTakeFirstOrThrow();
    await educator.goto(`${base}/educator/q/${id}`);
    const body = [
      line,
      'The map shows the borders drawn by the Treaty of Versailles in 1919, after the First World War ended.',
      'Germany lost territory on every side: Alsace-Lorraine went to France, and a corridor to the sea went to the new Poland.',
      'The treaty also limited the German army and required reparations, the payments for war damage.',
      'Historians estimate the reparations with a simple rate: if a sum $P$ grows at a rate $r$ for $t$ years, it becomes $P(1 + r)^t$.',
      'That is why the debt looked so different to each side as the years went by.',
    ].join('\n\n');
    await educator.getByLabel('Expert answer').fill(body);
    await educator.getByRole('button', { name: 'Submit for review' }).click();
    await educator.getByText('Sent for editorial review').waitFor();

    const editor = await signIn('editor@demo.scholia.test');
    await editor.goto(`${base}/editor/q/${id}`);
    await editor.getByRole('button', { name: 'Approve and publish' }).click();
    await editor.getByText('Approved and published').waitFor();

    // The student (a member) reads the published answer: the diagram loaded, the formula typeset by KaTeX.
    const student = await signIn('jordan.lee@demo.scholia.test');
    await student.goto(`${base}/q/${id}`);
    const placed = student.getByRole('img', { name: 'Map of Europe after the treaty, new borders in red' });
    await placed.waitFor();
    await expect(placed.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).resolves.toBeGreaterThan(0);
    await expect(student.locator('.katex').count()).resolves.toBeGreaterThan(0);
    expect(await axeViolations(student)).toEqual([]);
  }, 90_000);

  it('takes a photo without JavaScript: the plain file input and Continue', async () => {
    const student = await signIn('jordan.lee@demo.scholia.test', false);
    await student.goto(`${base}/ask`);
    await student.getByLabel('Your question').fill('What does the cartoon in my textbook say about 1848?');
    await student.getByLabel('Subject').selectOption('history');
    const cartoon = await solid(700, 500, { colour: { r: 200, g: 180, b: 120 } })
      .png()
      .toBuffer();
    await student
      .getByLabel('Photos of your homework (optional)')
      .setInputFiles({ name: 'cartoon.png', mimeType: 'image/png', buffer: cartoon });
    await student.getByRole('button', { name: 'Continue' }).click();
    await student.getByRole('heading', { name: 'Is it already answered?' }).waitFor();
    await student.getByText('With 1 photo:').waitFor();
    await student.getByRole('img', { name: 'Photo 1 you attached' }).waitFor();
    await student.context().close();
  }, 30_000);

  it('adds a screenshot pasted into the details and a photo dropped on the field to the same upload', async () => {
    const student = await signIn('jordan.lee@demo.scholia.test');
    await student.goto(`${base}/ask`);
    await student.getByLabel('Your question').fill('How do I read the timeline in these two pictures?');
    await student.getByLabel('Subject').selectOption('history');
    const [pasted, dropped] = await Promise.all([
      solid(500, 400, { colour: { r: 10, g: 10, b: 160 } })
        .png()
        .toBuffer(),
      solid(600, 400, { colour: { r: 160, g: 10, b: 10 } })
        .jpeg()
        .toBuffer(),
    ]);
    await student.getByLabel('Details (optional)').click();
    await student.evaluate(
      ([a, b]) => {
        const file = (b64: string, name: string, type: string) =>
          new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type });
        const clip = new DataTransfer();
        clip.items.add(file(a as string, 'screenshot.png', 'image/png'));
        document
          .querySelector('#ask-details')
          ?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clip, bubbles: true, cancelable: true }));
        const drag = new DataTransfer();
        drag.items.add(file(b as string, 'timeline.jpg', 'image/jpeg'));
        const target = document.querySelector('[data-photo-field]');
        target?.dispatchEvent(new DragEvent('dragover', { dataTransfer: drag, bubbles: true, cancelable: true }));
        target?.dispatchEvent(new DragEvent('drop', { dataTransfer: drag, bubbles: true, cancelable: true }));
      },
      [pasted.toString('base64'), dropped.toString('base64')],
    );
    await student.getByRole('img', { name: 'New photo 1: screenshot.png' }).waitFor();
    await student.getByRole('img', { name: 'New photo 2: timeline.jpg' }).waitFor();
    // One can be left out again before sending.
    await student.getByRole('button', { name: 'Do not send timeline.jpg' }).click();
    await student.getByRole('img', { name: 'New photo 2: timeline.jpg' }).waitFor({ state: 'detached' });
    await student.getByRole('img', { name: 'New photo 1: screenshot.png' }).waitFor();
    await student.getByRole('button', { name: 'Continue' }).click();
    await student.getByText('With 1 photo:').waitFor();
    await student.context().close();
  }, 30_000);
});
