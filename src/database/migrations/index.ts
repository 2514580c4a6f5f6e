import type { MigrationInterface } from 'typeorm';
import { CreateOAuthClients1732800000000 } from './1732800000000-CreateOAuthClients.js';
import { CreateRateLimitCounters1732800001000 } from './1732800001000-CreateRateLimitCounters.js';
import { CreateSigningKeys1732800002000 } from './1732800002000-CreateSigningKeys.js';
import { CreateUsers1732800002100 } from './1732800002100-CreateUsers.js';
import { CreateTokenTables1732800003000 } from './1732800003000-CreateTokenTables.js';
import { CreateAuthorizeTables1732800004000 } from './1732800004000-CreateAuthorizeTables.js';
import { AddResourceIndicators1732800005000 } from './1732800005000-AddResourceIndicators.js';
import { AddIdTokenSignedResponseAlg1732800006000 } from './1732800006000-AddIdTokenSignedResponseAlg.js';
import { AddSigningKeyActivation1733300000000 } from './1733300000000-AddSigningKeyActivation.js';
import { AddClientAllowedResources1733700000000 } from './1733700000000-AddClientAllowedResources.js';
import { CreateClientAuditLogs1734200000000 } from './1734200000000-CreateClientAuditLogs.js';
import { AddClientStatusAndAdminAccess1734200001000 } from './1734200001000-AddClientStatusAndAdminAccess.js';
import { AddUserRoles1734200002000 } from './1734200002000-AddUserRoles.js';
import { CreateClientSecrets1734300000000 } from './1734300000000-CreateClientSecrets.js';
import { CreateClientTokenUsage1734300001000 } from './1734300001000-CreateClientTokenUsage.js';
import { AddClientIntrospectionAndUsage1734400000000 } from './1734400000000-AddClientIntrospectionAndUsage.js';
import { AddTokenUserIndexes1734400001000 } from './1734400001000-AddTokenUserIndexes.js';
import { AddConsentVersion1734500000000 } from './1734500000000-AddConsentVersion.js';
import { AddClientSelfRegistered1734500001000 } from './1734500001000-AddClientSelfRegistered.js';
import { AddClientLogoutMetadata1734600000000 } from './1734600000000-AddClientLogoutMetadata.js';
import { AddLogoutSessions1734600001000 } from './1734600001000-AddLogoutSessions.js';
import { AddRequirePushedAuthorizationRequests1734700000000 } from './1734700000000-AddRequirePushedAuthorizationRequests.js';
import { CreatePushedAuthorizationRequests1734700001000 } from './1734700001000-CreatePushedAuthorizationRequests.js';
import { CreateClientMetadataDocuments1734700002000 } from './1734700002000-CreateClientMetadataDocuments.js';
import { WidenClientIdColumns1734700003000 } from './1734700003000-WidenClientIdColumns.js';
import { AddDpop1734800000000 } from './1734800000000-AddDpop.js';
import { AddDpopBoundAccessTokens1735000000000 } from './1735000000000-AddDpopBoundAccessTokens.js';
import { AddRefreshTokenSid1735200000000 } from './1735200000000-AddRefreshTokenSid.js';
import { AddDpopJkt1735500000000 } from './1735500000000-AddDpopJkt.js';

type MigrationClass = new () => MigrationInterface;

/**
 * Every migration, in order. Listed explicitly (not globbed) so that the same list works from compiled
 * JavaScript, from the TypeScript test runner and from the TypeORM CLI. Each feature module adds its own
 * file here; migrations are never edited once merged.
 */
export const MIGRATIONS: MigrationClass[] = [
  CreateOAuthClients1732800000000,
  CreateRateLimitCounters1732800001000,
  CreateSigningKeys1732800002000,
  CreateUsers1732800002100,
  CreateTokenTables1732800003000,
  CreateAuthorizeTables1732800004000,
  AddResourceIndicators1732800005000,
  AddIdTokenSignedResponseAlg1732800006000,
  AddSigningKeyActivation1733300000000,
  AddClientAllowedResources1733700000000,
  CreateClientAuditLogs1734200000000,
  AddClientStatusAndAdminAccess1734200001000,
  AddUserRoles1734200002000,
  CreateClientSecrets1734300000000,
  CreateClientTokenUsage1734300001000,
  AddClientIntrospectionAndUsage1734400000000,
  AddTokenUserIndexes1734400001000,
  AddConsentVersion1734500000000,
  AddClientSelfRegistered1734500001000,
  AddClientLogoutMetadata1734600000000,
  AddLogoutSessions1734600001000,
  AddRequirePushedAuthorizationRequests1734700000000,
  CreatePushedAuthorizationRequests1734700001000,
  CreateClientMetadataDocuments1734700002000,
  WidenClientIdColumns1734700003000,
  AddDpop1734800000000,
  AddDpopBoundAccessTokens1735000000000,
  AddRefreshTokenSid1735200000000,
  AddDpopJkt1735500000000,
];

/**
 * The migrations that create and evolve the tables of `ClientRegistrationModule` (`oauth_clients`,
 * `client_secrets`, `rate_limit_counters`), in order: what a host application that embeds only that module runs on its own
 * connection (docs/extending.md). A new migration of those tables goes into this list too;
 * `test/client-registration-host.e2e-spec.ts` fails when the list and the entities disagree.
 */
export const CLIENT_REGISTRATION_MIGRATIONS: MigrationClass[] = [
  CreateOAuthClients1732800000000,
  CreateRateLimitCounters1732800001000,
  AddIdTokenSignedResponseAlg1732800006000,
  AddClientAllowedResources1733700000000,
  CreateClientAuditLogs1734200000000,
  AddClientStatusAndAdminAccess1734200001000,
  CreateClientSecrets1734300000000,
  AddClientIntrospectionAndUsage1734400000000,
  AddClientSelfRegistered1734500001000,
  AddClientLogoutMetadata1734600000000,
  AddRequirePushedAuthorizationRequests1734700000000,
  CreateClientMetadataDocuments1734700002000,
  AddDpopBoundAccessTokens1735000000000,
];
