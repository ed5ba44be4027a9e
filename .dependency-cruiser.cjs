/**
 * The layers of docs/architecture.md, checked by `npm run lint` (dependency-cruiser). Type-only imports count too
 * (tsPreCompilationDeps), so a cycle through a shared type is a cycle.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules depend on each other one way; a cycle means one of them should own the shared piece.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-is-pure',
      severity: 'error',
      comment: 'lib/ holds pure helpers and imports nothing from the rest of src/.',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'migrations-stand-alone',
      severity: 'error',
      comment: 'A landed migration never changes, so it may not import code that does.',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
    {
      name: 'routes-and-views-skip-repositories',
      severity: 'error',
      comment: 'Routes call their service; views are functions of props. Neither reaches for SQL.',
      from: { path: '(\\.routes\\.tsx?$|/views/)' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'modules-through-their-index',
      severity: 'error',
      comment: 'A module reaches another module only through its index.ts.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.tsx?$' },
  },
};
