/** Injection token of the resolved {@link InternalApiSettings}. */
export const INTERNAL_API_SETTINGS = Symbol('INTERNAL_API_SETTINGS');
export { INTERNAL_API_KEY_SCHEME } from '../common/swagger/swagger.setup.js';
/** The header the internal API key travels in (reference O50-O52 "InternalAPIKeyAuth"). */
export const INTERNAL_API_KEY_HEADER = 'x-api-key';
