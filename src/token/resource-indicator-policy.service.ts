import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { RegisteredClient } from '../client-registration/index.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { isResourceAllowed } from '../common/validation/resource.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/**
 * Which RFC 8707 resource indicators a client may name, at the authorization endpoint and at the token
 * endpoint (every grant, `client_credentials` included), so that a self-registered client cannot obtain
 * tokens whose `aud` is an arbitrary resource server (issue 7 item 5):
 *
 * 1. the client's own allowed resources, when the operator set them (`npm run client:resources`);
 * 2. otherwise the module's `resourceIndicators.allowed` (`RESOURCE_INDICATORS_ALLOWED`), when set;
 * 3. otherwise any resource (the behaviour before the setting existed; a warning is logged at start-up
 *    when `resourceIndicators.warnWhenUnrestricted`, which AuthMS sets in production).
 *
 * Entries are exact URIs or prefixes ending in `/`. Anything else is 400 `invalid_target` (RFC 8707 §2).
 */
@Injectable()
export class ResourceIndicatorPolicy implements OnApplicationBootstrap {
  private readonly logger = new Logger(ResourceIndicatorPolicy.name);

  constructor(@Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings) {}

  onApplicationBootstrap(): void {
    const warning = this.startupWarning();
    if (warning) this.logger.warn(warning);
  }

  /**
   * The start-up warning when any resource is allowed and the host asked for it
   * (`resourceIndicators.warnWhenUnrestricted`, which AuthMS sets in production), or null.
   */
  startupWarning(): string | null {
    const { allowed, warnWhenUnrestricted } = this.settings.resourceIndicators;
    if (!warnWhenUnrestricted || allowed !== null) return null;
    return (
      'RESOURCE_INDICATORS_ALLOWED is not set: any client, including an anonymously registered one, can ' +
      'obtain tokens for any resource URI it names (RFC 8707 resource becomes the token aud). List the ' +
      'resource servers this server issues tokens for.'
    );
  }

  /**
   * The resources `client` may name: exact URIs and `/`-terminated prefixes, or null when any resource is
   * allowed. For pages that show what a request would grant (the consent page).
   */
  allowedFor(client: Pick<RegisteredClient, 'allowedResources'>): readonly string[] | null {
    return client.allowedResources ?? this.settings.resourceIndicators.allowed;
  }

  /** Throws 400 `invalid_target` unless every resource of `resources` is allowed for `client`. */
  assertAllowed(
    client: Pick<RegisteredClient, 'allowedResources'>,
    resources: readonly string[] | null,
  ): void {
    if (!resources || resources.length === 0) return;
    const allowed = this.allowedFor(client);
    if (allowed === null) return;
    const refused = resources.find((r) => !isResourceAllowed(r, allowed));
    if (refused !== undefined) {
      throw new OAuthError(
        'invalid_target',
        400,
        `The resource ${refused.slice(0, 200)} is not one this client may request tokens for`,
      );
    }
  }
}
