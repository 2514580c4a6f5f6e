import type { DynamicModule } from '@nestjs/common';

/** One key of the internal API as the module keeps it: an id for the audit trail and the key's SHA-256. */
export interface InternalApiKeyHash {
  /** Names the caller in audit entries and logs, e.g. `identity-service`. */
  id: string;
  /** SHA-256 of the key (32 bytes). The key itself is never kept. */
  hash: Buffer;
}

/** Options of {@link InternalApiModule} (`forRoot` / `forRootAsync`). */
export interface InternalApiModuleOptions {
  /**
   * The keys accepted in `X-API-Key`, hashed. Empty (the default): the internal routes answer 404, as if
   * they did not exist, so a deployment that does not use them exposes nothing.
   */
  apiKeys?: InternalApiKeyHash[];
}

/** Composition extras: the configured TokenModule and AuthorizeModule the routes work through. */
export interface InternalApiModuleExtras {
  imports?: DynamicModule[];
}

/** The effective settings. */
export interface InternalApiSettings {
  apiKeys: InternalApiKeyHash[];
}

/** Applies the defaults and refuses keys that cannot work. */
export function resolveInternalApiSettings(
  options: InternalApiModuleOptions = {},
): InternalApiSettings {
  const apiKeys = options.apiKeys ?? [];
  for (const k of apiKeys) {
    if (!(k.hash instanceof Buffer) || k.hash.length !== 32 || !k.id) {
      throw new Error('InternalApiModule: every api key needs an id and a 32-byte SHA-256 hash');
    }
  }
  return { apiKeys };
}
