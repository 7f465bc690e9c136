// The import structure of src/, enforced (a step of `npm run lint`, scripts/lint.sh): layers in one
// direction, no import cycles, and a package's internals reached only through its public entry files.
//   layer 0  src/errors.ts, src/config*, src/kube/, src/course/, src/podview/   (facts, types, the cluster door)
//   layer 1  src/engine/
//   layer 2  src/cluster/, src/server/
//   layer 3  src/cli/, src/client/, src/components/, src/pages/, src/site/
// A file may import its own layer or a lower one, never a higher one. Tests are not checked.
export const LAYERS = [
  ['src/errors\\.ts$', 'src/config', 'src/kube/', 'src/course/', 'src/podview/'],
  ['src/engine/'],
  ['src/cluster/', 'src/server/'],
  ['src/cli/', 'src/client/', 'src/components/', 'src/pages/', 'src/site/'],
];

/** Packages with public entry files: from outside the package, only these may be imported. */
export const PUBLIC_ENTRIES = {
  'src/engine/': ['src/engine/index\\.ts$', 'src/engine/summary\\.ts$'],
  // paths.ts: where things live, without loading client-node (the CLI's fast paths)
  'src/kube/': ['src/kube/index\\.ts$', 'src/kube/paths\\.ts$'],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function upwardRules() {
  return LAYERS.flatMap((paths, i) =>
    i === LAYERS.length - 1
      ? []
      : [
          {
            name: `layer-${i}-imports-upward`,
            comment: `layer ${i} (${paths.join(', ')}) may not import a higher layer (${LAYERS.slice(i + 1)
              .flat()
              .join(', ')})`,
            severity: 'error',
            from: { path: paths.map((p) => `^${p}`), pathNot: '__tests__' },
            to: {
              path: LAYERS.slice(i + 1)
                .flat()
                .map((p) => `^${p}`),
            },
          },
        ],
  );
}

function internalsRules() {
  return Object.entries(PUBLIC_ENTRIES).map(([pkg, entries]) => ({
    name: `${pkg.replace(/^src\/|\/$/g, '')}-internals`,
    comment: `from outside ${pkg}, import only its public entries (${entries.join(', ')})`,
    severity: 'error',
    from: { path: '^src/', pathNot: [`^${escape(pkg)}`, '__tests__'] },
    to: { path: `^${escape(pkg)}`, pathNot: entries },
  }));
}

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'files that import each other in a loop (type-only imports included)',
      severity: 'error',
      from: { path: '^src/', pathNot: '__tests__' },
      to: { circular: true },
    },
    ...upwardRules(),
    ...internalsRules(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['__tests__', '\\.css$', '\\.astro$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
