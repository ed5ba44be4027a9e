// What other modules use of images: the upload and serving routes, the /ask form, the editors and the clean-up
// command call these. Nothing here knows where an image is shown; that belongs to the modules that show it.
export type { BlobEntry, BlobStore, StoredBlob } from './blob-store.ts';
export {
  type BlobStoreKind,
  createBlobStore,
  findImage,
  type ImageDeps,
  listUnusedCandidates,
  markRemoved,
  type OpenedVariant,
  openVariant,
  type SweepProgress,
  storeImage,
  sweepBlobs,
} from './image.service.ts';
export {
  checkImageCount,
  DEFAULT_IMAGE_LIMITS,
  type ImageLimits,
  type ImageRefusal,
  ImageRefused,
  type ImageVariant,
  type Picture,
  pictureOf,
  type StoredImage,
  type VariantFormat,
} from './image.ts';
