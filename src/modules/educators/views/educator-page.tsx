import { truncate } from '../../../lib/text.ts';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { QuestionList } from '../../../views/question-list.tsx';
import { imagePath, pictureOf } from '../../images/index.ts';
import { type EducatorProfile, educatorPath, roleTitle } from '../educator.ts';
import { Avatar } from './avatar.tsx';

/**
 * schema.org ProfilePage about a Person, as Google's profile-page guidance describes: the page's subject, their
 * role, the subjects editors verified them for (knowsAbout) and how many answers they wrote.
 */
export function educatorJsonLd(site: Site, profile: EducatorProfile) {
  const url = site.url + educatorPath(profile);
  return {
    '@context': 'https://schema.org',
    '@type': 'ProfilePage',
    url,
    mainEntity: {
      '@type': 'Person',
      '@id': `${url}#person`,
      name: profile.name,
      url,
      jobTitle: roleTitle(profile.role),
      ...(profile.photo ? { image: site.url + pictureOf(profile.photo, imagePath).img.src } : {}),
      ...(profile.bio ? { description: profile.bio } : {}),
      ...(profile.subjects.length > 0 ? { knowsAbout: profile.subjects.map((s) => s.name) } : {}),
      agentInteractionStatistic: {
        '@type': 'InteractionCounter',
        interactionType: 'https://schema.org/WriteAction',
        userInteractionCount: profile.answerCount,
      },
    },
  };
}

function describe(site: Site, p: EducatorProfile): string {
  const answers = `${p.answerCount.toLocaleString('en-US')} expert ${p.answerCount === 1 ? 'answer' : 'answers'}`;
  const subjects = p.subjects.length > 0 ? ` in ${p.subjects.map((s) => s.name).join(', ')}` : '';
  const bio = p.bio ? ` ${p.bio}` : '';
  return truncate(`${p.name}, ${roleTitle(p.role).toLowerCase()} on ${site.name}: ${answers}${subjects}.${bio}`, 160);
}

export function EducatorPageView(props: {
  site: Site;
  viewer?: ViewerInfo | null;
  profile: EducatorProfile;
  /** The first page (newest answers); older pages have no canonical address of their own. */
  isFirstPage: boolean;
  nextPath: string | null;
  /** The page where this viewer changes the photo: the person themselves, an editor or an admin; null for others. */
  photoPath?: string | null;
}) {
  const { site, profile: p } = props;
  const path = educatorPath(p);
  return (
    <Layout
      site={site}
      viewer={props.viewer}
      title={props.isFirstPage ? p.name : `${p.name}: older answers`}
      description={describe(site, p)}
      canonicalPath={props.isFirstPage ? path : undefined}
      nextPath={props.nextPath ?? undefined}
      jsonLd={educatorJsonLd(site, p)}
    >
      <section class="card educator-profile" aria-labelledby="educator-name">
        <Avatar name={p.name} photo={p.photo} />
        {props.photoPath ? (
          <p class="avatar-change">
            <a href={props.photoPath}>{p.photo ? 'Change photo' : 'Add a photo'}</a>
          </p>
        ) : null}
        <p class="label">{roleTitle(p.role)}</p>
        <h1 id="educator-name">{p.name}</h1>
        {p.bio ? <p class="educator-bio">{p.bio}</p> : null}
        <p class="meta">
          {p.answerCount.toLocaleString('en-US')} expert {p.answerCount === 1 ? 'answer' : 'answers'} published
        </p>
        {p.subjects.length > 0 ? (
          <>
            <h2 id="verified-title">Subjects verified by Scholia Editorial</h2>
            <ul class="topics" aria-labelledby="verified-title">
              {p.subjects.map((s) => (
                <li key={s.slug}>
                  <a href={`/subjects/${s.slug}`}>{s.name}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      <section aria-labelledby="answers-title">
        <h2 id="answers-title">{props.isFirstPage ? 'Latest answers' : 'Older answers'}</h2>
        {p.answers.length > 0 ? <QuestionList questions={p.answers} /> : <p>No published answers yet.</p>}
        {props.nextPath || !props.isFirstPage ? (
          <nav class="pager" aria-label="Pages">
            {props.isFirstPage ? <span /> : <a href={path}>Latest answers</a>}
            {props.nextPath ? (
              <a href={props.nextPath} rel="next">
                Older answers
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}
