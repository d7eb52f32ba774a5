import { QueryFailedError } from 'typeorm';

/** Whether a database error is a unique constraint refusing a row (SQLSTATE 23505), on PostgreSQL and PGlite. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  return code === '23505' || driverError?.code === '23505';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/**
 * Whether an error is the database's failing to complete a statement or a transaction (a statement
 * refused with an SQLSTATE, a deadlock, a lost connection) rather than a fault of the code.
 */
export function isDatabaseFailure(error: unknown): boolean {
  if (error instanceof QueryFailedError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || NETWORK_CODES.has(code))) return true;
  return /connection terminated|Connection is not established|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}
