import { describe, expect, it } from 'vitest';
import { parseQuery } from './query.ts';
import { formatSynonyms, nameForms, parseSynonymText, synonymLookup } from './synonyms.ts';

describe('the synonym table as admins type it', () => {
  it('reads one group a line, phrases lower-cased and cut into words, blank lines skipped', () => {
    const { groups, problems } = parseSynonymText('WW1, World War I, first  world war\n\nstd dev, Standard-Deviation\n');
    expect(problems).toEqual([]);
    expect(groups).toEqual([
      ['ww1', 'world war i', 'first world war'],
      ['std dev', 'standard deviation'],
    ]);
    expect(formatSynonyms(groups)).toBe('ww1, world war i, first world war\nstd dev, standard deviation');
  });

  it('names every bad line and takes nothing while there is one', () => {
    const { problems } = parseSynonymText(`a, b\nlonely\n!!!, ???\n${'x '.repeat(7)}, y`);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4]);
  });
});

describe('a query naming a synonym group', () => {
  const lookup = synonymLookup([
    ['ww1', 'world war i', 'first world war'],
    ['1st', 'first'],
  ]);

  it('matches the group by any of its phrases, the longest reading first', () => {
    const q = parseQuery('causes of the First World War', lookup);
    expect(q.clauses).toEqual([['causes']]);
    expect(q.anyOf).toEqual([[['ww1'], ['world', 'war', 'i'], ['first', 'world', 'war']]]);
    expect(parseQuery('1st amendment', lookup).anyOf).toEqual([[['1st'], ['first']]]);
  });

  it('leaves quoted phrases and other words alone', () => {
    const q = parseQuery('"first world war" poems', lookup);
    expect(q.anyOf).toEqual([]);
    expect(q.clauses).toEqual([['first', 'world', 'war'], ['poems']]);
  });
});

describe('names and the adjectives made from them', () => {
  it('offers the other spelling both ways', () => {
    expect(nameForms('darwinian')).toContain('darwin');
    expect(nameForms('darwin')).toContain('darwinian');
    expect(nameForms('shakespearean')).toContain('shakespeare');
    expect(nameForms('shakespeare')).toContain('shakespearean');
    expect(nameForms('pythagoras')).toContain('pythagorean');
    expect(nameForms('pythagorean')).toContain('pythagoras');
    expect(nameForms('victoria')).toContain('victorian');
    expect(nameForms('victorian')).toContain('victoria');
  });

  it('leaves short words alone', () => {
    expect(nameForms('war')).toEqual([]);
    expect(nameForms('civil')).toEqual([]);
  });
});
