import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';

/** The parts of an OpenAPI 3.0 document the fuzzer reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: Array<Record<string, string[]>>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export interface FuzzOperation {
  method: string;
  path: string;
  operation: Operation;
}

export interface FuzzRequest {
  method: string;
  /** Path with its parameters filled in and the query string. */
  url: string;
  body: string | undefined;
  /** Whether the request is built to be valid by the spec (invalid ones may still be accepted). */
  valid: boolean;
}

export function operationsOf(document: OpenApiDocument): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(item))
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
        operations.push({ method: method.toUpperCase(), path, operation });
  return operations;
}

/** Values no schema expects: wrong types, extremes, odd text, deep and big JSON. */
const HOSTILE: unknown[] = [
  null,
  true,
  0,
  -1,
  -0.5,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  '',
  ' ',
  'NaN',
  'Infinity',
  '-1',
  '1e308',
  'null',
  'undefined',
  '0x10',
  '../../etc/passwd',
  "' OR 1=1 --",
  '%00',
  '\u0000\u0001\u001f',
  '🦄💥',
  'ǅ\u202eabc',
  'x'.repeat(10_000),
  [],
  [null],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
];

/** Loopback only: a fuzzed webhook or other address must never leave the machine (port 9: discard). */
const LOOPBACK_URL = fc
  .webPath()
  .map((path) => `http://127.0.0.1:9${path.startsWith('/') ? path : `/${path}`}`);

