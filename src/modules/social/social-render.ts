import { createRequire } from 'node:module';
import { renderAsync } from '@resvg/resvg-js';
import { CARD_FONT, SOCIAL_IMAGE } from './social-card.ts';

// SVG to PNG with resvg (Rust, prebuilt for each platform through npm). resvg reads no web fonts and a server or CI
// machine may have no system fonts at all, so the card's typeface comes as TTF files from an npm package: Inter
// (SIL Open Font License) from @expo-google-fonts/inter. It covers Latin, Greek and Cyrillic; characters of other
// scripts show as resvg's missing-glyph box.

const require = createRequire(import.meta.url);
const FONT_FILES = ['400Regular/Inter_400Regular.ttf', '600SemiBold/Inter_600SemiBold.ttf', '700Bold/Inter_700Bold.ttf'].map((f) =>
  require.resolve(`@expo-google-fonts/inter/${f}`),
);

/**
 * The card as PNG. Rendered on libuv's thread pool (renderAsync), so the event loop serves other requests meanwhile;
 * a card takes about 20 ms. Fonts are read by path: resvg parses them faster from a file than from a buffer.
 */
export async function renderSocialPng(svg: string): Promise<Buffer> {
  const rendered = await renderAsync(svg, {
    fitTo: { mode: 'width', value: SOCIAL_IMAGE.width },
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CARD_FONT },
  });
  return rendered.asPng();
}
