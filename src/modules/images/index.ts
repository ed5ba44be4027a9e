// What other modules use of images: the upload and serving routes, the /ask form, the editors and the clean-up
// command call these. Nothing here knows where an image is shown; that belongs to the modules that show it.
export type { BlobEntry, BlobStore, StoredBlob } from './blob-store.ts';
export {
  type BlobStoreKind,
  createBlobStore,
  findImage,
  findImages,
  findImagesPlacedIn,
  findImageUses,
  findOwnedImages,
  type ImageDeps,
  type ImageUse,
  imageAccess,
  imageDeps,
  listOwnImages,
  listUnusedCandidates,
  MAX_ALT_CHARS,
  MAX_PLACED_IMAGES,
  markRemoved,
  type OpenedVariant,
  openVariant,
  type PlacedImages,
  picturesFor,
  placeImages,
  recordImageUses,
  type SweepProgress,
  siteBlobStore,
  storeImage,
  sweepBlobs,
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
export { checkImageBytes } from './precheck.ts';
export { PRINT_WIDTH, type PrintImage, printableImages } from './print.service.ts';
export { type PrunePhase, type PruneReport, pruneUnusedImages, removeIfUnused } from './prune.service.ts';
export { type S3BlobStore, s3BlobStore } from './s3-blob-store.ts';
export { type TaskSlots, taskSlots } from './slots.ts';
export { ImageFileField } from './views/image-file-field.tsx';
export { ImagesHint } from './views/images-hint.tsx';
export { largestPath, PictureView, placedPictureHtml } from './views/picture.tsx';
