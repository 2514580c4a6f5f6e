// Public surface of the configuration: the application's validated settings. Only the composition
// (AppModule, main.ts, the CLI, ormconfig.ts) reads them; feature modules take their own options
// (ADR 0021, ADR 0028).
export {
  AppConfig,
  loadConfig,
  type AuthorizeConfig,
  type BackchannelLogoutConfig,
  type ClientIdMetadataConfig,
  type ClientReapingConfig,
  type DatabaseConfig,
  type JwksFetchConfig,
  type KeysConfig,
  type ParConfig,
  type RateLimitSetting,
  type RateLimitsConfig,
  type RegistrationConfig,
  type TokenConfig,
} from './app-config.js';
export { AppConfigModule } from './config.module.js';
export { renderConfigurationTable, withTable } from './configuration-table.js';
