import { breadcrumbListJsonLd, Layout, SanitizedHtml, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalDate } from '../../../views/local-time.tsx';
import { Paywall, type PaywallTerms } from '../../../views/paywall.tsx';
import { type QuestionSummary, questionPath } from '../../questions/index.ts';
import { guideSocialImage } from '../../social/index.ts';
import { topicPath } from '../../subjects/index.ts';
import {
  editorGuidePath,
  type GuideSummary,
  type GuideWithTopics,
  guidePath,
  guidePdfPath,
  indexLetter,
  type SectionView,
  sectionPath,
  sortTitle,
} from '../guide.ts';

/** What search engines and the page's own parts need of a guide; never the text of a section. */
export type GuideHead = Pick<
  GuideWithTopics,
  'id' | 'slug' | 'title' | 'status' | 'subject' | 'createdAt' | 'updatedAt' | 'publishedAt' | 'topics'
>;

const GUIDES_TRAIL = [
  { href: '/', label: 'Home' },
  { href: '/guides', label: 'Study guides' },
];

/** The guide trail as schema.org BreadcrumbList: Home, Study guides, then `trail`, the page itself last. */
function guideBreadcrumbs(site: Site, trail: Array<{ href: string; label: string }>) {
  return breadcrumbListJsonLd(site, [...GUIDES_TRAIL, ...trail]);
}

