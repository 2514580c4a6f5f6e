/** Injection token of the resolved {@link TokenSettings} (TokenModule's options over their defaults). */
export const TOKEN_SETTINGS = Symbol('TOKEN_SETTINGS');
