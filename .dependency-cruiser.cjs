// The layer rules of DESIGN.md, checked on every `npm test`: a layer never imports one above it,
// the SDK never imports the server, the server takes from the SDK only wire formats, errors and
// the money primitive, and no two folders import each other (type-only imports count).

// Lowest first. cli/, testing/ and telemetry/ sit on top of everything.
const layers = [
  'errors',
  'wire',
  'transport',
  'streaming',
  'retry',
  'cost',
  'metering',
  'providers',
  'builders',
  'evaluation',
  'client',
  'server',
];

const above = (index) => layers.slice(index + 1).concat(['cli', 'testing', 'telemetry']);

const layerRules = layers.map((layer, index) => ({
  name: `layer-${layer}`,
  comment: `${layer}/ may import only the layers below it (DESIGN.md, Layers).`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${above(index).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'server-takes-little-from-the-sdk',
      comment:
        'The server may import wire/, errors/, the money primitive (cost/money, cost/decimal) and the pure classification metrics (evaluation/classification-metrics) of the SDK.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: {
        path: '^src/',
        pathNot:
          '^src/(server|wire|errors)/|^src/cost/(money|decimal)\\.ts$|^src/evaluation/classification-metrics\\.ts$',
      },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders never import each other in a cycle, type-only imports included.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'Nor do files.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/server/' },
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
