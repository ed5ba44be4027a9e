import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form, IdParams } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { listSubjects } from '../subjects/index.ts';
import { parsed, text } from './account.forms.ts';
import { applyToTeach, decideApplication, myApplications, pendingApplications } from './application.service.ts';
import { applyToTeachPolicy, reviewApplicationsPolicy } from './policy.ts';
import { ACCOUNT_LIMITS } from './user.ts';
import { ApplicationsReviewView, ApplyView } from './views/application-pages.tsx';

interface ApplyFields {
  chosen: string[];
  qualifications: string;
  statement: string;
}

// The service says in the form when a text is too long, so the schema lets twice the limit through to reach it.
const ApplyBody = form({
  subjects: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 200 })),
  qualifications: field(2 * ACCOUNT_LIMITS.qualifications),
  statement: field(2 * ACCOUNT_LIMITS.statement),
});
const APPLY = { allow: applyToTeachPolicy, signInNext: '/apply' } as const;
const REVIEW = { allow: reviewApplicationsPolicy, signInNext: '/editor/applications' } as const;

/** What was typed into /apply, without NULs, for the service or to give back. Only the first subjects chosen count. */
function applyFields(body: unknown): ApplyFields {
  const b = (body ?? {}) as FormBody;
  const raw = b.subjects;
  const chosen = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .filter((s): s is string => typeof s === 'string')
    .slice(0, ACCOUNT_LIMITS.subjects)
    .map((s) => s.replaceAll('\u0000', ''));
  return {
    chosen,
    qualifications: formField(b, 'qualifications', 2 * ACCOUNT_LIMITS.qualifications),
    statement: formField(b, 'statement', 2 * ACCOUNT_LIMITS.statement),
  };
}

/** /apply for students; /editor/applications for editors and admins. */
export function applicationRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const https = ctx.session.https;
  const db = ctx.database.db;
  return async (app) => {
    const applyPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      fields: ApplyFields,
      extra: { issues?: FieldIssue[]; sent?: boolean } = {},
      status = 200,
    ) => {
      const viewer = signedIn(request);
      const [subjects, mine] = [await listSubjects(db), await myApplications(db, viewer.userId)];
      return sendHtml(
        reply,
        <ApplyView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, https)}
          subjects={subjects}
          mine={mine}
          {...fields}
          {...extra}
        />,
        status,
      );
    };

    app.get('/apply', { schema: { querystring: Type.Object({ sent: parsed }) }, config: APPLY }, async (request, reply) => {
      // After a successful post (post/redirect/get): the page says the application was sent.
      const sent = request.query.sent === '1';
      return applyPage(request, reply, { chosen: [], qualifications: '', statement: '' }, sent ? { sent: true } : {});
    });

    app.post(
      '/apply',
      {
        schema: { body: ApplyBody },
        config: {
          ...APPLY,
          onExpiredForm: async (request, reply) => {
            const issues = [{ field: 'statement', message: 'This form had expired, so nothing was sent. Please send it again.' }];
            return applyPage(request, reply, applyFields(request.body), { issues }, 403);
          },
        },
      },
      async (request, reply) => {
        const fields = applyFields(request.body);
        const input = { subjects: fields.chosen, qualifications: fields.qualifications, statement: fields.statement };
        const result = await applyToTeach(db, signedIn(request), input, ctx.clock);
        if (result.kind === 'forbidden')
          return sendHtml(reply, errorPage(ctx.site, 403, { title: applyToTeachPolicy.refusal }, request.viewer), 403);
        if (result.kind === 'invalid') return applyPage(request, reply, fields, { issues: result.issues }, 400);
        return reply.redirect('/apply?sent=1', 303);
      },
    );

    const review = async (request: FastifyRequest, reply: FastifyReply, message?: string) => {
      const viewer = signedIn(request);
      const pending = await pendingApplications(db, viewer);
      if (pending === null) return sendHtml(reply, errorPage(ctx.site, 403, { title: reviewApplicationsPolicy.refusal }, viewer), 403);
      return sendHtml(
        reply,
        <ApplicationsReviewView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, https)}
          pending={pending}
          message={message}
        />,
      );
    };

    app.get('/editor/applications', { config: REVIEW }, async (request, reply) => review(request, reply, takeFlash(request, reply, https)));

    app.post(
      '/editor/applications/:id',
      {
        schema: { params: IdParams, body: form({ decision: field(10), note: field(ACCOUNT_LIMITS.note) }) },
        config: { ...REVIEW, onExpiredForm: (request, reply) => review(request, reply, 'That form had expired, so nothing was decided.') },
      },
      async (request, reply) => {
        const viewer = signedIn(request);
        const decision = request.body.decision;
        if (decision !== 'approve' && decision !== 'decline') return review(request, reply, 'Choose approve or decline.');
        const site = { name: ctx.site.name, url: ctx.site.url };
        const note = text(request.body.note);
        const result = await decideApplication(db, ctx.mailer, site, viewer, request.params.id, decision === 'approve', note, ctx.clock);
        if (result === 'forbidden')
          return sendHtml(reply, errorPage(ctx.site, 403, { title: reviewApplicationsPolicy.refusal }, viewer), 403);
        if (result === 'not_found') return sendHtml(reply, errorPage(ctx.site, 404, { title: 'No such application' }, viewer), 404);
        // Post/redirect/get: the queue shows the decision once.
        const said = result === 'already' ? 'Someone decided that one already.' : decision === 'approve' ? 'Approved.' : 'Declined.';
        setFlash(reply, said, https);
        return reply.redirect('/editor/applications', 303);
      },
    );
  };
}
