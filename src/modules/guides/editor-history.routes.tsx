import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../platform/context.ts';
import { signedIn } from '../../platform/guard.tsx';
import { doneMessage, EXPIRED } from './editor.forms.ts';
import { authoring, editorPages, guidePage } from './editor.pages.tsx';
import { ButtonBody, DoneQuery, GuideIdParams, RevisionIdParams } from './guide.schema.ts';
import { guideLinksChanged, restoreRevision } from './guide.service.ts';
import { editorGuidePath } from './guide.ts';

/** /editor/guides/:id/history: every saved revision of a guide, and restoring one (itself a new revision). */
export function editorHistoryRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const pages = editorPages(ctx);
  return async (app) => {
    app.get(
      '/editor/guides/:id/history',
      { schema: { params: GuideIdParams, querystring: DoneQuery }, config: authoring(guidePage('/history')) },
      async (request, reply) => {
        const found = await pages.find(request.params);
        if (!found) return pages.notFound(request, reply);
        return pages.historyPage(request, reply, found.guide, { message: doneMessage(request.query.done) });
      },
    );

    app.post(
      '/editor/guides/:id/revisions/:rid/restore',
      {
        schema: { params: RevisionIdParams, body: ButtonBody },
        config: authoring(
          guidePage('/history'),
          pages.expired((request, reply, { guide }) => pages.historyPage(request, reply, guide, { error: EXPIRED }, 403)),
        ),
      },
      async (request, reply) => {
        const found = await pages.find(request.params);
        if (!found) return pages.notFound(request, reply);
        const { guide } = found;
        const result = await restoreRevision(db, signedIn(request).userId, guide.id, request.params.rid, ctx.clock);
        guideLinksChanged(ctx.caches.guideLinks);
        if (result.kind === 'invalid')
          return pages.historyPage(request, reply, guide, { error: result.issues.map((i) => i.message).join(' ') }, 400);
        if (result.kind !== 'ok') return pages.notFound(request, reply);
        return pages.redirectDone(reply, `${editorGuidePath(guide)}/history`, 'restored');
      },
    );
  };
}
