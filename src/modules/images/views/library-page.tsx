import { HiddenCsrf } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { MAX_ALT_CHARS } from '../image.service.ts';
import type { StoredImage } from '../image.ts';
import { ImageFileField } from './image-file-field.tsx';
import { PictureView } from './picture.tsx';

/** The line an author pastes into Markdown to place an image. */
export function placementLine(id: number, alt: string): string {
  const described = alt.replace(/[[\]\n]/g, ' ').trim() || 'Describe the image';
  return `![${described}](image:${id})`;
}

export interface LibraryImage {
  readonly image: StoredImage;
  /** Where it is placed, attached or shown on a profile now; 0 for an upload not used yet. */
  readonly uses: number;
}

/**
 * /uploads, "Your images": educators and editors upload a diagram here and get the Markdown line that places it in
 * an answer or a guide. The upload form works without JavaScript; the line is a read-only field to copy.
 */
export function LibraryPageView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  images: readonly LibraryImage[];
  maxBytes: number;
  message?: string;
  error?: string;
  alt?: string;
  /** The image just added (shown first, its line ready to copy). */
  added?: { readonly id: number; readonly alt: string };
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Your images">
      <h1>Your images</h1>
      {props.message ? (
        <p class="form-ok" role="status">
          {props.message}
        </p>
      ) : null}
      <p>
        Upload a diagram, a graph or a photo here, then paste the line it gives you into an expert answer or a study guide, where the image
        should appear. Location and camera details are removed from every upload.
      </p>
      {props.added ? (
        <div class="placement" role="status">
          <label for="placement-new">Paste this line into your text:</label>
          <input id="placement-new" type="text" readOnly value={placementLine(props.added.id, props.added.alt)} class="placement-line" />
        </div>
      ) : null}
      <form method="post" action="/uploads" enctype="multipart/form-data" class="stack">
        <HiddenCsrf token={props.csrfToken} />
        <label for="upload-alt">Description for readers who cannot see it</label>
        <span class="hint" id="upload-alt-hint">
          Say what the image shows, e.g. “A right triangle with sides 3, 4 and 5”. You can change it in your text later.
        </span>
        <input
          id="upload-alt"
          name="alt"
          type="text"
          maxLength={MAX_ALT_CHARS}
          value={props.alt ?? ''}
          aria-describedby="upload-alt-hint"
        />
        <ImageFileField id="upload-file" name="image" label="Image" maxBytes={props.maxBytes} error={props.error} />
        <button type="submit" class="button">
          Upload
        </button>
      </form>
      <h2>Uploaded</h2>
      {props.images.length === 0 ? (
        <p>Nothing yet.</p>
      ) : (
        <ul class="image-library">
          {props.images.map(({ image, uses }) => (
            <li key={image.id}>
              <PictureView image={image} alt={`Image ${image.id}`} sizes="12rem" />
              <label for={`placement-${image.id}`}>
                Image {image.id} · {image.width}×{image.height} ·{' '}
                {uses === 0 ? 'not used yet' : uses === 1 ? 'used once' : `used ${uses} times`}
              </label>
              <input id={`placement-${image.id}`} type="text" readOnly value={placementLine(image.id, '')} class="placement-line" />
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
