import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import {
  ADMIN_SCOPE,
  ClientAdministrationService,
  OAuthError,
} from '../client-registration/index.js';
import { AppConfigModule } from '../config/index.js';
import { CliModule } from './cli.module.js';
import { errorMessage, StderrLogger, type CliIo } from './cli-io.js';

const USAGE = `Usage: npm run client:create -- --name <name> [--admin] [--introspect]
         [--redirect-uri <uri> ...] [--scope "<scope> ..."]

Creates a confidential client (client_secret_basic) and prints one JSON object
{"client_id": ..., "client_secret": ...} on standard output; the secret is shown only this once.

  --admin            the client may obtain the "admin" scope of the administration API: it gets the
                     client_credentials grant and the scope "admin" (docs/administration.md)
  --introspect       the client may introspect tokens issued to other clients (a resource server,
                     RFC 7662 §4); without it a client learns only about its own tokens
                     (docs/internal-api.md)
  --redirect-uri     repeatable: the client also gets the authorization_code and refresh_token grants
                     with these redirect URIs (with --admin, an administrator signing in through it
                     obtains "admin" only when the user has the admin role)
  --scope            the client's scope (space-separated); default: "admin" with --admin (plus
                     "openid" with redirect URIs), else the server's default scope
`;

/**
 * `npm run client:create`: the operator's way to create a client, in particular the first one allowed
 * the administration API (issue 8). The creation is audited (actor `cli`). Returns the exit code: 0
 * created, 1 refused (invalid metadata, configuration, database), 2 bad command line.
 */
export async function runClientCreate(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        name: { type: 'string' },
        admin: { type: 'boolean' },
        introspect: { type: 'boolean' },
        'redirect-uri': { type: 'string', multiple: true },
        scope: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (!values.name?.trim()) {
    io.stderr.write(`--name is required\n\n${USAGE}`);
    return 2;
  }
  try {
    AppConfigModule.load(io.env);
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n`);
    return 1;
  }
  const admin = values.admin ?? false;
  const redirectUris = values['redirect-uri'] ?? [];
  const grantTypes = [
    ...(redirectUris.length ? ['authorization_code', 'refresh_token'] : []),
    ...(admin || !redirectUris.length ? ['client_credentials'] : []),
  ];
  const scope =
    values.scope ??
    (admin ? (redirectUris.length ? `openid ${ADMIN_SCOPE}` : ADMIN_SCOPE) : undefined);

  let app;
  try {
    app = await NestFactory.createApplicationContext(CliModule.forClientAdministration(io.env), {
      logger: new StderrLogger(io.stderr),
      abortOnError: false,
    });
    const issued = await app.get(ClientAdministrationService).create(
      {
        name: values.name.trim(),
        redirectUris,
        grantTypes,
        clientAuthMethods: ['client_secret_basic'],
        scopes: scope?.split(' ').filter(Boolean),
      },
      { type: 'cli' },
      { origin: 'cli', adminAccess: admin, introspectAnyToken: values.introspect ?? false },
    );
    io.stdout.write(
      `${JSON.stringify({ client_id: issued.client.id, client_secret: issued.clientSecret })}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof OAuthError && e.status < 500) {
      io.stderr.write(`client:create: ${e.description ?? e.error}\n`);
    } else {
      io.stderr.write(`client:create failed: ${errorMessage(e)}\n`);
    }
    return 1;
  } finally {
    await app?.close();
  }
}
