import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { ClientsService, InvalidAllowedResourcesError } from '../client-registration/index.js';
import { AppConfigModule } from '../config/index.js';
import { CliModule } from './cli.module.js';
import { errorMessage, StderrLogger, type CliIo } from './cli-io.js';

const USAGE = `Usage: npm run client:resources -- <client_id> [--allow <uri> ...] [--none] [--clear]

Shows or sets the RFC 8707 resources one client may request tokens for (the "resource" parameter
at /oauth/authorize and /oauth/token, which becomes the access token's aud). Each <uri> is an
absolute URI matched exactly, or a prefix when it ends in "/".

  (no option)      print the client's list, one entry per line, or "(RESOURCE_INDICATORS_ALLOWED)"
                   when the server-wide list applies to it
  --allow <uri>    repeatable: the client may request exactly these (replaces the server-wide list
                   for this client, so it can also grant resources that list does not name)
  --none           the client may request no resource at all
  --clear          the server-wide RESOURCE_INDICATORS_ALLOWED applies to the client again
`;

/**
 * `npm run client:resources`: the operator's way to set a client's allowed resource indicators (issue 7
 * item 5). Self-registered clients cannot set them: a list chosen by the client would narrow nothing.
 * Returns the exit code: 0 done, 1 refused (unknown client, bad URI, database), 2 bad command line.
 */
export async function runClientResources(argv: string[], io: CliIo): Promise<number> {
  let clientId: string;
  let next: string[] | null | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        allow: { type: 'string', multiple: true },
        none: { type: 'boolean' },
        clear: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('exactly one client_id is required');
    clientId = positionals[0];
    const chosen = [values.allow !== undefined, values.none, values.clear].filter(Boolean);
    if (chosen.length > 1) throw new Error('--allow, --none and --clear exclude each other');
    next = values.clear ? null : values.none ? [] : values.allow;
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n\n${USAGE}`);
    return 2;
  }
  try {
    AppConfigModule.load(io.env);
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n`);
    return 1;
  }
  let app;
  try {
    app = await NestFactory.createApplicationContext(CliModule.forRoot(io.env), {
      logger: new StderrLogger(io.stderr),
      abortOnError: false,
    });
    const clients = app.get(ClientsService);
    if (next !== undefined && !(await clients.setAllowedResources(clientId, next))) {
      io.stderr.write(`client:resources: no active client ${clientId.slice(0, 40)}\n`);
      return 1;
    }
    const client = await clients.findActiveById(clientId);
    if (!client) {
      io.stderr.write(`client:resources: no active client ${clientId.slice(0, 40)}\n`);
      return 1;
    }
    const list = client.allowedResources;
    io.stdout.write(
      list === null ? '(RESOURCE_INDICATORS_ALLOWED)\n' : list.map((r) => `${r}\n`).join(''),
    );
    return 0;
  } catch (e) {
    if (e instanceof InvalidAllowedResourcesError) {
      io.stderr.write(`client:resources: ${e.message}\n`);
    } else {
      io.stderr.write(`client:resources failed: ${errorMessage(e)}\n`);
    }
    return 1;
  } finally {
    await app?.close();
  }
}
