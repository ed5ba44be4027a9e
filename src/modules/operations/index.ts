// Backing a site up, restoring it, and moving it from SQLite to PostgreSQL (`scholia backup`, `restore`, `move`):
// one table copier (copier.ts) over the tables listed in tables.ts. See docs/decisions/0013-backup-and-move.md.
export { type BackupOptions, type BackupPhase, type BackupReport, backupSite } from './backup.service.ts';
export { type MoveOptions, type MovePhase, type MoveReport, moveSite } from './move.service.ts';
export { type ImagesCheck, type TableCheck, verificationLines } from './report.ts';
export { type RestoreOptions, type RestorePhase, type RestoreReport, restoreSite } from './restore.service.ts';
export { OperationInterrupted } from './rows.ts';
export { COPIED_TABLES, isSkipped, SKIPPED_TABLES, unknownTables } from './tables.ts';
