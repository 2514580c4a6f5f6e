// Public surface of DiscoveryModule: other modules import only from here.
export { DiscoveryModule } from './discovery.module.js';
export { DISCOVERY_DEFAULTS, type DiscoveryModuleOptions } from './discovery.options.js';
export { CLAIMS_SUPPORTED } from './discovery.constants.js';
export { AuthorizationServerMetadata } from './dto/authorization-server-metadata.dto.js';
export { OpenIdProviderMetadata } from './dto/openid-provider-metadata.dto.js';
