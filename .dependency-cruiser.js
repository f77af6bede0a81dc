/**
 * Layer rules (CONVENTIONS.md): libs never import apps; apps do not import each other; a bounded context
 * talks to another only through its public index.ts, never through its repositories or internal files.
 */
module.exports = {
  forbidden: [
    {
      name: 'lib-imports-app',
      severity: 'error',
      comment: 'libraries must not depend on applications',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'app-imports-other-app',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'context-internals',
      severity: 'error',
      comment: 'another context is reached only through its index.ts (no repositories, services or entities by path)',
      from: { path: '^(apps|libs)/([^/]+)/' },
      to: { path: '^libs/([^/]+)/src/.+', pathNot: ['^libs/$2/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'no-repository-outside-context',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/' },
      to: { path: '\\.repository\\.ts$', pathNot: '^libs/$2/' },
    },
    {
      name: 'migrations-stand-alone',
      severity: 'error',
      comment: 'a migration is plain SQL: it must not depend on code that changes later',
      from: { path: '^migrations/' },
      to: { path: '^(apps|libs)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
