import {
  applyDecorators,
  createParamDecorator,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { noteClientId } from '../common/http/request-context.js';
import {
  ClientAuthenticationService,
  type ClientAuthenticationResult,
} from './client-authentication.service.js';
import { TokenParams } from './token-params.js';

/** How one endpoint authenticates its client, declared with {@link ClientAuthentication}. */
export interface ClientAuthenticationRoute {
  /**
   * The endpoint's path under the route prefix (e.g. `/oauth/token`): its absolute URL is an accepted
   * `private_key_jwt` assertion audience (RFC 7523 §3 item 3).
   */
  path: string;
  /** Parameters that may repeat (RFC 8707 §2 `resource`); any other repeat is `invalid_request`. */
  repeatable?: readonly string[];
  /**
   * Checks of the parameters made before the client is authenticated, so that errors keep the order
   * the endpoint has always given them (the token endpoint's `unsupported_grant_type`).
   */
  before?: (params: TokenParams) => void;
}

const CLIENT_AUTHENTICATION_ROUTE = Symbol('clientAuthenticationRoute');

/** What the guard established for a request: the parsed parameters and the client. */
interface ClientAuthenticationOutcome {
  params: TokenParams;
  auth: ClientAuthenticationResult;
}

/**
 * Outcomes by request: a WeakMap rather than a property on the request, so that nothing else can read
 * or forge it and it goes with the request.
 */
const outcomes = new WeakMap<Request, ClientAuthenticationOutcome>();

/**
 * Authenticates the client of a token-family request (RFC 6749 §2.3: token, refresh, revocation,
 * introspection, and PAR by RFC 9126 §2) before the handler runs: the body is read as
 * {@link TokenParams} (repeats refused), then `ClientAuthenticationService` checks the client by its
 * registered method — the same one query as before, nothing more per request. Failures are the
 * service's OAuth errors (401 `invalid_client`, with `WWW-Authenticate: Basic` when Basic was used).
 * Handlers read the result with {@link AuthenticatedClient} and {@link ClientRequestParams}.
 */
@Injectable()
export class ClientAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clientAuth: ClientAuthenticationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.get<ClientAuthenticationRoute | undefined>(
      CLIENT_AUTHENTICATION_ROUTE,
      context.getHandler(),
    );
    if (!route) {
      throw new Error('ClientAuthGuard needs @ClientAuthentication({ path }) on the route');
    }
    const req = context.switchToHttp().getRequest<Request>();
    const params = TokenParams.from(req.body, route.repeatable);
    route.before?.(params);
    const auth = await this.clientAuth.authenticate({
      authorization: req.headers.authorization,
      params,
      endpointUrl: this.clientAuth.endpointUrl(route.path),
    });
    // The request's log line names the client (docs/operations.md "Logs").
    noteClientId(req, auth.client.clientId);
    outcomes.set(req, { params, auth });
    return true;
  }
}

/** Declares how the route authenticates its client and guards it with {@link ClientAuthGuard}. */
export function ClientAuthentication(route: ClientAuthenticationRoute): MethodDecorator {
  return applyDecorators(
    SetMetadata(CLIENT_AUTHENTICATION_ROUTE, route),
    UseGuards(ClientAuthGuard),
  );
}

function outcomeOf(context: ExecutionContext): ClientAuthenticationOutcome {
  const outcome = outcomes.get(context.switchToHttp().getRequest<Request>());
  // Only a route without @ClientAuthentication gets here: a programming error, so a 500.
  if (!outcome) throw new Error('The route is not guarded by ClientAuthGuard');
  return outcome;
}

/** The client {@link ClientAuthGuard} authenticated, and by which method. */
export const AuthenticatedClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientAuthenticationResult =>
    outcomeOf(context).auth,
);

/** The request's parameters as {@link ClientAuthGuard} read them. */
export const ClientRequestParams = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TokenParams => outcomeOf(context).params,
);
