import { renderedHtmlToText } from '../../../lib/math.ts';
import { truncate } from '../../../lib/text.ts';
import { CheckIcon } from '../../../views/icons.tsx';
import { Breadcrumbs, breadcrumbJsonLd, Layout, SanitizedHtml, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LinkList } from '../../../views/link-list.tsx';
import { LocalDate } from '../../../views/local-time.tsx';
import { Paywall, type PaywallTerms } from '../../../views/paywall.tsx';
import { questionSocialImage } from '../../social/index.ts';
import { topicPath } from '../../subjects/index.ts';
import { type QuestionPageModel, questionPath } from '../question.ts';
import { QuestionPhotos } from './question-photos.tsx';

function Paragraphs(props: { text: string }) {
  return (
    <>
      {props.text
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p, i) => (
          <p key={i}>{p}</p>
        ))}
    </>
  );
}

/** For readers without membership: the call to start the trial under the preview of the expert answer. */
/** The trial's terms for a page whose expert answer this reader gets only as a preview (views/paywall.tsx). */
export type Gate = PaywallTerms;

/** Characters of the expert answer's visible text that the structured data carries. */
const JSON_LD_ANSWER_CHARS = 600;
/** HTML read for them: enough for that much text, so a long answer is not scanned whole on every member page. */
const JSON_LD_ANSWER_HTML = 6000;

/** The first JSON_LD_ANSWER_HTML characters of some HTML, without a tag cut in half at the end. */
function openingHtml(html: string): string {
  return html.length <= JSON_LD_ANSWER_HTML ? html : html.slice(0, JSON_LD_ANSWER_HTML).replace(/<[^>]*$/, '');
}

/**
 * schema.org QAPage for search engines. The accepted answer is the expert answer: its visible text (the preview for
 * a reader without membership, never the gated rest), its author and dates; the page marks the expert answer as the
 * part not free to read (hasPart with its CSS selector), as Google's paywalled-content guidance asks.
 */
export function questionJsonLd(site: Site, page: QuestionPageModel) {
  const url = site.url + questionPath(page);
  const answer = page.answer;
  return {
    '@context': 'https://schema.org',
    '@type': 'QAPage',
    url,
    isAccessibleForFree: false,
    hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.expert-answer-body' },
    mainEntity: {
      '@type': 'Question',
      name: page.title,
      text: page.title,
      dateCreated: page.createdAt,
      answerCount: answer ? 1 : 0,
      author: { '@type': 'Person', name: 'A student' },
      ...(answer
        ? {
            acceptedAnswer: {
              '@type': 'Answer',
              text: truncate(
                renderedHtmlToText(openingHtml(answer.body.full ? answer.body.html : answer.body.previewHtml)),
                JSON_LD_ANSWER_CHARS,
              ),
              dateCreated: answer.createdAt,
              ...(page.publishedAt ? { datePublished: page.publishedAt } : {}),
              ...(answer.updatedAt !== answer.createdAt ? { dateModified: answer.updatedAt } : {}),
              url: `${url}#expert-answer`,
              author: {
                '@type': 'Person',
                name: answer.educator.name,
                ...(answer.educator.profilePath ? { url: site.url + answer.educator.profilePath } : {}),
              },
            },
          }
        : {}),
    },
  };
}

/** A house ad, or a network snippet checked and re-written by the ads module (ads/snippet.ts) when it was added. */
export type AdView = { kind: 'house'; headline: string; body: string; linkUrl: string } | { kind: 'snippet'; html: string };

/** An ad slot; only ever rendered for readers without membership. */
function AdSlot(props: { ad: AdView; slot: string }) {
  const { ad } = props;
  return (
    <aside class="ad" data-ad-slot={props.slot} aria-label="Advertisement">
      <p class="ad-label">Advertisement</p>
      {ad.kind === 'snippet' ? (
        // Safe: stored only after the allowlist check (no inline code, scripts and frames only from
        // AD_SNIPPET_ORIGINS, which the CSP lists), and written out from the parse rather than as typed.
        <div class="ad-snippet" dangerouslySetInnerHTML={{ __html: ad.html }} />
      ) : (
        <>
          <p>
            <a href={ad.linkUrl} rel="sponsored noopener">
              {ad.headline}
            </a>
          </p>
          {ad.body ? <p>{ad.body}</p> : null}
        </>
      )}
    </aside>
  );
}

