/** Where the diagrams of an answer or a guide come from: uploaded on "Your images", placed as a Markdown line. */
export function ImagesHint() {
  return (
    <p class="hint">
      Diagrams and graphs: upload them on{' '}
      <a href="/uploads" target="_blank" rel="noopener">
        Your images
      </a>{' '}
      (opens in a new tab) and paste the line it gives you, such as <code>![A labelled right triangle](image:12)</code>, where the image
      belongs.
    </p>
  );
}
