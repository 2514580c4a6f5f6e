// Node flags of the server process, wherever it is started: `npm start` (package.json, the same list),
// `authms start` (bin/authms.js) and the benchmarks (bench/). Node built-ins only, no dependencies.
//
// --max-old-space-size=256: V8 lets the old generation grow to up to 4 times its live size between
// major collections when its limit is large (Node's default here is about 4 GB); at 256 MB or less it
// grows by at most 1.3 times. The server's live heap under load is 50-70 MB, so this holds its RSS
// under 200 MB and flat instead of a sawtooth up to 330 MB (docs/benchmarks.md "RSS over a 2-minute
// run", ADR 0135). An operator who needs more runs `node --max-old-space-size=N dist/src/main.js`.

/** The flags, in the order they are passed to `node` before the script. */
export const SERVER_NODE_FLAGS = ['--max-old-space-size=256'];
