import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { siteSettingsPolicy } from '../accounts/index.ts';
import { getSynonymText, saveSynonymText } from './search.service.ts';
import { SYNONYM_LIMITS, type SynonymProblem } from './synonyms.ts';
import { SynonymsPageView } from './synonyms-page.tsx';

const ADMINS = { allow: siteSettingsPolicy } as const;
const SAVED = 'Synonyms saved.';

// The admin dashboard links a search that found nothing here as `?add=`: it starts a new last line for the admin to
// finish with the words that mean the same. Commas and line breaks would split it, so they become spaces.
const AddQuery = Type.Object({ add: Type.Optional(Type.String({ maxLength: 400 })) });
const phraseToAdd = (raw: string | undefined) =>
  (raw ?? '')
    .replace(/[,\s]+/g, ' ')
    .trim()
    .slice(0, 100);

/** /admin/search: the synonym and abbreviation table (admins). */
export function synonymRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const db = ctx.database.db;
  /** The form: the table as saved, or as typed with what is wrong with it. */
  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    text: string,
    extra: { saved?: boolean; problems?: SynonymProblem[]; adding?: string },
  ) => <SynonymsPageView site={ctx.site} viewer={signedIn(request)} csrfToken={csrfToken(request, reply, https)} text={text} {...extra} />;
  return async (app) => {
    app.get('/admin/search', { schema: { querystring: AddQuery }, config: ADMINS }, async (request, reply) => {
      const saved = takeFlash(request, reply, https) === SAVED;
      const text = await getSynonymText(db);
      const adding = phraseToAdd(request.query.add);
      if (adding === '') return sendHtml(reply, show(request, reply, text, { saved }));
      return sendHtml(reply, show(request, reply, `${text}${text === '' ? '' : '\n'}${adding}, `, { saved, adding }));
    });

    const body = form({ synonyms: field(SYNONYM_LIMITS.textChars) });
    app.post('/admin/search', { schema: { body }, config: ADMINS }, async (request, reply) => {
      const text = request.body.synonyms ?? '';
      const outcome = await saveSynonymText(db, text);
      // Nothing saved; the text comes back as typed, each bad line named.
      if ('problems' in outcome) return sendHtml(reply, show(request, reply, text, { problems: outcome.problems }), 422);
      setFlash(reply, SAVED, https);
      return reply.redirect('/admin/search', 303);
    });
  };
}
