// Which questions a question page lists as related: pure ranking over candidates the repository reads (the newest
// questions sharing one of the page's topics, and the newest of its subject). The order is by kinship first: a
// shared topic is an editor's word that two questions belong together, a shared subject is the next best thing,
// and only then do shared title words count (a common word such as "explain" would otherwise join a statistics
// question to a history one). Within each tier, titles sharing more of the page's rarer words come first, then
// the newest. Questions of other subjects are the search module's business (similarByTerms) and come only after
// every candidate of the page's own subject.

/** A published question that may be listed, newest first as read. */
export interface RelatedCandidate {
  id: number;
  title: string;
}

export interface RelatedPools {
  /** Questions sharing one of the page's topics. */
  byTopic: readonly RelatedCandidate[];
  /** The newest of the page's subject (some may share a topic too: they count once, in the better tier). */
  bySubject: readonly RelatedCandidate[];
}

/** How a title is cut into terms: its words, lower case, stop words out, rough stems (so "plagues" meets "plague"). */
export interface TermRules {
  stopWords: ReadonlySet<string>;
  stem: (word: string) => string;
}

/** Words of letters and digits; titles are short, and a regular expression is several times cheaper than a segmenter. */
const WORD = /[\p{L}\p{N}]+/gu;

function titleTerms(title: string, rules: TermRules): Set<string> {
  return sharedTerms(title, rules, undefined);
}

const ASCII = /^[a-z0-9]+$/;

/** Where a word's stem starts: stems keep a word's opening, once accents are off (the stem rule takes them off). */
function head(word: string): string {
  return (ASCII.test(word) ? word : word.normalize('NFKD').replace(/\p{M}/gu, '')).slice(0, 2);
}

/**
 * The terms of `title`, or with `among` only those among its terms. Stemming is most of the cost, so with `among`
 * a word is stemmed only when it opens like one of them.
 */
function sharedTerms(
  title: string,
  rules: TermRules,
  among: { terms: ReadonlySet<string>; heads: ReadonlySet<string> } | undefined,
): Set<string> {
  const out = new Set<string>();
  for (const m of title.toLowerCase().matchAll(WORD)) {
    const w = m[0];
    if (w.length < 2 || w.length > 60 || rules.stopWords.has(w)) continue;
    if (among && !among.heads.has(head(w))) continue;
    const t = rules.stem(w);
    if (!among || among.terms.has(t)) out.add(t);
  }
  return out;
}

/**
 * The candidates' ids, best first, at most `want`, never `excludeId`: those sharing a topic, then those of the
 * subject; within each, by the weight of the page's title terms they share, then newest first. A term's weight
 * is its rarity among the candidates themselves (log(1 + n / titles holding it)), so the words every question of
 * a subject uses count for little without a site-wide word count.
 */
export function rankRelated(title: string, pools: RelatedPools, excludeId: number, want: number, rules: TermRules): number[] {
  const terms = titleTerms(title, rules);
  const page = { terms, heads: new Set([...terms].map((t) => t.slice(0, 2))) };
  const seen = new Set<number>([excludeId]);
  const tiers: RelatedCandidate[][] = [[], []];
  for (const [tier, list] of [pools.byTopic, pools.bySubject].entries()) {
    for (const c of list) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      (tiers[tier] as RelatedCandidate[]).push(c);
    }
  }
  const all = [...(tiers[0] as RelatedCandidate[]), ...(tiers[1] as RelatedCandidate[])];
  const termsOf = new Map(all.map((c) => [c.id, sharedTerms(c.title, rules, page)]));
  const holding = new Map<string, number>();
  for (const shared of termsOf.values()) for (const t of shared) holding.set(t, (holding.get(t) ?? 0) + 1);
  const score = (id: number) => {
    let s = 0;
    for (const t of termsOf.get(id) ?? []) {
      const n = holding.get(t);
      if (n !== undefined) s += Math.log(1 + all.length / n);
    }
    return s;
  };
  const out: number[] = [];
  for (const tier of tiers) {
    const scored = tier.map((c) => ({ id: c.id, score: score(c.id) }));
    // Stable: equal scores keep the order read, newest first.
    scored.sort((a, b) => b.score - a.score);
    for (const s of scored) {
      if (out.length >= want) return out;
      out.push(s.id);
    }
  }
  return out;
}
