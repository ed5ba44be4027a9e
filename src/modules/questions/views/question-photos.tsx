import { largestPath, PictureView } from '../../images/index.ts';
import type { QuestionImage } from '../question.ts';

/** Wide enough for the question card's column on a laptop, the whole screen less its margins on a phone. */
const SIZES = '(min-width: 60rem) 44rem, calc(100vw - 4.5rem)';

/**
 * The student's photos of their homework, each linking to its largest file so small handwriting can be read at full
 * size. Shown on the question page and to the educator answering it and the editor reviewing the answer.
 */
export function QuestionPhotos(props: { images: readonly QuestionImage[] }) {
  const count = props.images.length;
  if (count === 0) return null;
  return (
    <ul class="question-photos" aria-label={count === 1 ? 'Photo attached to the question' : `${count} photos attached to the question`}>
      {props.images.map((image, i) => (
        <li key={image.id}>
          <a href={largestPath(image)}>
            <PictureView
              image={image}
              alt={count === 1 ? 'Photo attached to the question' : `Photo ${i + 1} of ${count} attached to the question`}
              sizes={SIZES}
            />
          </a>
        </li>
      ))}
    </ul>
  );
}
