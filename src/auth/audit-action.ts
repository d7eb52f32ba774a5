/** Metadata key of @Audited: the action name of the route's audit lines. */
export const AUDIT_ACTION = 'tradeplane:audit-action';
