// The layering of the tree, checked by `npx depcruise src workflows activities bench tests scripts web/src`
// (tests/unit/habits.test.ts runs it in `npm test`; docs/habits.md says why each rule holds).
//
// Arrows point down: web -> src/api -> src/processes, src/tasks, src/channels ... -> src/domain, and
// workflows -> src/domain. The domain imports nothing above it, a route reaches the worker's code only through
// Temporal, and the product never imports its tests or its benchmarks.

/** The layers above the domain. */
const aboveTheDomain = '^(workflows|activities|src/api|src/processes|src/runtime|bench|tests)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing-above-it',
      comment:
        'src/domain is the bottom layer: rules and types every layer above shares. It imports no workflow, activity, route, process, runtime, benchmark or test.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: aboveTheDomain },
    },
    {
      name: 'routes-import-no-activities',
      comment: "A route talks to stores (src/**) and to workflows through Temporal's client; activities are the worker's side.",
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^activities/' },
    },
    {
      name: 'only-the-worker-loads-activities',
      comment: 'Activities are registered by the worker (src/worker.ts); what else in src/ shares with them (options, stores, rules) lives in src/.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/worker[.]ts$' },
      to: { path: '^activities/' },
    },
    {
      name: 'product-imports-no-tests-or-benchmarks',
      comment: 'What src/ needs (free ports, servers, fixtures) lives in src/; tests and benchmarks import it, not the other way round.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tests|bench)/' },
    },
    {
      name: 'benchmarks-import-no-tests',
      comment: 'A benchmark runs without the test suite: shared helpers live in src/runtime (or bench/ itself).',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^tests/' },
    },
    {
      name: 'workflows-import-activities-as-types-only',
      comment:
        'Workflow code runs in the deterministic sandbox: it reaches activities through proxyActivities, so it may name their types (import type) but not load them.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-import-no-api-runtime-or-db',
      comment: 'Routes, the runtime (servers, metrics, logging) and SQL are outside the workflow sandbox.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^src/(api|runtime|db)/' },
    },
    {
      name: 'no-cycles-in-the-domain',
      comment: 'The domain modules form a tree: a cycle among them means two of them are one module or a third is missing.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { circular: true, viaOnly: { path: '^src/domain/' } },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^web/dist/', '^tests/(artifacts|histories)/', '^bench/out/', '[.]d[.]mts$'] },
    // `import type` counts too: the rules above say which layers may name which types.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.mjs', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
