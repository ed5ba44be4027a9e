import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../lib/errors.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { type FormBody, formField } from '../../platform/form-body.ts';
import { signedIn } from '../../platform/guard.tsx';
import { sendHtml } from '../../platform/html.ts';
import { field, form, IdParams } from '../../platform/schemas.ts';
import { csrfToken } from '../../platform/session.ts';
import { managesMemberships } from './membership.policy.ts';
import { addPlan, grantComplimentary, listAllPlans, setPlanActive } from './membership.service.ts';
import { PLAN_FORM_FIELDS } from './membership.ts';
import { PlansAdminView } from './views/admin-pages.tsx';

const PlanBody = form({
  name: field(PLAN_FORM_FIELDS.name),
  interval: field(PLAN_FORM_FIELDS.interval),
  price: field(PLAN_FORM_FIELDS.price),
  currency: field(PLAN_FORM_FIELDS.currency),
  stripePriceId: field(PLAN_FORM_FIELDS.stripePriceId),
});
const GrantBody = form({ until: field(20) });
/** `?saved=1` after a change (post/redirect/get). */
const SavedQuery = Type.Object({ saved: Type.Optional(Type.String()) });

type PlanForm = { [K in keyof typeof PLAN_FORM_FIELDS]: string };
const EMPTY_PLAN: PlanForm = { name: '', interval: 'month', price: '', currency: 'USD', stripePriceId: '' };

/** The plan form as typed (NUL characters dropped); also for an expired form, which no schema has read. */
function planForm(body: FormBody | undefined): PlanForm {
  const read = (name: keyof PlanForm) => formField(body, name, PLAN_FORM_FIELDS[name]);
  return {
    name: read('name'),
    interval: read('interval'),
    price: read('price'),
    currency: read('currency'),
    stripePriceId: read('stripePriceId'),
  };
}

/** /admin/plans and complimentary memberships: what admins set up for everyone else. */
export function membershipAdminRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  // Every admin page of memberships signs a visitor in to come back to the plans.
  const admins = { allow: managesMemberships, signInNext: '/admin/plans' };
  return async (app) => {
    const plansPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      extra: { form?: PlanForm; issues?: FieldIssue[]; saved?: boolean } = {},
      status = 200,
    ) =>
      sendHtml(
        reply,
        <PlansAdminView
          site={ctx.site}
          viewer={signedIn(request)}
          csrfToken={csrfToken(request, reply, ctx.session.https)}
          plans={await listAllPlans(db)}
          form={extra.form ?? EMPTY_PLAN}
          issues={extra.issues}
          saved={extra.saved}
        />,
        status,
      );

    app.get('/admin/plans', { schema: { querystring: SavedQuery }, config: admins }, async (request, reply) =>
      plansPage(request, reply, request.query.saved === '1' ? { saved: true } : {}),
    );

    app.post(
      '/admin/plans',
      {
        schema: { body: PlanBody },
        config: {
          ...admins,
          onExpiredForm: (request, reply) =>
            plansPage(
              request,
              reply,
              {
                form: planForm(request.body as FormBody),
                issues: [{ field: 'name', message: 'This form had expired. Please add the plan again.' }],
              },
              403,
            ),
        },
      },
      async (request, reply) => {
        const typed = planForm(request.body);
        const issues = await addPlan(db, typed);
        if (issues.length > 0) return plansPage(request, reply, { form: typed, issues }, 400);
        // Post/redirect/get: the list shows the plan, and a refresh does not add it twice.
        return reply.redirect('/admin/plans?saved=1', 303);
      },
    );

    for (const [verb, active] of [
      ['withdraw', false],
      ['offer', true],
    ] as const) {
      app.post(`/admin/plans/:id/${verb}`, { schema: { params: IdParams, body: form({}) }, config: admins }, async (request, reply) => {
        await setPlanActive(db, request.params.id, active);
        return reply.redirect('/admin/plans?saved=1', 303);
      });
    }

    // Complimentary memberships, given by admins (local mode's members).
    app.post('/admin/users/:id/membership', { schema: { params: IdParams, body: GrantBody }, config: admins }, async (request, reply) => {
      const problem = await grantComplimentary(db, request.params.id, request.body.until ?? '', ctx.clock);
      if (problem)
        return sendHtml(reply, errorPage(ctx.site, 400, { title: 'Membership not given', message: problem }, request.viewer), 400);
      return reply.redirect('/admin/users?granted=1', 303);
    });
  };
}
