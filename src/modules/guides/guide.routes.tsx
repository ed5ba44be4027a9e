import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { markdownToText } from '../../lib/markdown.ts';
import { truncate } from '../../lib/text.ts';
import type { RouteContext } from '../../platform/context.ts';
import { errorPage } from '../../platform/errors.tsx';
import { sendHtml } from '../../platform/html.ts';
import { csrfToken } from '../../platform/session.ts';
import type { PaywallTerms } from '../../views/paywall.tsx';
import { questionsForGuide } from '../questions/index.ts';
import { editorGuideRoutes } from './editor-guides.routes.tsx';
import { editorHistoryRoutes } from './editor-history.routes.tsx';
import { editorSectionRoutes } from './editor-sections.routes.tsx';
import { canAuthorGuides } from './guide.policy.ts';
import { GuideSlugParams, SectionSlugParams } from './guide.schema.ts';
import { getGuide, guidePdfImages, listPublishedGuides, presentSections } from './guide.service.ts';
import { type Guide, type GuideWithTopics, guidePath, mayDownload, type SectionView } from './guide.ts';
import { renderGuidePdf } from './guide-pdf.ts';
import { DownloadRefusedView, type GuideHead, GuidePageView, GuidesIndexView, SectionPageView } from './views/guide-pages.tsx';

/**
 * Reading: /guides, /guides/:slug (overview, contents, every section as this reader may see it),
 * /guides/:slug/:section, and /guides/:slug.pdf for members. Authoring lives under /editor/guides.
 */
export function guideRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  const db = ctx.database.db;
  return async (app) => {
    await app.register(editorGuideRoutes(ctx));
    await app.register(editorSectionRoutes(ctx));
    await app.register(editorHistoryRoutes(ctx));

    const notFound = (request: FastifyRequest, reply: FastifyReply) =>
      sendHtml(
        reply,
        errorPage(
          ctx.site,
          404,
          {
            title: 'We could not find that study guide',
            message: 'It may have been unpublished, or the link may be mistyped. Every published guide is listed at /guides.',
          },
          request.viewer,
        ),
        404,
      );

    /** The call to start the trial, in the terms of the question paywall (Stripe mode or local mode). */
    const termsFor = (request: FastifyRequest, reply: FastifyReply, returnPath: string): PaywallTerms => ({
      trialHours: ctx.config.trialHours,
      cardTrial: ctx.billing !== null,
      reminderHours: ctx.config.trialReminderHours,
      signedIn: request.viewer !== null,
      ...(request.viewer ? { csrfToken: csrfToken(request, reply, ctx.session.https) } : {}),
      returnPath,
    });

    // Membership was looked up once for the page by the membership module (registerMembershipOnViewer).
    const member = (request: FastifyRequest) => ({ member: request.viewer?.member === true });

    /** Each section as this reader may see it, cut by the one gate (presentSections); the view gets nothing else. */
    const sectionViews = (request: FastifyRequest, guide: Guide): Promise<SectionView[]> =>
      presentSections(ctx.caches.previews, member(request), guide);

    /** Only what the page shows of the guide itself: the views never hold a section's text they were not given. */
    const headOf = (g: GuideWithTopics): GuideHead => ({
      id: g.id,
      slug: g.slug,
      title: g.title,
      status: g.status,
      subject: g.subject,
      createdAt: g.createdAt,
      updatedAt: g.updatedAt,
      publishedAt: g.publishedAt,
      topics: g.topics,
    });

    // Descriptions (meta and JSON-LD) come from the overview only, which is free to read.
    const describe = (guide: Guide) => truncate(markdownToText(guide.overview), 160);

    app.get('/guides', { config: { allow: 'anyone' } }, async (request, reply) =>
      sendHtml(
        reply,
        <GuidesIndexView
          site={ctx.site}
          viewer={request.viewer}
          guides={await listPublishedGuides(db)}
          canAuthor={canAuthorGuides(request.viewer)}
        />,
      ),
    );

    const pdf = async (request: FastifyRequest, reply: FastifyReply, slug: string) => {
      const canAuthor = canAuthorGuides(request.viewer);
      const guide = await getGuide(db, slug, { includeDrafts: canAuthor });
      if (!guide) return notFound(request, reply);
      // Editors and admins check the PDF of what they write; everyone else needs a membership.
      if (!mayDownload(member(request)) && !canAuthor) {
        return sendHtml(
          reply,
          <DownloadRefusedView
            site={ctx.site}
            viewer={request.viewer}
            guide={headOf(guide)}
            terms={termsFor(request, reply, guidePath(guide))}
          />,
          403,
        );
      }
      const body = await renderGuidePdf({
        title: guide.title,
        subjectName: guide.subject.name,
        overview: guide.overview,
        sections: guide.sections,
        updatedAt: guide.updatedAt,
        siteName: ctx.site.name,
        url: ctx.site.url + guidePath(guide),
        images: await guidePdfImages({ db, blobs: ctx.images.blobs }, guide),
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${guide.slug}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(body);
    };

    app.get('/guides/:slug', { schema: { params: GuideSlugParams }, config: { allow: 'anyone' } }, async (request, reply) => {
      const raw = request.params.slug;
      if (raw.endsWith('.pdf')) return pdf(request, reply, raw.slice(0, -4));
      const canAuthor = canAuthorGuides(request.viewer);
      const guide = await getGuide(db, raw, { includeDrafts: canAuthor });
      if (!guide) return notFound(request, reply);
      const sections = await sectionViews(request, guide);
      return sendHtml(
        reply,
        <GuidePageView
          site={ctx.site}
          viewer={request.viewer}
          guide={headOf(guide)}
          overviewHtml={guide.overviewHtml}
          sections={sections}
          related={await questionsForGuide(db, guide)}
          description={describe(guide)}
          terms={sections.some((s) => s.gated) ? termsFor(request, reply, guidePath(guide)) : undefined}
          canDownload={mayDownload(member(request)) || canAuthor}
          canAuthor={canAuthor}
        />,
      );
    });

    app.get('/guides/:slug/:section', { schema: { params: SectionSlugParams }, config: { allow: 'anyone' } }, async (request, reply) => {
      const { slug, section: sectionSlug } = request.params;
      const canAuthor = canAuthorGuides(request.viewer);
      const guide = await getGuide(db, slug, { includeDrafts: canAuthor });
      const views = guide ? await sectionViews(request, guide) : [];
      const section = views.find((s) => s.slug === sectionSlug);
      if (!guide || !section) return notFound(request, reply);
      const path = `${guidePath(guide)}/${section.slug}`;
      return sendHtml(
        reply,
        <SectionPageView
          site={ctx.site}
          viewer={request.viewer}
          guide={headOf(guide)}
          section={section}
          sections={views.map((s) => ({ slug: s.slug, title: s.title, membersOnly: s.membersOnly }))}
          related={await questionsForGuide(db, guide)}
          description={describe(guide)}
          terms={section.gated ? termsFor(request, reply, path) : undefined}
          canDownload={mayDownload(member(request)) || canAuthor}
          canAuthor={canAuthor}
        />,
      );
    });
  };
}
