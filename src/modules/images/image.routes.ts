import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { isSectionFree } from '../guides/index.ts';
import { decideAccess, previewMarkdown } from '../membership/index.ts';
import { findAnswerMarkdown } from '../questions/index.ts';
import { type ImageUse, imageAccess, openVariant } from './image.service.ts';

/** A variant's key names its bytes, so the file at an address never changes: a year, and no revalidation. */
const FOREVER = 'public, max-age=31536000, immutable';
/** A members-only image: the reader's browser may keep it, no shared cache may. */
const MEMBERS_ONLY = 'private, max-age=86400';
/** The ids placed in a text, as its Markdown spells them (`](image:12)`). */
const PLACED_ID = /\]\(image:(\d+)\)/g;

/**
 * GET /images/:key, the files of every image on the site. A free image (a question's photo, one in a guide's free
 * part or in the opening of an expert answer that everyone reads) is the same response for every reader, cached for
 * ever. An image shown only in members-only parts is served to those who may read those parts (members, and the
 * educators and editors who write and review them) and answers 403 to anyone else: the paywall covers images too.
 */
export function imageRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const deps = { db: ctx.database.db, blobs: ctx.images.blobs };
  const db = ctx.database.db;
  // Which images an answer's free opening keeps, by answer version (platform/caches.ts): the preview's length is the
  // app's setting, so nothing but an edit (a new version) changes it.
  const freeInPreview = ctx.caches.freeInPreview;
  /** Whether this use shows the image to readers without membership. */
  const isFree = async (use: ImageUse): Promise<boolean> => {
    switch (use.kind) {
      case 'question':
      case 'guide_overview':
        return true;
      case 'guide_section':
        return (await isSectionFree(db, use.contentId)) === true;
      case 'answer': {
        // Free when the preview that non-members read keeps the image: the same cut the question page makes.
        const answer = await findAnswerMarkdown(db, use.contentId);
        if (answer === undefined) return false;
        const version = `${use.contentId}:${answer.updatedAt}`;
        let free = freeInPreview.get(version);
        if (free === undefined) {
          const preview = previewMarkdown(answer.body, ctx.config.paywallPreviewWords).markdown;
          free = new Set(Array.from(preview.matchAll(PLACED_ID), (m) => m[1] ?? ''));
          freeInPreview.set(version, free);
        }
        return free.has(String(use.imageId));
      }
    }
  };
  const mayReadMembersOnly = (viewer: FastifyRequest['viewer']) =>
    decideAccess(viewer ? { member: viewer.member === true } : null, { kind: 'expert_answer' }).full ||
    viewer?.role === 'educator' ||
    viewer?.role === 'editor' ||
    viewer?.role === 'admin';
  return async (app) => {
    app.get(
      '/images/:key',
      // Longer than any key; openVariant checks the key's form itself, so a malformed one is an unknown one.
      { schema: { params: Type.Object({ key: Type.String({ maxLength: 100 }) }) }, config: { allow: 'anyone' } },
      async (request, reply) => {
        const { key } = request.params;
        const etag = `"${key}"`;
        // A browser asking whether its copy is current: the key is the content, so it is if the image is still live
        // and still free ('gone' and 'members' are answered in full below, as the first request was).
        if (request.headers['if-none-match'] === etag && (await imageAccess(deps, key, isFree)) === 'free') {
          return reply.code(304).header('cache-control', FOREVER).header('etag', etag).send();
        }
        const variant = await openVariant(deps, key);
        if (variant.kind === 'removed') {
          reply.header('cache-control', 'no-store');
          const gone = { title: 'That image was removed', message: 'This image was taken down and is no longer shown on the site.' };
          return sendHtml(reply, errorPage(ctx.site, 410, gone), 410);
        }
        if (variant.kind === 'missing') return sendHtml(reply.header('cache-control', 'no-store'), errorPage(ctx.site, 404), 404);
        const access = await imageAccess(deps, key, isFree);
        if (access === 'members' && !mayReadMembersOnly(request.viewer)) {
          reply.header('cache-control', 'no-store');
          const gated = {
            title: 'This image is for members',
            message: 'It belongs to the members-only part of an expert answer or study guide. Start the free trial, or log in, to see it.',
          };
          return sendHtml(reply, errorPage(ctx.site, 403, gated, request.viewer), 403);
        }
        return reply
          .header('content-type', variant.contentType)
          .header('cache-control', access === 'members' ? MEMBERS_ONLY : FOREVER)
          .header('etag', etag)
          .header('x-content-type-options', 'nosniff')
          .send(variant.bytes);
      },
    );
  };
}