function GuideCrumbs(props: { trail: Array<{ href: string; label: string }> }) {
  const trail = [...GUIDES_TRAIL, ...props.trail];
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {trail.map((c) => (
          <li key={c.href}>
            <a href={c.href}>{c.label}</a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/**
 * schema.org Article for search engines, from free text only: the description is the overview. When a part is for
 * members, the guide is marked not free and the members-only part pointed at by its CSS selector (as questions do).
 */
export function guideJsonLd(
  site: Site,
  guide: GuideHead,
  opts: { path: string; description: string; membersOnly: boolean; name?: string },
) {
  return {
    '@context': 'https://schema.org',
    '@type': 'Article',
    url: site.url + opts.path,
    headline: opts.name ?? guide.title,
    name: opts.name ?? guide.title,
    description: opts.description,
    about: { '@type': 'Thing', name: guide.subject.name },
    ...(guide.publishedAt ? { datePublished: guide.publishedAt } : {}),
    dateModified: guide.updatedAt,
    publisher: { '@type': 'Organization', name: site.name },
    isAccessibleForFree: !opts.membersOnly,
    ...(opts.membersOnly ? { hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.guide-members-only' } } : {}),
  };
}

export function GuidesIndexView(props: { site: Site; viewer?: ViewerInfo | null; guides: GuideSummary[]; canAuthor: boolean }) {
  const bySubject = new Map<string, { name: string; slug: string; guides: GuideSummary[] }>();
  for (const g of props.guides) {
    const group = bySubject.get(g.subject.slug) ?? { name: g.subject.name, slug: g.subject.slug, guides: [] };
    group.guides.push(g);
    bySubject.set(g.subject.slug, group);
  }
  const subjects = [...bySubject.values()].sort((a, b) => a.name.localeCompare(b.name));
  const sorted = [...props.guides].sort((a, b) => sortTitle(a.title).localeCompare(sortTitle(b.title)));
  const byLetter = new Map<string, GuideSummary[]>();
  for (const g of sorted) {
    const letter = indexLetter(g.title);
    byLetter.set(letter, [...(byLetter.get(letter) ?? []), g]);
  }
  const letters = [...byLetter.keys()].sort((a, b) => (a === '#' ? 1 : b === '#' ? -1 : a.localeCompare(b)));
  const letterId = (l: string) => (l === '#' ? 'letter-other' : `letter-${l.toLowerCase()}`);
  return (
    <Layout
      site={props.site}
      viewer={props.viewer}
      title="Study guides"
      description="Study guides written by Scholia's educators: summaries, themes, characters, key terms and analysis, A to Z and by subject."
      canonicalPath="/guides"
    >
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <ol>
          <li>
            <a href="/">Home</a>
          </li>
        </ol>
      </nav>
      <h1>Study guides</h1>
      <p class="muted">Summaries, themes, characters, key terms and analysis, written and checked by Scholia's educators and editors.</p>
      {props.canAuthor ? (
        <p>
          <a href="/editor/guides">Write and edit study guides</a>
        </p>
      ) : null}
      {props.guides.length === 0 ? (
        <p>No study guides are published yet.</p>
      ) : (
        <>
          <nav aria-label="On this page" class="guide-jump">
            <a href="#by-subject">By subject</a> · <a href="#a-z">A–Z</a>
          </nav>
          <h2 id="by-subject">By subject</h2>
          {subjects.map((s) => (
            <section key={s.slug} aria-labelledby={`subject-${s.slug}`}>
              <h3 id={`subject-${s.slug}`}>{s.name}</h3>
              <ul class="guide-list">
                {s.guides.map((g) => (
                  <li key={g.id}>
                    <a href={guidePath(g)}>{g.title}</a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
          <h2 id="a-z">A–Z</h2>
          <nav aria-label="Letters" class="guide-letters">
            <ul>
              {letters.map((l) => (
                <li key={l}>
                  <a href={`#${letterId(l)}`}>{l === '#' ? 'Other' : l}</a>
                </li>
              ))}
            </ul>
          </nav>
          {letters.map((l) => (
            <section key={l} aria-labelledby={letterId(l)}>
              <h3 id={letterId(l)}>{l === '#' ? 'Other' : l}</h3>
              <ul class="guide-list">
                {(byLetter.get(l) ?? []).map((g) => (
                  <li key={g.id}>
                    <a href={guidePath(g)}>{g.title}</a> <span class="meta">{g.subject.name}</span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </Layout>
  );
}

function MembersBadge() {
  return <span class="badge members-badge">Members only</span>;
}

function Related(props: { guide: GuideHead; related: QuestionSummary[] }) {
  return (
    <aside class="related guide-related" aria-labelledby="related-title">
      <h2 id="related-title">Related questions</h2>
      {props.related.length > 0 ? (
        <ul>
          {props.related.map((r) => (
            <li key={r.id}>
              <a href={questionPath(r)}>{r.title}</a>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No related questions yet.</p>
      )}
      <p>
        <a href={`/subjects/${props.guide.subject.slug}`}>More {props.guide.subject.name} questions</a>
      </p>
      <p>
        <a href="/guides">All study guides</a>
      </p>
    </aside>
  );
}

/** Download for members; a plain line for everyone else (the PDF holds every section). */
function DownloadLine(props: { guide: GuideHead; canDownload: boolean }) {
  return props.canDownload ? (
    <a href={guidePdfPath(props.guide)} download>
      Download this guide (PDF)
    </a>
  ) : (
    <span>
      Members can download this guide as a PDF. <a href="/membership">About membership</a>
    </span>
  );
}

function DraftNotice(props: { guide: GuideHead }) {
  return props.guide.status === 'draft' ? (
    <p class="form-error" role="note">
      This guide is a draft: only editors and admins can see it. <a href={editorGuidePath(props.guide)}>Edit and publish it</a>
    </p>
  ) : null;
}

export function GuidePageView(props: {
  site: Site;
  viewer?: ViewerInfo | null;
  guide: GuideHead;
  overviewHtml: string;
  sections: SectionView[];
  related: QuestionSummary[];
  description: string;
  /** The call to start the trial, when a section is gated for this reader. */
  terms?: PaywallTerms;
  canDownload: boolean;
  canAuthor: boolean;
}) {
  const { guide, site } = props;
  const membersOnly = props.sections.some((s) => s.membersOnly);
  return (
    <Layout
      site={site}
      viewer={props.viewer}
      title={`${guide.title}: study guide`}
      description={props.description}
      canonicalPath={guidePath(guide)}
      jsonLd={[
        guideJsonLd(site, guide, { path: guidePath(guide), description: props.description, membersOnly }),
        guideBreadcrumbs(site, [{ href: guidePath(guide), label: guide.title }]),
      ]}
      socialImage={guide.status === 'published' ? guideSocialImage(guide, site.name) : undefined}
    >
      <GuideCrumbs trail={[]} />
      <DraftNotice guide={guide} />
      <div class="layout">
        <article class="guide">
          <header class="card">
            <p class="label">Study guide</p>
            <h1>{guide.title}</h1>
            <p class="meta">
              <a href={`/subjects/${guide.subject.slug}`}>{guide.subject.name}</a> · Updated <LocalDate iso={guide.updatedAt} />
            </p>
            {guide.topics.length > 0 ? (
              <ul class="topics" aria-label="Topics">
                {guide.topics.map((t) => (
                  <li key={t.id}>
                    <a href={topicPath(guide.subject.slug, t.slug)}>{t.name}</a>
                  </li>
                ))}
              </ul>
            ) : null}
            <p class="guide-actions">
              <DownloadLine guide={guide} canDownload={props.canDownload} />
              {props.canAuthor ? (
                <>
                  {' · '}
                  <a href={editorGuidePath(guide)}>Edit this guide</a>
                </>
              ) : null}
            </p>
          </header>
          <section class="card" aria-labelledby="overview-title">
            <h2 id="overview-title">Overview</h2>
            <SanitizedHtml class="prose" html={props.overviewHtml} />
          </section>
          <nav class="card guide-toc" aria-labelledby="contents-title">
            <h2 id="contents-title">Contents</h2>
            <ol>
              {props.sections.map((s) => (
                <li key={s.slug}>
                  <a href={sectionPath(guide, s)}>{s.title}</a> {s.membersOnly ? <MembersBadge /> : null}
                </li>
              ))}
            </ol>
          </nav>
          {props.sections.map((s) => (
            <section class="card guide-section" id={`section-${s.slug}`} aria-labelledby={`title-${s.slug}`} key={s.slug}>
              <h2 id={`title-${s.slug}`}>
                <a href={sectionPath(guide, s)}>{s.title}</a> {s.membersOnly ? <MembersBadge /> : null}
              </h2>
              <SanitizedHtml class={`prose${s.membersOnly ? ' guide-members-only' : ''}${s.gated ? ' gated-preview' : ''}`} html={s.html} />
              {s.gated ? (
                <p class="gated-note">
                  The rest of this section is for members. <a href="#guide-paywall">Start your free trial</a> to read it.
                </p>
              ) : null}
            </section>
          ))}
          {props.terms ? (
            <div id="guide-paywall">
              <Paywall terms={props.terms} id="guide-paywall-title" heading="Read the whole study guide" level={2} />
            </div>
          ) : null}
        </article>
        <div>
          <Related guide={guide} related={props.related} />
        </div>
      </div>
    </Layout>
  );
}

export function SectionPageView(props: {
  site: Site;
  viewer?: ViewerInfo | null;
  guide: GuideHead;
  section: SectionView;
  sections: Array<{ slug: string; title: string; membersOnly: boolean }>;
  related: QuestionSummary[];
  description: string;
  terms?: PaywallTerms;
  canDownload: boolean;
  canAuthor: boolean;
}) {
  const { guide, section, site } = props;
  const i = props.sections.findIndex((s) => s.slug === section.slug);
  const prev = i > 0 ? props.sections[i - 1] : undefined;
  const next = i >= 0 && i < props.sections.length - 1 ? props.sections[i + 1] : undefined;
  const path = sectionPath(guide, section);
  return (
    <Layout
      site={site}
      viewer={props.viewer}
      title={`${section.title}: ${guide.title} study guide`}
      description={props.description}
      canonicalPath={path}
      jsonLd={[
        guideJsonLd(site, guide, {
          path,
          description: props.description,
          membersOnly: section.membersOnly,
          name: `${guide.title}: ${section.title}`,
        }),
        guideBreadcrumbs(site, [
          { href: guidePath(guide), label: guide.title },
          { href: path, label: section.title },
        ]),
      ]}
      socialImage={guide.status === 'published' ? guideSocialImage(guide, site.name) : undefined}
    >
      <GuideCrumbs trail={[{ href: guidePath(guide), label: guide.title }]} />
      <DraftNotice guide={guide} />
      <div class="layout">
        <article class="guide">
          <p class="label">Study guide</p>
          <h1>
            <a href={guidePath(guide)}>{guide.title}</a>
          </h1>
          <p class="meta">
            <a href={`/subjects/${guide.subject.slug}`}>{guide.subject.name}</a> · Updated <LocalDate iso={guide.updatedAt} /> ·{' '}
            <DownloadLine guide={guide} canDownload={props.canDownload} />
          </p>
          <section class="card guide-section" aria-labelledby="section-title">
            <h2 id="section-title">
              {section.title} {section.membersOnly ? <MembersBadge /> : null}
            </h2>
            <SanitizedHtml
              class={`prose${section.membersOnly ? ' guide-members-only' : ''}${section.gated ? ' gated-preview' : ''}`}
              html={section.html}
            />
            {props.terms ? <Paywall terms={props.terms} id="paywall-title" heading="Read the whole section" level={3} /> : null}
          </section>
          <nav class="pager" aria-label="Sections">
            {prev ? (
              <a href={sectionPath(guide, prev)} rel="prev">
                ← {prev.title}
              </a>
            ) : (
              <a href={guidePath(guide)}>← Overview</a>
            )}
            {next ? (
              <a href={sectionPath(guide, next)} rel="next">
                {next.title} →
              </a>
            ) : null}
          </nav>
        </article>
        <div>
          <nav class="related guide-toc" aria-labelledby="contents-title">
            <h2 id="contents-title">In this guide</h2>
            <ol>
              <li>
                <a href={guidePath(guide)}>Overview</a>
              </li>
              {props.sections.map((s) => (
                <li key={s.slug}>
                  {s.slug === section.slug ? <span aria-current="page">{s.title}</span> : <a href={sectionPath(guide, s)}>{s.title}</a>}{' '}
                  {s.membersOnly ? <MembersBadge /> : null}
                </li>
              ))}
            </ol>
          </nav>
          <Related guide={guide} related={props.related} />
        </div>
      </div>
    </Layout>
  );
}

/** 403 for a download by a reader without membership: what members get, and the trial. */
export function DownloadRefusedView(props: { site: Site; viewer?: ViewerInfo | null; guide: GuideHead; terms: PaywallTerms }) {
  return (
    <Layout site={props.site} viewer={props.viewer} title={`Download ${props.guide.title}`}>
      <GuideCrumbs trail={[{ href: guidePath(props.guide), label: props.guide.title }]} />
      <h1>Downloads are for members</h1>
      <p>
        Members download every study guide as a PDF, with every section in full. You can still read the overview and the free sections of{' '}
        <a href={guidePath(props.guide)}>{props.guide.title}</a> here.
      </p>
      <Paywall terms={props.terms} id="paywall-title" heading="Download this guide and read every section" level={2} />
    </Layout>
  );
}
