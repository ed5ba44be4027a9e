import { type ImageVariant, imagePath, pictureOf } from '../image.ts';

/**
 * One image as `<picture>`: WebP for browsers that take it, the JPEG or PNG fallback for the rest, each at every
 * width it was made in, so the browser fetches the smallest file that fills `sizes`. The `<img>` carries the
 * image's own width and height (its aspect ratio), so the space is kept before a byte arrives; CSS scales it.
 * Lazy: a photo below the fold costs nothing until the reader scrolls to it.
 */
export function PictureView(props: { image: { readonly variants: readonly ImageVariant[] }; alt: string; sizes: string; class?: string }) {
  const picture = pictureOf(props.image, imagePath);
  return (
    <picture class={props.class}>
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
