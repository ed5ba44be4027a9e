import { sniffImage } from './header.ts';
import { type ImageLimits, refuse } from './image.ts';

/**
 * The checks storeImage makes before it decodes anything: the size, the format the bytes declare, and the pixels
 * the header declares. For a batch that checks every file before it stores any (an import): what passes here can
 * still be refused by the decoder, as damaged. Throws ImageRefused.
 */
export function checkImageBytes(bytes: Uint8Array, limits: Pick<ImageLimits, 'maxBytes' | 'maxPixels'>): void {
  if (bytes.length > limits.maxBytes) throw refuse.tooLarge(bytes.length, limits);
  const sniffed = sniffImage(bytes);
  if (sniffed.kind === 'unknown') throw refuse.notAnImage();
  if (sniffed.kind === 'damaged') throw refuse.damaged();
  if (sniffed.width * sniffed.height > limits.maxPixels) throw refuse.tooManyPixels(sniffed.width, sniffed.height, limits);
}
