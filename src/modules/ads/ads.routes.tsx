import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../app.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { errorPage } from '../../platform/errors.tsx';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireAllowed } from '../../platform/session.ts';
import { Field, HiddenCsrf, issueFor } from '../../views/forms.tsx';
import { Layout } from '../../views/layout.tsx';
import { isAdmin } from '../accounts/index.ts';
import { addHouseAd, listAllAds, setAdActive } from './ads.service.ts';

/** /admin/ads: house ads for readers without membership. */
export function adsRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const empty = { headline: '', body: '', linkUrl: '/membership' };
    const page = async (request: FastifyRequest, reply: FastifyReply, form = empty, issues?: FieldIssue[], status = 200) => {
      const viewer = request.viewer as NonNullable<FastifyRequest['viewer']>;
      const token = csrfToken(request, reply, settings.https);
      const ads = await listAllAds(db);
      return sendHtml(
        reply,
        <Layout site={ctx.site} viewer={viewer} title="Ads">
          <h1>Ads</h1>
          <p class="muted">House ads appear beside questions for readers without membership. Members never see an ad.</p>
          {ads.length === 0 ? <p>No ads yet.</p> : null}
          <ul class="user-list">
            {ads.map((a) => (
              <li key={a.id} class="card">
                <strong>{a.headline}</strong> → {a.linkUrl} · {a.active ? 'showing' : 'paused'}
                <form method="post" action={`/admin/ads/${a.id}/${a.active ? 'pause' : 'show'}`} class="inline-form">
                  <HiddenCsrf token={token} />
                  <button type="submit" class="link-button">
                    {a.active ? `Pause “${a.headline}”` : `Show “${a.headline}”`}
                  </button>
                </form>
              </li>
            ))}
          </ul>
          <h2>Add a house ad</h2>
          {issues?.length ? (
            <p class="form-error" role="alert">
              Please fix the fields marked below.
            </p>
          ) : null}
          <form method="post" action="/admin/ads" class="stack form-page" novalidate>
            <HiddenCsrf token={token} />
            <input type="hidden" name="placement" value="question-sidebar" />
            <Field
              id="ad-headline"
              name="headline"
              label="Headline"
              value={form.headline}
              error={issueFor(issues, 'headline')}
              maxLength={80}
            />
            <Field id="ad-body" name="body" label="Text" value={form.body} error={issueFor(issues, 'body')} maxLength={300} />
            <Field id="ad-link" name="linkUrl" label="Link" value={form.linkUrl} error={issueFor(issues, 'linkUrl')} maxLength={500} />
            <button type="submit" class="button">
              Add ad
            </button>
          </form>
        </Layout>,
        status,
      );
    };
    const adminOnly = (request: FastifyRequest, reply: FastifyReply): boolean =>
      requireAllowed(ctx.site, request, reply, '/admin/ads', isAdmin, 'Only admins manage ads') !== null;

    app.get('/admin/ads', async (request, reply) => (adminOnly(request, reply) ? page(request, reply) : reply));
    app.post<{ Body: FormBody }>('/admin/ads', async (request, reply) => {
      if (!adminOnly(request, reply)) return reply;
      const form = {
        headline: formField(request.body, 'headline', 200),
        body: formField(request.body, 'body', 600),
        linkUrl: formField(request.body, 'linkUrl', 600),
      };
      if (!csrfValid(request, settings.https))
        return page(request, reply, form, [{ field: 'headline', message: 'This form had expired. Please add the ad again.' }], 403);
      const issues = await addHouseAd(db, { ...form, placement: formField(request.body, 'placement', 40) }, ctx.clock);
      if (issues.length > 0) return page(request, reply, form, issues, 400);
      return page(request, reply);
    });
    for (const [verb, active] of [
      ['pause', false],
      ['show', true],
    ] as const) {
      app.post<{ Params: { id: string } }>(`/admin/ads/:id/${verb}`, async (request, reply) => {
        if (!adminOnly(request, reply)) return reply;
        if (csrfValid(request, settings.https) && /^\d{1,10}$/.test(request.params.id))
          await setAdActive(db, Number(request.params.id), active);
        return page(request, reply);
      });
    }
  };
}
