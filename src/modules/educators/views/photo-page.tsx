import { HiddenCsrf } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { ImageFileField } from '../../images/index.ts';
import type { PhotoOwner } from '../educator.ts';
import { Avatar } from './avatar.tsx';

/**
 * The photo on an educator's profile: upload one (a multipart form that works without JavaScript), or remove it.
 * The person sees "Your profile photo"; an editor or admin doing it for them sees whose it is.
 */
export function PhotoPageView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  owner: PhotoOwner;
  /** The viewer is the person whose photo it is. */
  own: boolean;
  /** The photo page's address (the forms post to it). */
  path: string;
  profilePath: string;
  maxBytes: number;
  message?: string;
  error?: string;
}) {
  const { owner } = props;
  const title = props.own ? 'Your profile photo' : `Profile photo of ${owner.name}`;
  return (
    <Layout site={props.site} viewer={props.viewer} title={title}>
      <h1>{title}</h1>
      {props.message ? (
        <p class="form-ok" role="status">
          {props.message}
        </p>
      ) : null}
      <section class="card educator-photo-current" aria-labelledby="photo-now">
        <h2 id="photo-now">On the profile now</h2>
        <Avatar name={owner.name} photo={owner.photo} />
        <p>
          {owner.photo
            ? 'Students see this photo beside the name on the profile.'
            : 'No photo yet: the profile shows initials in a circle.'}{' '}
          {owner.hasProfile ? (
            <a href={props.profilePath}>See the profile</a>
          ) : (
            'The profile appears once an answer is published or a subject is verified.'
          )}
        </p>
        {owner.photo ? (
          <form method="post" action={`${props.path}/remove`}>
            <HiddenCsrf token={props.csrfToken} />
            <button type="submit" class="button secondary">
              Remove photo
            </button>
          </form>
        ) : null}
      </section>
      <form method="post" action={props.path} enctype="multipart/form-data" class="stack">
        {/* The token comes before the file: the upload is read only when the form it came with is genuine. */}
        <HiddenCsrf token={props.csrfToken} />
        <ImageFileField
          id="photo-file"
          name="photo"
          label={owner.photo ? 'A new photo' : 'Photo'}
          maxBytes={props.maxBytes}
          error={props.error}
          extra="A photo of the face, square or nearly, looks best in the circle. Location and camera details are removed."
        />
        <button type="submit" class="button">
          Upload photo
        </button>
      </form>
    </Layout>
  );
}
