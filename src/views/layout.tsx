import type { ComponentChildren } from 'preact';

/** What every page needs to know about the site. */
export interface Site {
  name: string;
  url: string;
  cssUrl: string;
  faviconUrl: string;
  /** The search boxes' island (suggestions while typing); without it the boxes are plain forms. */
  searchScriptUrl?: string;
}

/** What the header shows of the signed-in person (null or absent: a visitor). */
export interface ViewerInfo {
  name: string;
  role?: string;
  /** Unread notifications (the bell in the header). */
  unread?: number;
  trial?: { endsAt: string; hoursLeft: number; canceled: boolean; csrfToken: string };
}

/** The running trial: time left, and cancel (or resume) in one click. */
function TrialBannerView(props: { trial: NonNullable<ViewerInfo['trial']> }) {
  const { trial } = props;
  const hours = trial.hoursLeft;
  const left = hours >= 1 ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : 'less than an hour';
  return (
    <section class="trial-banner" aria-label="Your free trial">
      <div class="wrap">
        {trial.canceled ? (
          <>
            Your free trial is canceled; you can read everything for {left} more. It will not turn into a charge.{' '}
            <form method="post" action="/membership/resume" class="inline-form">
              <input type="hidden" name="_csrf" value={trial.csrfToken} />
              <button type="submit" class="link-button">
                Resume
              </button>
            </form>
          </>
        ) : (
          <>
            Free trial: {left} left.{' '}
            <form method="post" action="/membership/cancel" class="inline-form">
              <input type="hidden" name="_csrf" value={trial.csrfToken} />
              <button type="submit" class="link-button">
                Cancel trial
              </button>
            </form>
          </>
        )}
      </div>
    </section>
  );
}

export interface LayoutProps {
  site: Site;
  viewer?: ViewerInfo | null;
  title: string;
  description?: string;
  /** Path of the canonical URL (made absolute with the site URL). */
  canonicalPath?: string;
  nextPath?: string;
  prevPath?: string;
  /** The header search box is left out where the page has its own (home, search). */
  headerSearch?: boolean;
  searchQuery?: string;
  /** schema.org data for search engines (one object or several); only free text may go in it (see decision 0006). */
  jsonLd?: object | object[];
  /** OpenGraph type: 'article' for question and guide pages, 'website' otherwise. */
  ogType?: 'website' | 'article';
  children: ComponentChildren;
}

/**
 * The Atom feed that mirrors a page's list of questions (served by modules/reach), found from the page's canonical
 * path so the pages need not say it: the home page has the site's feed, a subject's first page that subject's.
 * Older pages of a subject have no canonical path and point at no feed.
 */
export function feedPathFor(canonicalPath: string | undefined): string | undefined {
  if (canonicalPath === '/') return '/feed.xml';
  if (canonicalPath && /^\/subjects\/[a-z0-9-]+$/.test(canonicalPath)) return `${canonicalPath}/feed.xml`;
  return undefined;
}

/** JSON inside a script element: `<` escaped so no text can close the element (one scan when there is none). */
const SCRIPT_UNSAFE = /[<\u2028\u2029]/;
const SCRIPT_UNSAFE_ALL = /[<\u2028\u2029]/g;
const SCRIPT_ESCAPES: Record<string, string> = { '<': '\\u003c', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function jsonForScript(data: object): string {
  const json = JSON.stringify(data);
  return SCRIPT_UNSAFE.test(json) ? json.replace(SCRIPT_UNSAFE_ALL, (c) => SCRIPT_ESCAPES[c] as string) : json;
}

export function SearchForm(props: { id: string; query?: string; large?: boolean }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is too new for some screen readers we support; the role says the same
    <form class="search-form" action="/search" method="get" role="search" aria-label="Search Scholia">
      <label class="visually-hidden" for={props.id}>
        Search questions and study guides
      </label>
      <input
        id={props.id}
        type="search"
        name="q"
        value={props.query ?? ''}
        placeholder={props.large ? 'Ask about a book, a leader, a formula…' : 'Search Scholia'}
        maxLength={500}
        autocomplete="off"
      />
      <button type="submit">Search</button>
    </form>
  );
}

/** The notification bell: an inline SVG in the text colour (an emoji showed as an empty box without an emoji font). */
function BellIcon() {
  return (
    <svg class="icon" width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linecap="round"
        stroke-linejoin="round"
        d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0"
      />
    </svg>
  );
}

