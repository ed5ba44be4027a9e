// What other modules use of images: the upload and serving routes, the /ask form, the editors and the clean-up
// command call these. Nothing here knows where an image is shown; that belongs to the modules that show it.
export type { BlobEntry, BlobStore, StoredBlob } from './blob-store.ts';
export {
  type BlobStoreKind,
  createBlobStore,
  findImage,
  findOwnedImages,
  type ImageDeps,
  listUnusedCandidates,
  markRemoved,
  type OpenedVariant,
  openVariant,
  type SweepProgress,
  storeImage,
  sweepBlobs,
  variantState,
} from './image.service.ts';
export {
  checkImageCount,
  DEFAULT_IMAGE_LIMITS,
  fileSize,
  type ImageLimits,
  type ImageRefusal,
  ImageRefused,
  type ImageVariant,
  imagePath,
  type Picture,
  pictureOf,
  refuse,
  type StoredImage,
  type VariantFormat,
} from './image.ts';
export { type TaskSlots, taskSlots } from './slots.ts';
export { largestPath, PictureView } from './views/picture.tsx';
