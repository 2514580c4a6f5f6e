/** Injection token of the resolved `ObservabilitySettings` (the module's options over their defaults). */
export const OBSERVABILITY_SETTINGS = Symbol('OBSERVABILITY_SETTINGS');
