import { imagePath, pictureOf } from '../../images/index.ts';
import { initials, PHOTO_SIZE, type ProfilePhoto, photoAlt } from '../educator.ts';

/** The photo's size inside the circle's square, its shape kept: a style sheet may crop it to the circle, none squashes it. */
function fitted(photo: ProfilePhoto): { width: number; height: number } {
  const scale = PHOTO_SIZE / Math.max(photo.width, photo.height, 1);
  return { width: Math.max(1, Math.round(photo.width * scale)), height: Math.max(1, Math.round(photo.height * scale)) };
}

/**
 * The person's photo: WebP where the browser takes it, the JPEG or PNG fallback otherwise, the narrowest file that
 * fills the circle. Not lazy: it is at the top of the profile. Its width and height keep its space before it arrives.
 * Not `.avatar` (a block as wide as its column, for the initials' fixed-size SVG): `.avatar-photo` sizes the circle.
 */
function Photo(props: { photo: ProfilePhoto; name: string }) {
  const picture = pictureOf(props.photo, imagePath);
  const sizes = `${PHOTO_SIZE}px`;
  const { width, height } = fitted(props.photo);
  return (
    <picture class="avatar-photo">
      {picture.sources.map((s) => (
        <source key={s.type} type={s.type} srcset={s.srcset} sizes={sizes} />
      ))}
      <img src={picture.img.src} srcset={picture.img.srcset} sizes={sizes} width={width} height={height} alt={photoAlt(props.name)} />
    </picture>
  );
}

/** Initials in a circle, for a profile without a photo. Decorative: the name is the heading beside it. */
function Initials(props: { name: string }) {
  const half = PHOTO_SIZE / 2;
  return (
    <svg
      class="avatar"
      width={PHOTO_SIZE}
      height={PHOTO_SIZE}
      viewBox={`0 0 ${PHOTO_SIZE} ${PHOTO_SIZE}`}
      aria-hidden="true"
      focusable="false"
    >
      <circle cx={half} cy={half} r={half} fill="#4f46e5" />
      <text
        x={half}
        y={half}
        dy="0.35em"
        text-anchor="middle"
        font-family="system-ui, sans-serif"
        font-size="34"
        font-weight="700"
        fill="#ffffff"
      >
        {initials(props.name)}
      </text>
    </svg>
  );
}

/** The face of a profile: the person's photo, or their initials until they have one. */
export function Avatar(props: { name: string; photo: ProfilePhoto | null }) {
  return props.photo ? <Photo photo={props.photo} name={props.name} /> : <Initials name={props.name} />;
}
