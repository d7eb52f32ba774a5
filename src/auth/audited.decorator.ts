import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'tradeplane:audit-action';

/**
 * Records every call of the route in the audit trail under `action` (who, from where, on which
 * `:id`, with what result). One line per admin or control route.
 */
export function Audited(action: string): MethodDecorator {
  return SetMetadata(AUDIT_ACTION, action);
}
