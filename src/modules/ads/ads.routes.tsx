import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import type { RouteContext } from '../../platform/context.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireAllowed } from '../../platform/session.ts';
import { Field, HiddenCsrf, issueFor, TextArea } from '../../views/forms.tsx';
import { Layout } from '../../views/layout.tsx';
import { isAdmin } from '../accounts/index.ts';
import { addAdSnippet, addHouseAd, listAllAds, listAllSnippets, setAdActive, setSnippetActive } from './ads.service.ts';
import { snippetAllowed } from './ads.ts';
import { SNIPPET_MAX_LENGTH } from './snippet.ts';

/** What the admin typed into one of the two forms, and what was wrong with it. */
interface FormState<F> {
  form: F;
  issues: FieldIssue[];
}

/** /admin/ads: house ads and network snippets for readers without membership. */
export function adsRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  const allowedOrigins = ctx.config.adSnippetOrigins;
  const cacheMinutes = Math.max(1, Math.ceil(ctx.config.pageCacheTtlMs / 60_000));
  return async (app) => {
    const emptyHouse = { headline: '', body: '', linkUrl: '/membership' };
    const emptySnippet = { name: '', snippet: '' };
    const page = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: { house?: FormState<typeof emptyHouse>; snippet?: FormState<typeof emptySnippet> } = {},
      status = 200,
    ) => {
      const viewer = request.viewer as NonNullable<FastifyRequest['viewer']>;
      const token = csrfToken(request, reply, settings.https);
      const [ads, snippets] = await Promise.all([listAllAds(db), listAllSnippets(db)]);
      const house = state.house ?? { form: emptyHouse, issues: [] };
      const snippet = state.snippet ?? { form: emptySnippet, issues: [] };
      // The one the question pages show (adFor's rule: the newest showing snippet on an allowed origin).
      const live = snippets.find((s) => s.active && snippetAllowed(s, allowedOrigins));
      return sendHtml(
        reply,
        <Layout site={ctx.site} viewer={viewer} title="Ads">
          <h1>Ads</h1>
          <p class="muted">
            Ads appear beside questions for readers without membership. Members never see an ad. While a network snippet is showing, the
            newest one fills the slot on every question page; otherwise each page shows one of the house ads. Pages cached for visitors pick
            up a change within {cacheMinutes} {cacheMinutes === 1 ? 'minute' : 'minutes'}.
          </p>
          <h2>House ads</h2>
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
          <h2>Network snippets</h2>
          {snippets.length === 0 ? <p>No network snippets yet.</p> : null}
          <ul class="user-list">
            {snippets.map((s) => {
              const missing = s.origins.filter((o) => !allowedOrigins.includes(o));
              return (
                <li key={s.id} class="card">
                  <strong>{s.name}</strong> · {s.active ? 'showing' : 'paused'}
                  {s.active && live && live.id !== s.id && missing.length === 0 ? ' (a newer snippet fills the slot)' : null}
                  {missing.length > 0 ? ` · not shown: add ${missing.join(', ')} to AD_SNIPPET_ORIGINS` : null}
                  {allowedOrigins.length === 0 && missing.length === 0 ? ' · not shown: AD_SNIPPET_ORIGINS is empty' : null}
                  <pre>
                    <code>{s.html}</code>
                  </pre>
                  <form method="post" action={`/admin/ads/snippets/${s.id}/${s.active ? 'pause' : 'show'}`} class="inline-form">
                    <HiddenCsrf token={token} />
                    <button type="submit" class="link-button">
                      {s.active ? `Pause “${s.name}”` : `Show “${s.name}”`}
                    </button>
                  </form>
                </li>
              );
            })}
          </ul>
          <h2>Add a house ad</h2>
          {house.issues.length > 0 ? (
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
              value={house.form.headline}
              error={issueFor(house.issues, 'headline')}
              maxLength={80}
            />
            <Field id="ad-body" name="body" label="Text" value={house.form.body} error={issueFor(house.issues, 'body')} maxLength={300} />
            <Field
              id="ad-link"
              name="linkUrl"
              label="Link"
              value={house.form.linkUrl}
              error={issueFor(house.issues, 'linkUrl')}
              maxLength={500}
            />
            <button type="submit" class="button">
              Add ad
            </button>
          </form>
          <h2>Add a network snippet</h2>
          {allowedOrigins.length === 0 ? (
            <p id="snippets-off">
              Network snippets are off: the site's content security policy lets pages load nothing from other sites. To use an ad network,
              set <code>AD_SNIPPET_ORIGINS</code> to the https origins it serves from (for example <code>https://ads.example.net</code>,
              several separated by commas) and restart the site; the policy then allows them, and this form opens.
            </p>
          ) : (
            <>
              {snippet.issues.length > 0 ? (
                <p class="form-error" role="alert">
                  Please fix the fields marked below.
                </p>
              ) : null}
              <form method="post" action="/admin/ads/snippets" class="stack form-page" novalidate>
                <HiddenCsrf token={token} />
                <input type="hidden" name="placement" value="question-sidebar" />
                <Field
                  id="snippet-name"
                  name="name"
                  label="Name"
                  hint="For you only: readers never see it."
                  value={snippet.form.name}
                  error={issueFor(snippet.issues, 'name')}
                  maxLength={80}
                />
                <TextArea
                  id="snippet-html"
                  name="snippet"
                  label="Snippet HTML"
                  hint={`From ${allowedOrigins.join(', ')} (AD_SNIPPET_ORIGINS). Allowed: <script src="…" async></script>, <ins> and <div> with class and data-* attributes, <iframe src>, <img src> and <a href>. No inline scripts, on… handlers or style attributes: the content security policy would block them.`}
                  value={snippet.form.snippet}
                  error={issueFor(snippet.issues, 'snippet')}
                  rows={8}
                  maxLength={SNIPPET_MAX_LENGTH}
                  required
                />
                <button type="submit" class="button">
                  Add snippet
                </button>
              </form>
            </>
          )}
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
        return page(
          request,
          reply,
          { house: { form, issues: [{ field: 'headline', message: 'This form had expired. Please add the ad again.' }] } },
          403,
        );
      const issues = await addHouseAd(db, { ...form, placement: formField(request.body, 'placement', 40) }, ctx.clock);
      if (issues.length > 0) return page(request, reply, { house: { form, issues } }, 400);
      // Post/redirect/get: the list shows the new ad, and a refresh does not add it twice.
      return reply.redirect('/admin/ads', 303);
    });
    app.post<{ Body: FormBody }>('/admin/ads/snippets', async (request, reply) => {
      if (!adminOnly(request, reply)) return reply;
      // Cut well past the limit, so an over-long snippet is refused with its message rather than silently cut.
      const form = { name: formField(request.body, 'name', 200), snippet: formField(request.body, 'snippet', SNIPPET_MAX_LENGTH * 2) };
      if (!csrfValid(request, settings.https))
        return page(
          request,
          reply,
          { snippet: { form, issues: [{ field: 'snippet', message: 'This form had expired. Please add the snippet again.' }] } },
          403,
        );
      const issues = await addAdSnippet(db, { ...form, placement: formField(request.body, 'placement', 40) }, allowedOrigins, ctx.clock);
      if (issues.length > 0) return page(request, reply, { snippet: { form, issues } }, 400);
      return reply.redirect('/admin/ads', 303);
    });
    for (const [verb, active] of [
      ['pause', false],
      ['show', true],
    ] as const) {
      app.post<{ Params: { id: string } }>(`/admin/ads/:id/${verb}`, async (request, reply) => {
        if (!adminOnly(request, reply)) return reply;
        if (csrfValid(request, settings.https) && /^\d{1,10}$/.test(request.params.id))
          await setAdActive(db, Number(request.params.id), active);
        return reply.redirect('/admin/ads', 303);
      });
      app.post<{ Params: { id: string } }>(`/admin/ads/snippets/:id/${verb}`, async (request, reply) => {
        if (!adminOnly(request, reply)) return reply;
        if (csrfValid(request, settings.https) && /^\d{1,10}$/.test(request.params.id))
          await setSnippetActive(db, Number(request.params.id), active);
        return reply.redirect('/admin/ads', 303);
      });
    }
  };
}
