import type { ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { BellIcon, Icon, LogoMark, MenuIcon, SearchIcon } from './icons.tsx';
import { PageTimes } from './local-time.tsx';

/** What every page needs to know about the site. */
export interface Site {
  name: string;
  url: string;
  cssUrl: string;
  faviconUrl: string;
  /** The typeface's main file, preloaded (absent: not preloaded; the stylesheet still loads it). */
  fontUrl?: string;
  /** The logo for phones' home screens. */
  touchIconUrl?: string;
  /** The search boxes' island (suggestions while typing); without it the boxes are plain forms. */
  searchScriptUrl?: string;
  /** Closes the header's menus on Escape or a click elsewhere; without it they are plain disclosures. */
  menuScriptUrl?: string;
  /** Says the page's times in the reader's time zone; linked only on pages that show a time (LocalTime). */
  timeScriptUrl?: string;
  /** Stripe mode: members have a billing page (cards, invoices); otherwise the membership page is all there is. */
  payments?: boolean;
}

/** What the header shows of the signed-in person (null or absent: a visitor). */
export interface ViewerInfo {
  name: string;
  role?: string;
  /** A member (or trialing) reads everything and may ask; set on every page a signed-in person gets. */
  member?: boolean;
  /** For the header's Log out form; without it, Log out is a link to the page that asks to confirm. */
  csrfToken?: string;
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
  /**
   * The page's link-preview picture (modules/social: only the title and subject, never gated text), for og:image and
   * twitter:image; with it, Twitter shows the large card.
   */
  socialImage?: { path: string; alt: string; width: number; height: number; type: string };
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
      <button type="submit">
        <SearchIcon />
        <span class="search-label">Search</span>
      </button>
    </form>
  );
}

/** The page that starts the free trial in one step, for someone signed in who asked for it (the membership module). */
export const TRIAL_PATH = '/membership?start=trial';

/**
 * Where a visitor who asked for the free trial goes: sign up, confirm the address (the link keeps `next`), then the
 * page that starts the trial with one button, and from there back to `back` (the page they were reading), if any.
 */
export function trialSignUpPath(back?: string): string {
  const next = back && back !== '/' ? `${TRIAL_PATH}&back=${encodeURIComponent(back)}` : TRIAL_PATH;
  return `/signup?next=${encodeURIComponent(next)}`;
}

/** A link in one of the header's menus. */
function MenuLink(props: { href: string; children: ComponentChildren }) {
  return (
    <li>
      <a href={props.href}>{props.children}</a>
    </li>
  );
}

/** Who may ask from the header: students (who are led to the trial if they need it), members, editors and admins. */
function offersAsk(viewer: ViewerInfo): boolean {
  return viewer.role === 'student' || viewer.member === true || viewer.role === 'editor' || viewer.role === 'admin';
}

/** The pages of a role's work, for the account menu. */
function staffLinks(role: string | undefined): Array<[string, string]> {
  const links: Array<[string, string]> = [];
  const staff = role === 'educator' || role === 'editor' || role === 'admin';
  const editor = role === 'editor' || role === 'admin';
  if (staff) links.push(['/educator', 'Educator queue']);
  if (editor) links.push(['/editor', 'Review'], ['/editor/reports', 'Reports'], ['/editor/guides', 'Guides editor']);
  if (staff) links.push(['/uploads', 'Your images']);
  if (role === 'admin') links.push(['/admin', 'Admin dashboard']);
  return links;
}

/**
 * The signed-in person's menu: a <details> disclosure, so it opens with a click, Enter or Space without any
 * script (public/menu.js only adds Escape and closing on a click elsewhere). On narrow screens the summary shows
 * an icon and the name moves inside.
 */
