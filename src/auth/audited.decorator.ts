import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AUDIT_ACTION } from './audit-action';
import { AuditInterceptor } from './audit.interceptor';

/**
 * Records every call of the route in the audit trail under `action` (who, from where, on which
 * `:id`, with what result). One line per admin or control route. The interceptor is attached only to
 * these routes, so the others pay nothing for it.
 */
export function Audited(action: string): MethodDecorator {
  return applyDecorators(SetMetadata(AUDIT_ACTION, action), UseInterceptors(AuditInterceptor));
}
