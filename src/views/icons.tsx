/**
 * The site's icons: inline SVG drawn on a 24-unit grid with 2-unit round strokes, in the text colour
 * (currentColor), so they follow links, buttons and the dark scheme. Decoration only: each is aria-hidden and the
 * control it sits in says what it does in words (shown or visually hidden). Inline rather than a sprite file: a
 * page uses a few, each a hundred bytes, and no request waits for them.
 */

type IconName = 'bell' | 'search' | 'menu' | 'bookmark' | 'check' | 'person' | 'chevron-down';

const PATHS: Record<IconName, string> = {
  bell: 'M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14ZM21 21l-5.05-5.05',
  menu: 'M4 6h16M4 12h16M4 18h16',
  bookmark: 'M18 21l-6-4.5L6 21V5a2 2 0 0 1 2-2h8a2 2 0 0 1 2 2Z',
  check: 'M20 6 9 17l-5-5',
  person: 'M20 21a8 8 0 0 0-16 0M12 13a5 5 0 1 0 0-10 5 5 0 0 0 0 10',
  'chevron-down': 'm6 9 6 6 6-6',
};

export function Icon(props: { name: IconName; size?: number; class?: string }) {
  const size = props.size ?? 20;
  return (
    <svg
      class={props.class ? `icon ${props.class}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d={PATHS[props.name]} />
    </svg>
  );
}

export const BellIcon = (props: { size?: number }) => <Icon name="bell" size={props.size} />;
export const SearchIcon = (props: { size?: number }) => <Icon name="search" size={props.size} />;
export const MenuIcon = (props: { size?: number }) => <Icon name="menu" size={props.size} />;
export const BookmarkIcon = (props: { size?: number }) => <Icon name="bookmark" size={props.size} />;
export const CheckIcon = (props: { size?: number }) => <Icon name="check" size={props.size} />;

/**
 * Scholia's mark: an open book with a note in its margin (scholia are the notes readers wrote in the margins of
 * classical texts). The same drawing as public/favicon.svg, coloured by the stylesheet (.logo-*) so it follows the
 * scheme. Decoration beside the wordmark, which carries the name.
 */
export function LogoMark(props: { size?: number }) {
  const size = props.size ?? 32;
  return (
    <svg class="logo-mark" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect class="logo-tile" width="32" height="32" rx="8" />
      <path class="logo-page" d={LOGO_LEFT_PAGE} />
      <path class="logo-page" d={LOGO_RIGHT_PAGE} />
      <path class="logo-lines" d={LOGO_LINES} />
      <circle class="logo-note" cx="24" cy="8.6" r="3.4" />
    </svg>
  );
}

// Shared with public/favicon.svg (test/design.test.ts checks that the two drawings stay the same).
export const LOGO_LEFT_PAGE = 'M15 11.2C12.6 9.7 9.6 9 6 9.2v13.6c3.6-.2 6.6.5 9 2Z';
export const LOGO_RIGHT_PAGE = 'M17 11.2c2.4-1.5 5.4-2.2 9-2v13.6c-3.6-.2-6.6.5-9 2Z';
export const LOGO_LINES =
  'M8.4 12.9c1.8 0 3.3.4 4.6 1.1M8.4 16.3c1.8 0 3.3.4 4.6 1.1M8.4 19.7c1.8 0 3.3.4 4.6 1.1M19 17.4c1.3-.7 2.8-1.1 4.6-1.1M19 20.8c1.3-.7 2.8-1.1 4.6-1.1';