function AccountMenu(props: { viewer: ViewerInfo; payments: boolean }) {
  const { viewer } = props;
  const staff = staffLinks(viewer.role);
  return (
    <details class="menu account-menu">
      <summary class="signed-in">
        <Icon name="person" />
        <span class="account-name">
          <span class="visually-hidden">Signed in as </span>
          {viewer.name}
        </span>
        <Icon name="chevron-down" size={16} />
      </summary>
      <div class="menu-panel">
        <p class="menu-who" aria-hidden="true">
          {viewer.name}
        </p>
        <ul>
          <MenuLink href="/account/questions">My questions</MenuLink>
          <MenuLink href="/account">Account settings</MenuLink>
          {props.payments ? (
            <MenuLink href="/account/billing">Membership and billing</MenuLink>
          ) : (
            <MenuLink href="/membership">Membership</MenuLink>
          )}
        </ul>
        {staff.length > 0 ? (
          <ul class="menu-group" aria-label="Staff">
            {staff.map(([href, label]) => (
              <MenuLink key={href} href={href}>
                {label}
              </MenuLink>
            ))}
          </ul>
        ) : null}
        {viewer.csrfToken ? (
          <form method="post" action="/logout" class="menu-group">
            <input type="hidden" name="_csrf" value={viewer.csrfToken} />
            <button type="submit" class="menu-item">
              Log out
            </button>
          </form>
        ) : (
          <ul class="menu-group">
            <MenuLink href="/logout">Log out</MenuLink>
          </ul>
        )}
      </div>
    </details>
  );
}

/**
 * The header: the brand, the main links (on phones folded into a Menu disclosure), the search box, and either
 * "Log in" and the trial for visitors or the bell and the account menu for signed-in people.
 */
function SiteHeader(props: { site: Site; viewer: ViewerInfo | null; search: boolean; searchQuery?: string }) {
  const { viewer } = props;
  const ask = viewer !== null && offersAsk(viewer);
  const trial = trialSignUpPath();
  const main = (
    <>
      <MenuLink href="/subjects">Subjects</MenuLink>
      <MenuLink href="/guides">Guides</MenuLink>
      {ask ? <MenuLink href="/ask">Ask</MenuLink> : null}
    </>
  );
  return (
    <header class="site-header">
      <div class="wrap">
        <details class="menu nav-menu">
          <summary class="menu-button">
            <MenuIcon size={22} />
            <span class="visually-hidden">Menu</span>
          </summary>
          <nav class="menu-panel" aria-label="Main">
            <ul>
              {main}
              {viewer ? null : <MenuLink href="/login">Log in</MenuLink>}
            </ul>
          </nav>
        </details>
        <a class="brand" href="/">
          <LogoMark size={30} />
          <span class="brand-name">{props.site.name}</span>
        </a>
        <nav class="site-nav" aria-label="Main">
          <ul>{main}</ul>
        </nav>
        {props.search ? (
          <div class="header-search">
            <SearchForm id="header-search" query={props.searchQuery} />
          </div>
        ) : null}
        <div class="header-actions">
          {viewer ? (
            <>
              <a href="/notifications" class="bell">
                <BellIcon />
                <span class="visually-hidden">Notifications</span>
                {viewer.unread ? (
                  <span class="badge">
                    {viewer.unread}
                    <span class="visually-hidden"> unread</span>
                  </span>
                ) : null}
              </a>
              <AccountMenu viewer={viewer} payments={props.site.payments === true} />
            </>
          ) : (
            <>
              <a class="nav-login" href="/login">
                Log in
              </a>
              <a class="nav-cta" href={trial}>
                Start free trial
              </a>
            </>
          )}
        </div>
      </div>
    </header>
  );
}

/**
 * The part of every page that shows who is reading it: the trial banner and the header. Nothing else in Layout
 * depends on the viewer, which is what lets a page shared by all members be kept with this part left to fill in per
 * request (modules/questions/member-pages.ts).
 */
export function ViewerChrome(props: { site: Site; viewer: ViewerInfo | null; search: boolean; searchQuery?: string | undefined }) {
  return (
    <>
      {props.viewer?.trial ? <TrialBannerView trial={props.viewer.trial} /> : null}
      <SiteHeader site={props.site} viewer={props.viewer} search={props.search} searchQuery={props.searchQuery} />
    </>
  );
}

