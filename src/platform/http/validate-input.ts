import { ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe } from './configure-http';

const pipe = createValidationPipe();

/** Validates and converts a value with the same rules as the global pipe, for routes that accept two forms. */
export async function validateInput<T extends object>(
  metatype: new () => T,
  value: unknown,
  type: ArgumentMetadata['type'],
): Promise<T> {
  return (await pipe.transform(value ?? {}, { type, metatype })) as T;
}
