import { ApiError } from '../platform/http/api-error';

/** The version an If-Match header names (`3`, `"3"` or `W/"3"`); undefined without one. */
export function expectedVersionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
  if (!match)
    throw ApiError.validation(`If-Match: ${ifMatch.slice(0, 40)} is not a settings version like "3"`);
  return Number(match[1]);
}
