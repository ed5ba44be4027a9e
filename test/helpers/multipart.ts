import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Client } from './http.ts';

export interface FilePart {
  field: string;
  filename: string;
  type: string;
  bytes: Buffer;
}

/**
 * A multipart/form-data body as a browser writes one: the fields in the order given (a list value is the field
 * sent several times), then the files. An empty file input is sent as a part with no name and no bytes.
 */
export function multipartBody(fields: Array<[string, string]>, files: FilePart[]): { payload: Buffer; contentType: string } {
  const boundary = `----scholiaTest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`,
      ),
      f.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The CSRF token of the page's (first) form. */
export function csrfOf(page: LightMyRequestResponse): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** Posts a multipart form with the client's cookies, and keeps the cookies the answer sets, as a browser would. */
export async function postMultipart(
  app: FastifyInstance,
  client: Client,
  url: string,
  fields: Array<[string, string]>,
  files: FilePart[] = [],
): Promise<LightMyRequestResponse> {
  const { payload, contentType } = multipartBody(fields, files);
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await app.inject({
    method: 'POST',
    url,
    payload,
    headers: { ...client.headers, ...(cookie ? { cookie } : {}), 'content-type': contentType },
    remoteAddress: '203.0.113.9',
  });
  for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
    if (c.maxAge === 0 || c.value === '') client.cookies.delete(c.name);
    else client.cookies.set(c.name, c.value);
  }
  return res;
}
