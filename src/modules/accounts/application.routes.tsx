import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { setFlash, takeFlash } from '../../platform/flash.ts';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken, csrfValid, requireViewer } from '../../platform/session.ts';
import { listSubjects } from '../subjects/index.ts';
import { applyToTeach, decideApplication, myApplications, pendingApplications } from './application.service.ts';
import type { Viewer } from './auth.service.ts';
import { canApplyToTeach } from './policy.ts';
import { ApplicationsReviewView, ApplyView } from './views/application-pages.tsx';

/** /apply for students; /editor/applications for editors and admins. */
export function applicationRoutes(ctx: RouteContext): FastifyPluginAsync {
  const settings = ctx.session;
  const db = ctx.database.db;
  return async (app) => {
    const applyPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      viewer: Viewer,
      fields: { chosen: string[]; qualifications: string; statement: string },
      extra: { issues?: { field: string; message: string }[]; sent?: boolean } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <ApplyView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, settings.https)}
          subjects={await listSubjects(db)}
          mine={await myApplications(db, viewer.userId)}
          {...fields}
          {...extra}
        />,
        status,
      );

    app.get('/apply', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/apply');
      if (!viewer) return reply;
      if (!canApplyToTeach(viewer))
        return sendHtml(reply, errorPage(ctx.site, 403, { title: 'Editors and admins do not need to apply' }, viewer), 403);
      // After a successful post (post/redirect/get): the page says the application was sent.
      const sent = (request.query as { sent?: string } | undefined)?.sent === '1';
      return applyPage(request, reply, viewer, { chosen: [], qualifications: '', statement: '' }, sent ? { sent: true } : {});
    });

    app.post<{ Body: FormBody }>('/apply', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/apply');
      if (!viewer) return reply;
      const raw = request.body?.subjects;
      const chosen = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
        .filter((s): s is string => typeof s === 'string')
        .slice(0, 20);
      const fields = {
        chosen,
        qualifications: formField(request.body, 'qualifications', 2000),
        statement: formField(request.body, 'statement', 4000),
      };
      if (!csrfValid(request, settings.https)) {
        return applyPage(
          request,
          reply,
          viewer,
          fields,
          { issues: [{ field: 'statement', message: 'This form had expired, so nothing was sent. Please send it again.' }] },
          403,
        );
      }
      const result = await applyToTeach(
        db,
        viewer,
        { subjects: chosen, qualifications: fields.qualifications, statement: fields.statement },
        ctx.clock,
      );
      if (result.kind === 'forbidden')
        return sendHtml(reply, errorPage(ctx.site, 403, { title: 'Editors and admins do not need to apply' }, viewer), 403);
      if (result.kind === 'invalid') return applyPage(request, reply, viewer, fields, { issues: result.issues }, 400);
      return reply.redirect('/apply?sent=1', 303);
    });

    const review = async (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, message?: string) => {
      const pending = await pendingApplications(db, viewer);
      if (pending === null) return sendHtml(reply, errorPage(ctx.site, 403, { title: 'Only editors review applications' }, viewer), 403);
      return sendHtml(
        reply,
        <ApplicationsReviewView
          site={ctx.site}
          viewer={viewer}
          csrfToken={csrfToken(request, reply, settings.https)}
          pending={pending}
          message={message}
        />,
      );
    };

    app.get('/editor/applications', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/editor/applications');
      return viewer ? review(request, reply, viewer, takeFlash(request, reply, settings.https)) : reply;
    });

    app.post<{ Params: { id: string }; Body: FormBody }>('/editor/applications/:id', async (request, reply) => {
      const viewer = requireViewer(request, reply, '/editor/applications');
      if (!viewer) return reply;
      if (!csrfValid(request, settings.https)) return review(request, reply, viewer, 'That form had expired, so nothing was decided.');
      const id = /^\d{1,10}$/.test(request.params.id) ? Number(request.params.id) : 0;
      const decision = formField(request.body, 'decision', 10);
      if (decision !== 'approve' && decision !== 'decline') return review(request, reply, viewer, 'Choose approve or decline.');
      const result = await decideApplication(
        db,
        ctx.mailer,
        { name: ctx.site.name, url: ctx.site.url },
        viewer,
        id,
        decision === 'approve',
        formField(request.body, 'note', 1000),
        ctx.clock,
      );
      if (result === 'forbidden')
        return sendHtml(reply, errorPage(ctx.site, 403, { title: 'Only editors review applications' }, viewer), 403);
      if (result === 'not_found') return sendHtml(reply, errorPage(ctx.site, 404, { title: 'No such application' }, viewer), 404);
      // Post/redirect/get: the queue shows the decision once.
      setFlash(
        reply,
        result === 'already' ? 'Someone decided that one already.' : decision === 'approve' ? 'Approved.' : 'Declined.',
        settings.https,
      );
      return reply.redirect('/editor/applications', 303);
    });
  };
}