export function QuestionPageView(props: {
  site: Site;
  viewer?: ViewerInfo | null;
  /** Already gated for this viewer (presentQuestionPage): the expert answer whole, or its preview. */
  page: QuestionPageModel;
  description: string;
  gate?: Gate;
  ad?: AdView;
  /** Published study guides of the question's subject (optional: pages without any show nothing). */
  guides?: ReadonlyArray<{ href: string; title: string }>;
}) {
  const { page, site } = props;
  const { answer } = page;
  return (
    <Layout
      site={site}
      viewer={props.viewer}
      title={page.title}
      description={props.description}
      canonicalPath={questionPath(page)}
      jsonLd={[
        questionJsonLd(site, page),
        breadcrumbJsonLd(site, [{ href: `/subjects/${page.subject.slug}`, label: page.subject.name }], {
          label: page.title,
          path: questionPath(page),
        }),
      ]}
      ogType="article"
      socialImage={page.status === 'published' ? questionSocialImage(page, site.name) : undefined}
    >
      <Breadcrumbs trail={[{ href: `/subjects/${page.subject.slug}`, label: page.subject.name }]} />
      <div class="layout">
        <article>
          <section class="card" aria-labelledby="question-title">
            <p class="label">Student Question</p>
            <h1 id="question-title">{page.title}</h1>
            {page.detailsHtml ? <SanitizedHtml class="prose" html={page.detailsHtml} /> : null}
            <QuestionPhotos images={page.images} />
            <p class="meta">
              <a href={`/subjects/${page.subject.slug}`}>{page.subject.name}</a> · Asked <LocalDate iso={page.createdAt} />
            </p>
            {page.topics.length > 0 ? (
              <ul class="topics" aria-label="Topics">
                {page.topics.map((t) => (
                  <li key={t.id}>
                    <a href={topicPath(page.subject.slug, t.slug)}>{t.name}</a>
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
          {answer ? (
            <>
              <section class="card quick-answer" aria-labelledby="quick-answer-title">
                <h2 id="quick-answer-title">Quick answer</h2>
                {answer.quickAnswerHtml ? <SanitizedHtml html={answer.quickAnswerHtml} /> : <Paragraphs text={answer.quickAnswer} />}
              </section>
              <section class="card" id="expert-answer" aria-labelledby="expert-answer-title">
                <h2 id="expert-answer-title">Expert answer</h2>
                <p class="byline">
                  <span>
                    Answered by{' '}
                    <strong>
                      {answer.educator.profilePath ? (
                        <a href={answer.educator.profilePath} rel="author">
                          {answer.educator.name}
                        </a>
                      ) : (
                        answer.educator.name
                      )}
                    </strong>
                  </span>
                  {answer.approvedBy ? (
                    <span class="badge">
                      <CheckIcon />
                      Approved by Scholia Editorial
                    </span>
                  ) : null}
                  <span class="meta">
                    <LocalDate iso={answer.updatedAt} />
                  </span>
                </p>
                {answer.body.full ? (
                  <SanitizedHtml class="prose expert-answer-body" html={answer.body.html} />
                ) : (
                  <>
                    <SanitizedHtml
                      class={`prose gated-preview expert-answer-body${answer.body.cut ? '' : ' preview-whole'}`}
                      html={answer.body.previewHtml}
                    />
                    {props.gate ? <Paywall terms={props.gate} id="paywall-title" heading="Read the whole expert answer" /> : null}
                  </>
                )}
                {answer.sources.length > 0 ? (
                  <section class="sources" aria-labelledby="sources-title">
                    <h3 id="sources-title">Sources</h3>
                    <ol>
                      {answer.sources.map((s, i) => (
                        <li key={i}>
                          {s.url ? (
                            <a href={s.url} rel="nofollow ugc noopener">
                              {s.title}
                            </a>
                          ) : (
                            s.title
                          )}
                        </li>
                      ))}
                    </ol>
                  </section>
                ) : null}
              </section>
            </>
          ) : (
            <section class="card" aria-labelledby="expert-answer-title">
              <h2 id="expert-answer-title">Expert answer</h2>
              <p>An educator is working on this question.</p>
            </section>
          )}
          <p class="muted report-link">
            <a href={`/report?question=${page.id}`} rel="nofollow">
              Report a problem with this question or answer
            </a>
          </p>
        </article>
        <div>
          <aside class="related" aria-labelledby="related-title">
            <h2 id="related-title">Related questions</h2>
            {page.related.length > 0 ? (
              <ul>
                {page.related.map((r) => (
                  <li key={r.id}>
                    <a href={questionPath(r)}>{r.title}</a>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No related questions yet.</p>
            )}
            <p>
              <a href={`/subjects/${page.subject.slug}`}>More {page.subject.name} questions</a>
            </p>
          </aside>
          {props.guides && props.guides.length > 0 ? (
            <aside class="related study-guides" aria-labelledby="guides-title">
              <h2 id="guides-title">Study guides</h2>
              <LinkList links={props.guides} />
              <p>
                <a href="/guides">All study guides</a>
              </p>
            </aside>
          ) : null}
          {props.ad ? <AdSlot ad={props.ad} slot="question-sidebar" /> : null}
        </div>
      </div>
    </Layout>
  );
}
