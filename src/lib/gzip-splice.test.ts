import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipParts, spliceGzip } from './gzip-splice.ts';

const text = (n: number, seed: string) =>
  Buffer.from(
    Array.from({ length: n }, (_, i) => `${seed}${i % 97} `)
      .join('')
      .slice(0, n),
  );

describe('spliceGzip', () => {
  const cases: Array<[string, Buffer, Buffer, Buffer]> = [
    [
      'a page with a header in the middle',
      text(3000, '<p>head'),
      Buffer.from('<header>Jordan · 3 unread</header>'),
      text(9000, '<li>tail'),
    ],
    ['an empty middle', text(500, 'a'), Buffer.alloc(0), text(500, 'b')],
    ['empty ends', Buffer.alloc(0), Buffer.from('only the middle'), Buffer.alloc(0)],
    ['a middle longer than one stored block', text(100, 'h'), randomBytes(150_000), text(100, 't')],
    ['a middle of exactly one full stored block', text(10, 'h'), randomBytes(65_535), text(10, 't')],
    ['random bytes around the middle', randomBytes(20_000), Buffer.from('x'), randomBytes(20_000)],
  ];
  for (const [name, head, middle, tail] of cases) {
    it(`decodes to head + middle + tail: ${name}`, () => {
      const body = spliceGzip(gzipParts(head, tail), middle);
      expect(gunzipSync(body).equals(Buffer.concat([head, middle, tail]))).toBe(true);
    });
  }

  it('compresses the fixed parts: a repetitive page shrinks, with the middle sent as it is', () => {
    const head = text(20_000, '<p>the same words again ');
    const tail = text(20_000, '<li>more of the same ');
    const middle = Buffer.from('<header>Maya Chen</header>');
    const body = spliceGzip(gzipParts(head, tail), middle);
    expect(body.length).toBeLessThan((head.length + tail.length) / 4);
    expect(body.includes(middle)).toBe(true);
  });

  it('gives a body that gunzip refuses when a byte of the kept parts is damaged (the CRC covers the whole text)', () => {
    const parts = gzipParts(text(1000, 'h'), text(1000, 't'));
    const body = spliceGzip(parts, Buffer.from('middle'));
    const damaged = Buffer.from(body);
    damaged.writeUInt32LE(damaged.readUInt32LE(damaged.length - 8) ^ 1, damaged.length - 8);
    expect(() => gunzipSync(damaged)).toThrow();
  });
});
