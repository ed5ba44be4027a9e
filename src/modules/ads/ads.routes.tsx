import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form, IdParams } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { managesAds } from './ads.policy.ts';
import { addAdSnippet, addHouseAd, listAllAds, listAllSnippets, setAdActive, setSnippetActive } from './ads.service.ts';
import { AD_LIMITS } from './ads.ts';
import { type AdFormState, AdsAdminView, type HouseAdForm, type SnippetForm } from './views/ads-admin-page.tsx';

// Twice each limit, so a text over it comes back in the form with the service's message; past that the schema
// gives the form back whole (422). A link has no message of its own for its length: its limit is the field's.
const HouseAdBody = form({
  headline: field(AD_LIMITS.headline * 2),
  body: field(AD_LIMITS.body * 2),
  linkUrl: field(AD_LIMITS.linkUrl),
  placement: field(40),
});
const SnippetBody = form({
  name: field(AD_LIMITS.snippetName * 2),
  snippet: field(AD_LIMITS.snippet * 2),
  placement: field(40),
});

/** The forms as typed, NUL characters dropped; also for an expired form, which no schema has read. */
const houseAdForm = (body: FormBody | undefined): HouseAdForm => ({
  headline: formField(body, 'headline', AD_LIMITS.headline * 2),
  body: formField(body, 'body', AD_LIMITS.body * 2),
  linkUrl: formField(body, 'linkUrl', AD_LIMITS.linkUrl),
});
const snippetForm = (body: FormBody | undefined): SnippetForm => ({
  name: formField(body, 'name', AD_LIMITS.snippetName * 2),
  snippet: formField(body, 'snippet', AD_LIMITS.snippet * 2),
});

const EMPTY_HOUSE: AdFormState<HouseAdForm> = { form: { headline: '', body: '', linkUrl: '/membership' }, issues: [] };
const EMPTY_SNIPPET: AdFormState<SnippetForm> = { form: { name: '', snippet: '' }, issues: [] };

/** /admin/ads: house ads and network snippets for readers without membership. */
export function adsRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  const allowedOrigins = ctx.config.adSnippetOrigins;
  const cacheMinutes = Math.max(1, Math.ceil(ctx.config.pageCacheTtlMs / 60_000));
  const admins = { allow: managesAds, signInNext: '/admin/ads' };
  return async (app) => {
    const page = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: { house?: AdFormState<HouseAdForm>; snippet?: AdFormState<SnippetForm> } = {},
      status = 200,
    ) => {
      const [ads, snippets] = await Promise.all([listAllAds(db), listAllSnippets(db)]);
      return sendHtml(
        reply,
        <AdsAdminView
          site={ctx.site}
          viewer={signedIn(request)}
          csrfToken={csrfToken(request, reply, ctx.session.https)}
          ads={ads}
          snippets={snippets}
          allowedOrigins={allowedOrigins}
          cacheMinutes={cacheMinutes}
          house={state.house ?? EMPTY_HOUSE}
          snippet={state.snippet ?? EMPTY_SNIPPET}
        />,
        status,
      );
    };

    app.get('/admin/ads', { config: admins }, async (request, reply) => page(request, reply));

    app.post(
      '/admin/ads',
      {
        schema: { body: HouseAdBody },
        config: {
          ...admins,
          onExpiredForm: (request, reply) => {
            const issues = [{ field: 'headline', message: 'This form had expired. Please add the ad again.' }];
            return page(request, reply, { house: { form: houseAdForm(request.body as FormBody), issues } }, 403);
          },
        },
      },
      async (request, reply) => {
        const typed = houseAdForm(request.body);
        const issues = await addHouseAd(db, { ...typed, placement: request.body.placement ?? '' }, ctx.clock);
        if (issues.length > 0) return page(request, reply, { house: { form: typed, issues } }, 400);
        // Post/redirect/get: the list shows the new ad, and a refresh does not add it twice.
        return reply.redirect('/admin/ads', 303);
      },
    );

    app.post(
      '/admin/ads/snippets',
      {
        schema: { body: SnippetBody },
        config: {
          ...admins,
          onExpiredForm: (request, reply) => {
            const issues = [{ field: 'snippet', message: 'This form had expired. Please add the snippet again.' }];
            return page(request, reply, { snippet: { form: snippetForm(request.body as FormBody), issues } }, 403);
          },
        },
      },
      async (request, reply) => {
        const typed = snippetForm(request.body);
        const issues = await addAdSnippet(db, { ...typed, placement: request.body.placement ?? '' }, allowedOrigins, ctx.clock);
        if (issues.length > 0) return page(request, reply, { snippet: { form: typed, issues } }, 400);
        return reply.redirect('/admin/ads', 303);
      },
    );

    for (const [verb, active] of [
      ['pause', false],
      ['show', true],
    ] as const) {
      const toggle = { schema: { params: IdParams, body: form({}) }, config: admins };
      app.post(`/admin/ads/:id/${verb}`, toggle, async (request, reply) => {
        await setAdActive(db, request.params.id, active);
        return reply.redirect('/admin/ads', 303);
      });
      app.post(`/admin/ads/snippets/:id/${verb}`, toggle, async (request, reply) => {
        await setSnippetActive(db, request.params.id, active);
        return reply.redirect('/admin/ads', 303);
      });
    }
  };
}