export function Layout(props: LayoutProps) {
  const { site } = props;
  const fullTitle = props.title === site.name ? site.name : `${props.title} | ${site.name}`;
  const feedPath = feedPathFor(props.canonicalPath);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        {props.canonicalPath ? <link rel="canonical" href={site.url + props.canonicalPath} /> : null}
        {props.prevPath ? <link rel="prev" href={props.prevPath} /> : null}
        {props.nextPath ? <link rel="next" href={props.nextPath} /> : null}
        {feedPath ? <link rel="alternate" type="application/atom+xml" title={fullTitle} href={site.url + feedPath} /> : null}
        <meta name="color-scheme" content="light dark" />
        <link rel="stylesheet" href={site.cssUrl} />
        <link rel="icon" href={site.faviconUrl} type="image/svg+xml" />
        {/* On every page: the header's search box is on most, and the others have their own. Deferred, small, and it
            fetches nothing until someone types. */}
        {site.searchScriptUrl ? <script src={site.searchScriptUrl} defer /> : null}
        {/* Link previews (OpenGraph, Twitter): the same free text as the title and description. */}
        <meta property="og:site_name" content={site.name} />
        <meta property="og:type" content={props.ogType ?? 'website'} />
        <meta property="og:title" content={props.title} />
        {props.description ? <meta property="og:description" content={props.description} /> : null}
        {props.canonicalPath ? <meta property="og:url" content={site.url + props.canonicalPath} /> : null}
        <meta name="twitter:card" content="summary" />
        <meta name="twitter:title" content={props.title} />
        {props.description ? <meta name="twitter:description" content={props.description} /> : null}
        {(Array.isArray(props.jsonLd) ? props.jsonLd : props.jsonLd ? [props.jsonLd] : []).map((data, i) => (
          // Data, not code: browsers never run application/ld+json, and the content is escaped for the element.
          <script key={i} type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonForScript(data) }} />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        {props.viewer?.trial ? <TrialBannerView trial={props.viewer.trial} /> : null}
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/">
              Schol<span>ia</span>
            </a>
            <nav class="site-nav" aria-label="Main">
              <ul>
                <li>
                  <a href="/subjects">Subjects</a>
                </li>
                <li>
                  <a href="/guides">Guides</a>
                </li>
                {props.viewer ? (
                  <>
                    <li>
                      <a href="/ask">Ask</a>
                    </li>
                    {props.viewer.role && props.viewer.role !== 'student' ? (
                      <li>
                        <a href="/educator">Queue</a>
                      </li>
                    ) : null}
                    {props.viewer.role === 'editor' || props.viewer.role === 'admin' ? (
                      <li>
                        <a href="/editor">Review</a>
                      </li>
                    ) : null}
                    <li>
                      <a href="/notifications" class="bell">
                        <BellIcon />
                        <span class="visually-hidden">Notifications</span>
                        {props.viewer.unread ? (
                          <span class="badge">
                            {props.viewer.unread}
                            <span class="visually-hidden"> unread</span>
                          </span>
                        ) : null}
                      </a>
                    </li>
                    <li class="signed-in">
                      <a href="/account">
                        <span class="visually-hidden">Signed in as </span>
                        {props.viewer.name}
                      </a>
                    </li>
                    <li>
                      <a href="/logout">Log out</a>
                    </li>
                  </>
                ) : (
                  <>
                    <li>
                      <a href="/login">Log in</a>
                    </li>
                    <li>
                      <a class="nav-cta" href="/signup?next=%2Fmembership">
                        Start free trial
                      </a>
                    </li>
                  </>
                )}
              </ul>
            </nav>
            {props.headerSearch === false ? null : (
              <div class="header-search">
                <SearchForm id="header-search" query={props.searchQuery} />
              </div>
            )}
          </div>
        </header>
        <main id="main" class="wrap" tabIndex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>
              {site.name}: questions answered by verified educators and checked by Scholia Editorial.{' '}
              <a href="/subjects">Browse subjects</a>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/**
 * The one place stored HTML enters a page. Only HTML produced by lib/markdown.ts (sanitized at write time)
 * may be passed here.
 */
export function SanitizedHtml(props: { html: string; class?: string }) {
  // Safe: sanitized by renderMarkdown before it was stored.
  return <div class={props.class} dangerouslySetInnerHTML={{ __html: props.html }} />;
}

/** schema.org BreadcrumbList for the same trail Breadcrumbs shows, ending with the page itself. */
export function breadcrumbJsonLd(site: Site, trail: Array<{ href: string; label: string }>, current: { label: string; path: string }) {
  return breadcrumbListJsonLd(site, [
    { href: '/', label: 'Home' },
    { href: '/subjects', label: 'Subjects' },
    ...trail,
    { href: current.path, label: current.label },
  ]);
}

/** schema.org BreadcrumbList of a whole trail, the page itself last. */
export function breadcrumbListJsonLd(site: Site, items: ReadonlyArray<{ href: string; label: string }>) {
  return {
    '@context': 'https://schema.org',
    '@type': 'BreadcrumbList',
    itemListElement: items.map((c, i) => ({ '@type': 'ListItem', position: i + 1, name: c.label, item: site.url + c.href })),
  };
}

/** Home › Subjects › … trail; the last crumb of a page is the page itself, so it is left out. */
export function Breadcrumbs(props: { trail: Array<{ href: string; label: string }> }) {
  const trail = [{ href: '/', label: 'Home' }, { href: '/subjects', label: 'Subjects' }, ...props.trail];
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
