/** Lowercase ASCII words of a text joined by hyphens; empty when the text has no letter or digit it can keep. */
function slugWords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** URL slug from a title: lowercase ASCII words joined by hyphens, at most `max` characters. */
export function slugify(title: string, max = 80): string {
  const slug = slugWords(title);
  // A title of symbols or another script still needs a path segment.
  if (slug.length <= max) return slug || 'question';
  const cut = slug.slice(0, max);
  const dash = cut.lastIndexOf('-');
  return (dash > max / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, '');
}

/** Whether a name gives a slug of its own (a subject's or topic's slug is its identity, so it must). */
export function hasSlugText(text: string): boolean {
  return slugWords(text) !== '';
}