/** public/time.js, after the content, on pages where a LocalTime was rendered. */
function TimeScript(props: { url?: string }) {
  const times = useContext(PageTimes);
  return props.url && times?.used ? <script src={props.url} defer /> : null;
}

export function Layout(props: LayoutProps) {
  const { site } = props;
  const fullTitle = props.title === site.name ? site.name : `${props.title} | ${site.name}`;
  const feedPath = feedPathFor(props.canonicalPath);
  // Set while the page's content renders, read by TimeScript after it (see PageTimes).
  const times = { used: false };
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
        {/* The typeface's one file for upright text, fetched with the stylesheet rather than after it (app.css has its
            @font-face, font-display: swap). crossorigin: fonts are always fetched in CORS mode. */}
        {site.fontUrl ? <link rel="preload" href={site.fontUrl} as="font" type="font/woff2" crossorigin="anonymous" /> : null}
        <link rel="stylesheet" href={site.cssUrl} />
        <link rel="icon" href={site.faviconUrl} type="image/svg+xml" />
        {site.touchIconUrl ? <link rel="apple-touch-icon" href={site.touchIconUrl} /> : null}
        {/* On every page: the header's search box is on most, and the others have their own. Deferred, small, and it
            fetches nothing until someone types. */}
        {site.searchScriptUrl ? <script src={site.searchScriptUrl} defer /> : null}
        {/* Link previews (OpenGraph, Twitter): the same free text as the title and description. */}
        <meta property="og:site_name" content={site.name} />
        <meta property="og:type" content={props.ogType ?? 'website'} />
        <meta property="og:title" content={props.title} />
        {props.description ? <meta property="og:description" content={props.description} /> : null}
        {props.canonicalPath ? <meta property="og:url" content={site.url + props.canonicalPath} /> : null}
        {props.socialImage ? (
          <>
            <meta property="og:image" content={site.url + props.socialImage.path} />
            <meta property="og:image:type" content={props.socialImage.type} />
            <meta property="og:image:width" content={String(props.socialImage.width)} />
            <meta property="og:image:height" content={String(props.socialImage.height)} />
            <meta property="og:image:alt" content={props.socialImage.alt} />
          </>
        ) : null}
        <meta name="twitter:card" content={props.socialImage ? 'summary_large_image' : 'summary'} />
        <meta name="twitter:title" content={props.title} />
        {props.description ? <meta name="twitter:description" content={props.description} /> : null}
        {props.socialImage ? <meta name="twitter:image" content={site.url + props.socialImage.path} /> : null}
        {props.socialImage ? <meta name="twitter:image:alt" content={props.socialImage.alt} /> : null}
        {(Array.isArray(props.jsonLd) ? props.jsonLd : props.jsonLd ? [props.jsonLd] : []).map((data, i) => (
          // Data, not code: browsers never run application/ld+json, and the content is escaped for the element.
          <script key={i} type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonForScript(data) }} />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <ViewerChrome site={site} viewer={props.viewer ?? null} search={props.headerSearch !== false} searchQuery={props.searchQuery} />
        <PageTimes.Provider value={times}>
          <main id="main" class="wrap" tabIndex={-1}>
            {props.children}
          </main>
          <footer class="site-footer">
            <div class="wrap">
              <p class="footer-brand">
                <LogoMark size={24} />
                <span>
                  <strong>{site.name}</strong>: questions answered by verified educators and checked by Scholia Editorial.
                </span>
              </p>
              <nav aria-label="Site">
                <ul class="footer-links">
                  <li>
                    <a href="/subjects">Subjects</a>
                  </li>
                  <li>
                    <a href="/guides">Study guides</a>
                  </li>
                  <li>
                    <a href="/membership">Membership</a>
                  </li>
                  <li>
                    <a href="/search">Search</a>
                  </li>
                </ul>
              </nav>
            </div>
          </footer>
          {site.menuScriptUrl ? <script src={site.menuScriptUrl} defer /> : null}
          <TimeScript url={site.timeScriptUrl} />
        </PageTimes.Provider>
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