function deepJson(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Arbitraries of values valid by a schema (resolving $ref in the document's components). */
export class SchemaArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<unknown>>();

  constructor(private readonly document: OpenApiDocument) {}

  resolve(schema: Schema): Schema {
    let current = schema;
    for (let i = 0; current.$ref && i < 10; i++)
      current = this.document.components.schemas[current.$ref.replace('#/components/schemas/', '')] ?? {};
    return current;
  }

  valid(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
    if (!schema) return fc.constant(undefined);
    if (schema.$ref) {
      const cached = this.cache.get(schema.$ref);
      if (cached) return cached;
      const arbitrary = depth > 6 ? fc.constant({}) : this.valid(this.resolve(schema), depth + 1);
      this.cache.set(schema.$ref, arbitrary);
      return arbitrary;
    }
    const base = this.validOf(schema, depth);
    return schema.nullable
      ? fc.oneof({ weight: 5, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) })
      : base;
  }

  private validOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.oneOf) return fc.oneof(...schema.oneOf.map((option) => this.valid(option, depth + 1)));
    if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => this.valid(option, depth + 1)));
    if (schema.allOf)
      return fc
        .tuple(...schema.allOf.map((part) => this.valid(part, depth + 1)))
        .map((parts): unknown =>
          Object.assign({}, ...parts.filter((part): part is object => !!part && typeof part === 'object')),
        );
    switch (schema.type) {
      case 'boolean':
        return fc.boolean();
      case 'integer': {
        const min = schema.minimum ?? -1000;
        const max = schema.maximum ?? Math.max(min + 1000, 1000);
        return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      }
      case 'number': {
        const min = schema.minimum ?? -1e6;
        const max = schema.maximum ?? 1e6;
        return fc.double({
          min,
          max,
          noNaN: true,
          noDefaultInfinity: true,
          minExcluded: schema.exclusiveMinimum === true,
        });
      }
      case 'string':
        return this.string(schema);
      case 'array': {
        const items = this.valid(schema.items ?? {}, depth + 1);
        return fc.array(items, {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        });
      }
      case 'object':
      case undefined: {
        if (!schema.properties) return fc.constant({});
        if (depth > 6) return fc.constant({});
        const required = new Set(schema.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(schema.properties))
          record[name] = /url$/i.test(name) ? LOOPBACK_URL : this.valid(property, depth + 1);
        return fc.record(record, { requiredKeys: [...required].filter((name) => name in record) });
      }
      default:
        return fc.anything();
    }
  }

  private string(schema: Schema): fc.Arbitrary<unknown> {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.min(schema.maxLength ?? 40, 60);
    switch (schema.format) {
      case 'uuid':
        return fc.uuid();
      case 'date-time':
        return fc
          .date({
            min: new Date('2020-01-01T00:00:00Z'),
            max: new Date('2030-01-01T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((date) => date.toISOString());
      case 'email':
        return fc.emailAddress();
      case 'uri':
        return LOOPBACK_URL;
      default:
        break;
    }
    if (schema.pattern) {
      try {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((text) => text.length >= minLength && text.length <= Math.max(maxLength, minLength));
      } catch {
        // A pattern JavaScript cannot compile: plain text instead.
      }
    }
    return fc.string({ minLength, maxLength: Math.max(maxLength, minLength) });
  }

  /** A value that breaks the schema (or merely odd), and a body of the kinds the issue lists. */
  invalid(schema: Schema | undefined): fc.Arbitrary<unknown> {
    const resolved = schema ? this.resolve(schema) : {};
    const breakOne =
      resolved.properties && Object.keys(resolved.properties).length > 0
        ? fc
            .tuple(
              this.valid(resolved),
              fc.constantFrom(...Object.keys(resolved.properties)),
              fc.constantFrom(...HOSTILE),
            )
            .map(([value, key, hostile]) => ({ ...(value as object), [key]: hostile }))
        : fc.constantFrom(...HOSTILE);
    const missingRequired =
      resolved.required && resolved.required.length > 0
        ? fc.tuple(this.valid(resolved), fc.constantFrom(...resolved.required)).map(([value, key]) => {
            const copy = { ...(value as Record<string, unknown>) };
            delete copy[key];
            return copy;
          })
        : fc.constantFrom(...HOSTILE);
    const unknownField = this.valid(resolved).map((value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? { ...value, unexpectedField: 'x' }
        : value,
    );
    return fc.oneof(
      breakOne,
      missingRequired,
      unknownField,
      fc.constantFrom(...HOSTILE),
      fc.constant(deepJson(200)),
      fc.constant({ big: 'y'.repeat(1_000_000) }),
      fc.anything(),
    );
  }
}

function pathValue(
  parameter: Parameter,
  arbitraries: SchemaArbitraries,
  valid: boolean,
): fc.Arbitrary<string> {
  const good = arbitraries.valid(parameter.schema ?? { type: 'string' }).map((value) => String(value));
  if (valid) return good.filter((text) => text.length > 0);
  return fc.constantFrom(
    '0',
    '-1',
    'null',
    'not-a-uuid',
    '%00',
    '..',
    'x'.repeat(200),
    '1e308',
    '🦄',
    '%E0%A4%A',
  );
}

function queryValue(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** The part of an operation's path before its first parameter: what its ids belong to. */
export function collectionOf(op: FuzzOperation): string {
  return op.path.split('/{')[0];
}

/**
 * One request to an operation: valid by its schemas, or broken in one of the ways the issue lists.
 * `known` are values of path parameters by name (ids the API answered for this operation's
 * collection): with them, the path names things that exist, so the request gets past the lookup.
 */
export function requestArbitrary(
  op: FuzzOperation,
  arbitraries: SchemaArbitraries,
  known: Record<string, string[]> = {},
): fc.Arbitrary<FuzzRequest> {
  const parameters = op.operation.parameters ?? [];
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const bodySchema = op.operation.requestBody?.content?.['application/json']?.schema;
  return fc.tuple(fc.boolean(), fc.nat(9)).chain(([valid, dice]) => {
    // Most invalid requests keep valid path parameters, so that their query and body get checked.
    const pathValid = valid || dice >= 3;
    const path = fc.tuple(
      ...pathParameters.map((parameter) =>
        pathValid && known[parameter.name]?.length
          ? fc.constantFrom(...known[parameter.name])
          : pathValue(parameter, arbitraries, pathValid),
      ),
    );
    const query = fc.tuple(
      ...queryParameters.map((parameter) =>
        fc.option(
          valid
            ? arbitraries.valid(parameter.schema)
            : fc.oneof(arbitraries.valid(parameter.schema), arbitraries.invalid(parameter.schema)),
          { nil: undefined, freq: parameter.required ? 100 : 2 },
        ),
      ),
    );
    const body = bodySchema
      ? valid
        ? arbitraries.valid(bodySchema)
        : arbitraries.invalid(bodySchema)
      : fc.option(fc.constant({ unexpected: true }), { nil: undefined, freq: 4 });
    return fc.tuple(path, query, body).map(([pathValues, queryValues, bodyValue]) => {
      let url = op.path;
      pathParameters.forEach((parameter, index) => {
        url = url.replace(`{${parameter.name}}`, encodeURIComponent(pathValues[index]));
      });
      const search = new URLSearchParams();
      queryParameters.forEach((parameter, index) => {
        const value = queryValues[index];
        if (value !== undefined) search.set(parameter.name, queryValue(value).slice(0, 2_000));
      });
      const text = search.toString();
      return {
        method: op.method,
        url: text ? `${url}?${text}` : url,
        body:
          bodyValue === undefined || op.method === 'GET' || op.method === 'DELETE'
            ? undefined
            : JSON.stringify(bodyValue),
        valid,
      };
    });
  });
}

/** OpenAPI 3.0 schemas as JSON Schema (nullable, $ref into components) for Ajv. */
export function responseValidators(document: OpenApiDocument): (schema: Schema) => ValidateFunction {
  const convert = (schema: unknown): unknown => {
    if (Array.isArray(schema)) return schema.map(convert);
    if (!schema || typeof schema !== 'object') return schema;
    const source = schema as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(source)) {
      if (key === 'nullable' || key === 'example' || key === 'examples') continue;
      if (key === '$ref') out.$ref = String(value).replace('#/components/schemas/', '#/definitions/');
      else if (key === 'properties' && value && typeof value === 'object')
        out.properties = Object.fromEntries(
          Object.entries(value).map(([name, property]) => [name, convert(property)]),
        );
      else out[key] = convert(value);
    }
    if (source.nullable === true) {
      if (out.$ref || out.allOf || out.oneOf || out.anyOf) return { anyOf: [out, { type: 'null' }] };
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    }
    return out;
  };
  const definitions = Object.fromEntries(
    Object.entries(document.components.schemas).map(([name, schema]) => [name, convert(schema)]),
  );
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction>();
  return (schema: Schema) => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ ...(convert(schema) as object), definitions });
      compiled.set(key, validate);
    }
    return validate;
  };
}
