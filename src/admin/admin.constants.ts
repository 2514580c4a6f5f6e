/** The reference's standard texts of the administration API (reference §5.4). */
export const ADMIN_MESSAGES = {
  400: 'Invalid request parameters',
  401: 'Unauthenticated: provide a valid Bearer Token',
  403: 'Insufficient permissions: administrator role required',
  404: 'Client not found or does not belong to the current tenant',
  500: 'Internal server error',
} as const;
