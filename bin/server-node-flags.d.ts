/** Node flags of the server process (bin/server-node-flags.js; ADR 0135). */
export declare const SERVER_NODE_FLAGS: readonly string[];
