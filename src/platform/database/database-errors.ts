/** Whether a database error is a unique constraint refusing a row (SQLSTATE 23505), on PostgreSQL and PGlite. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  return code === '23505' || driverError?.code === '23505';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/**
 * Whether the database could not complete a statement for reasons of its own, so that the same request
 * may succeed when sent again: the connection lost or refused (SQLSTATE class 08, a network error),
 * the server shutting down (57P01-57P03) or out of resources (class 53), or the transaction rolled
 * back as a deadlock or serialization failure (40P01, 40001). Refusals of the statement itself
 * (constraints, bad values) are not: sending them again changes nothing.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, driverError, message } = error as {
    code?: unknown;
    driverError?: { code?: unknown };
    message?: unknown;
  };
  const sqlState = typeof code === 'string' ? code : driverError?.code;
  if (typeof sqlState === 'string') {
    if (NETWORK_CODES.has(sqlState) || ['40001', '40P01', '57P01', '57P02', '57P03'].includes(sqlState))
      return true;
    if (/^(08|53)[0-9A-Z]{3}$/.test(sqlState)) return true;
  }
  return (
    typeof message === 'string' &&
    /connection terminated|Connection is not established|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}
