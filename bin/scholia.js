#!/usr/bin/env node
// The `scholia` command. Runs the compiled CLI (dist/cli.js) when it was built from the sources as they are now, and
// the TypeScript sources through tsx's loader otherwise (never built, or sources changed since `npm run build`), so it
// never runs stale code. SCHOLIA_FROM_SOURCE=1 always runs the sources through tsx, whatever dist/ holds.
import { staleReason } from '../scripts/build.mjs';

if (process.env.SCHOLIA_FROM_SOURCE !== '1' && staleReason() === null) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
