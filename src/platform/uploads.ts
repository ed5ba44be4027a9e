import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { csrfValid } from './session.ts';

/*
 * Forms that carry files (multipart/form-data). Only the route plugins that call acceptUploads take them: the
 * parser is registered in that plugin's own scope, so a multipart body sent anywhere else is refused (415) unread.
 *
 * The guard checks the CSRF token in the body before the schema runs (guard.tsx, preValidation), so the body must be
 * parsed before it: acceptUploads adds a preValidation hook of the plugin's scope, which Fastify runs before any
 * route's own hooks (the guard is one). Text fields become strings (a repeated one, a list), as @fastify/formbody
 * gives them, so the routes' schemas and the guard read a multipart form exactly as a urlencoded one. Files go to
 * `request.uploads`, never into the body.
 *
 * A file is read into memory only when the guard will let the form through: a signed-in viewer whose form carried a
 * valid CSRF token before its files (our forms put the token first). Any other file is read to its end and dropped,
 * so a visitor or a forged form cannot make the server hold tens of megabytes. Nothing here answers 413: a file over
 * the size limit is cut off as it arrives and marked, and too many files or fields end the reading, so the route can
 * give the form back with what was typed and a message beside the file field.
 */

export interface Upload {
  /** The form field it came in. */
  readonly field: string;
  /** The name the browser gave it: for messages only, never to decide what the file is. */
  readonly filename: string;
  /** Its bytes; null when they were not kept (see `refused`). */
  readonly bytes: Buffer | null;
  /** Why the bytes were not kept: over the size limit, or sent with a form the guard refuses. */
  readonly refused: 'too_large' | 'not_taken' | null;
}

export interface Uploads {
  readonly files: readonly Upload[];
  /** The form held more files (or fields) than the limits allow; what came after the limit was not read. */
  readonly overflow: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The files of a multipart form, on routes of a scope that called acceptUploads; null otherwise. */
    uploads: Uploads | null;
  }
}

export interface UploadLimits {
  /** Largest file taken, in bytes; a larger one is cut off there and marked too large. */
  readonly fileBytes: number;
  /** Most files one form may send. */
  readonly files: number;
  /** Most text fields one form may send. */
  readonly fields: number;
  /**
   * Longest text field, in bytes. Set it above every field's schema limit in bytes (four per character), so a value
   * cut here is still one the schema refuses, never a shortened text taken as if whole.
   */
  readonly fieldBytes: number;
}

const OVERFLOW = new Set(['FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT']);

function add(fields: Record<string, string | string[]>, name: string, value: string): void {
  const had = fields[name];
  fields[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
}

/** A body that is not multipart as it says (no boundary, cut short, a field named like a prototype): 400, not 500. */
function unreadable(err: unknown): Error {
  const status = (err as { statusCode?: unknown }).statusCode;
  if (err instanceof Error && typeof status === 'number' && status >= 400 && status < 500) return err;
  return Object.assign(new Error(`unreadable multipart form: ${err instanceof Error ? err.message : String(err)}`), { statusCode: 400 });
}

/** Lets the routes of this plugin scope take multipart forms with files, within `limits`. */
export async function acceptUploads(app: FastifyInstance, limits: UploadLimits, https: boolean): Promise<void> {
  await app.register(multipart, {
    // A file over the limit is marked, not thrown as a 413 (which would lose the typed text).
    throwFileSizeLimit: false,
    limits: {
      fileSize: limits.fileBytes,
      files: limits.files,
      fields: limits.fields,
      fieldSize: limits.fieldBytes,
      parts: limits.files + limits.fields,
      headerPairs: 20,
    },
  });
  app.decorateRequest('uploads', null);

  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!request.isMultipart()) return;
    const fields: Record<string, string | string[]> = {};
    const files: Upload[] = [];
    let overflow = false;
    // Set first: the CSRF check below reads the token from the fields read so far.
    request.body = fields;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          // A part declaring application/json arrives parsed; no form of ours sends one.
          if (typeof part.value === 'string') add(fields, part.fieldname, part.value);
          continue;
        }
        const keep = request.viewer !== null && csrfValid(request, https);
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (keep) chunks.push(chunk);
        }
        // A file input left empty still sends a part, with no name and no bytes.
        if (part.filename === '' && size === 0) continue;
        const tooLarge = part.file.truncated;
        files.push({
          field: part.fieldname,
          filename: part.filename,
          bytes: keep && !tooLarge ? Buffer.concat(chunks, size) : null,
          refused: tooLarge ? 'too_large' : keep ? null : 'not_taken',
        });
      }
    } catch (err) {
      if (!OVERFLOW.has((err as { code?: string }).code ?? '')) throw unreadable(err);
      overflow = true;
    }
    request.uploads = { files, overflow };
  });
}
