import { renderToString } from 'preact-render-to-string';
import { type ImageVariant, imagePath, pictureOf } from '../image.ts';

/**
 * One image as `<picture>`: WebP for browsers that take it, the JPEG or PNG fallback for the rest, each at every
 * width it was made in, so the browser fetches the smallest file that fills `sizes`. The `<img>` carries the
 * image's own width and height (its aspect ratio), so the space is kept before a byte arrives; CSS scales it.
 * Lazy: a photo below the fold costs nothing until the reader scrolls to it.
 */
export function PictureView(props: {
  image: { readonly variants: readonly ImageVariant[] };
  alt: string;
  sizes: string;
  class?: string;
  /** The image's id, on images placed in Markdown (lib/markdown.ts finds them again by it). */
  placedId?: number;
}) {
  const picture = pictureOf(props.image, imagePath);
  return (
    <picture class={props.class} data-image={props.placedId}>
      {picture.sources.map((s) => (
        <source key={s.type} type={s.type} srcset={s.srcset} sizes={props.sizes} />
      ))}
      <img
        src={picture.img.src}
        srcset={picture.img.srcset}
        sizes={props.sizes}
        width={picture.img.width}
        height={picture.img.height}
        alt={props.alt}
        loading="lazy"
        decoding="async"
      />
    </picture>
  );
}

/** The address of an image's largest fallback file: what a "full size" link opens. */
export function largestPath(image: { readonly variants: readonly ImageVariant[] }): string {
  return pictureOf(image, imagePath).img.src;
}

/** A text's column: the page's main column on a laptop, the screen less its margins on a phone. */
const PLACED_SIZES = '(min-width: 60rem) 44rem, calc(100vw - 3rem)';

/** The markup of an image placed in Markdown (`![alt](image:ID)`), for renderMarkdown's `pictures`. */
export function placedPictureHtml(image: { readonly id: number; readonly variants: readonly ImageVariant[] }, alt: string): string {
  return renderToString(<PictureView image={image} alt={alt} sizes={PLACED_SIZES} class="placed-image" placedId={image.id} />);
}
