import { firstCharacters, type SchemaNode, UnsupportedSchemaError } from './schema-nodes.js';

/** Keywords that describe a value without constraining it. */
const annotations = new Set([
  'title',
  'description',
  '$schema',
  '$id',
  '$comment',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'strict',
]);
const typeKeywords: Record<string, readonly string[]> = {
  object: ['properties', 'required', 'additionalProperties', 'propertyNames'],
  array: ['items', 'minItems', 'maxItems'],
  string: ['minLength', 'maxLength'],
  number: ['minimum', 'maximum'],
  integer: ['minimum', 'maximum'],
};
const knownTypes = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];
/** Integers are kept to 15 digits when bounds ask for safe integers: |x| < 10^15 < 2^53. */
const safeDigits = 15;
const maxNodes = 2_000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

class SchemaCompiler {
  #nextId = 0;

  node(schema: unknown, path: string): SchemaNode {
    if (this.#nextId >= maxNodes)
      throw new UnsupportedSchemaError(`The schema has more than ${maxNodes} parts.`, 'properties', path);
    if (schema === true || (isObject(schema) && Object.keys(schema).every((key) => annotations.has(key))))
      return { id: this.#nextId++, kind: 'any' };
    if (!isObject(schema)) throw new UnsupportedSchemaError('A schema must be an object.', 'schema', path);
    for (const keyword of Object.keys(schema)) {
      const known =
        annotations.has(keyword) ||
        ['type', 'enum', 'const', 'anyOf'].includes(keyword) ||
        Object.values(typeKeywords).some((keywords) => keywords.includes(keyword));
      if (!known)
        throw new UnsupportedSchemaError(
          `The JSON schema keyword '${keyword}' is not supported by constrained decoding.`,
          keyword,
          `${path}.${keyword}`,
        );
    }
    if (schema.const !== undefined) return this.#literal([schema.const], path);
    if (schema.enum !== undefined) {
      if (!Array.isArray(schema.enum) || schema.enum.length === 0)
        throw new UnsupportedSchemaError('enum must be a non-empty array.', 'enum', `${path}.enum`);
      return this.#literal(schema.enum, path);
    }
    if (schema.anyOf !== undefined) {
      if (!Array.isArray(schema.anyOf) || schema.anyOf.length === 0)
        throw new UnsupportedSchemaError('anyOf must be a non-empty array.', 'anyOf', `${path}.anyOf`);
      return this.#union(
        schema.anyOf.map((option, index) => this.node(option, `${path}.anyOf.${index}`)),
        'anyOf',
        path,
      );
    }
    const types = this.#types(schema, path);
    if (types.length === 1) return this.#typed(types[0]!, schema, path);
    return this.#union(
      types.map((type) => this.#typed(type, schema, path)),
      'type',
      path,
    );
  }

  #types(schema: Json, path: string): string[] {
    const declared = schema.type;
    if (declared === undefined) {
      if ('properties' in schema || 'additionalProperties' in schema) return ['object'];
      if ('items' in schema) return ['array'];
      return knownTypes.filter((type) => type !== 'integer');
    }
    const types = Array.isArray(declared) ? declared : [declared];
    for (const type of types) {
      if (typeof type !== 'string' || !knownTypes.includes(type))
        throw new UnsupportedSchemaError(`Unknown type ${JSON.stringify(type)}.`, 'type', `${path}.type`);
    }
    return types as string[];
  }

  #literal(values: readonly unknown[], path: string): SchemaNode {
    const texts = [...new Set(values.map((value) => JSON.stringify(value)))];
    for (const text of texts) {
      if (text === undefined || text === '')
        throw new UnsupportedSchemaError('enum values must be JSON.', 'enum', path);
    }
    return { id: this.#nextId++, kind: 'literal', texts };
  }

  #union(options: SchemaNode[], keyword: string, path: string): SchemaNode {
    if (options.length === 1) return options[0]!;
    const seen = new Set<string>();
    for (const option of options) {
      for (const character of firstCharacters(option)) {
        if (seen.has(character))
          throw new UnsupportedSchemaError(
            `${keyword} options must start differently (two of them can start with '${character}').`,
            keyword,
            `${path}.${keyword}`,
          );
        seen.add(character);
      }
    }
    return { id: this.#nextId++, kind: 'union', options };
  }

  #typed(type: string, schema: Json, path: string): SchemaNode {
    for (const [owner, keywords] of Object.entries(typeKeywords)) {
      if (owner === type || (type === 'integer' && owner === 'number')) continue;
      const stray = keywords.find(
        (keyword) => keyword in schema && !(typeKeywords[type] ?? []).includes(keyword),
      );
      if (stray !== undefined && !(Array.isArray(schema.type) && schema.type.includes(owner)))
        throw new UnsupportedSchemaError(
          `'${stray}' does not apply to type '${type}'.`,
          stray,
          `${path}.${stray}`,
        );
    }
    switch (type) {
      case 'object':
        return this.#object(schema, path);
      case 'array': {
        const minItems = this.#count(schema, 'minItems', path) ?? 0;
        const maxItems = this.#count(schema, 'maxItems', path);
        if (maxItems !== undefined && maxItems < minItems)
          throw new UnsupportedSchemaError('maxItems is below minItems.', 'maxItems', `${path}.maxItems`);
        const items = this.node(schema.items ?? true, `${path}.items`);
        return { id: this.#nextId++, kind: 'array', items, minItems, maxItems };
      }
      case 'string': {
        const minLength = this.#count(schema, 'minLength', path) ?? 0;
        const maxLength = this.#count(schema, 'maxLength', path);
        if (maxLength !== undefined && maxLength < minLength)
          throw new UnsupportedSchemaError('maxLength is below minLength.', 'maxLength', `${path}.maxLength`);
        return { id: this.#nextId++, kind: 'string', minLength, maxLength };
      }
      case 'number':
      case 'integer':
        return this.#number(type === 'integer', schema, path);
      case 'boolean':
        return { id: this.#nextId++, kind: 'literal', texts: ['true', 'false'] };
      default:
        return { id: this.#nextId++, kind: 'literal', texts: ['null'] };
    }
  }

  #number(integer: boolean, schema: Json, path: string): SchemaNode {
    const { minimum, maximum } = schema;
    const wide = (bound: unknown, sign: number) =>
      bound === undefined || (typeof bound === 'number' && sign * bound >= Number.MAX_SAFE_INTEGER);
    const nonNegative = minimum === 0;
    // Only bounds as wide as the safe integers (what zod writes for z.int()) or a minimum of 0 are kept.
    if (!nonNegative && !wide(minimum, -1))
      throw new UnsupportedSchemaError(
        'Only minimum 0 or a safe-integer minimum is supported.',
        'minimum',
        `${path}.minimum`,
      );
    if (!wide(maximum, 1))
      throw new UnsupportedSchemaError(
        'Only a safe-integer maximum is supported.',
        'maximum',
        `${path}.maximum`,
      );
    const bounded = minimum !== undefined || maximum !== undefined;
    return {
      id: this.#nextId++,
      kind: 'number',
      integer,
      nonNegative,
      maxDigits: bounded ? safeDigits : undefined,
    };
  }

  #count(schema: Json, keyword: string, path: string): number | undefined {
    const value = schema[keyword];
    if (value === undefined) return undefined;
    if (!isCount(value))
      throw new UnsupportedSchemaError(
        `${keyword} must be a non-negative integer.`,
        keyword,
        `${path}.${keyword}`,
      );
    return value;
  }

  #object(schema: Json, path: string): SchemaNode {
    const declared = schema.properties ?? {};
    if (!isObject(declared))
      throw new UnsupportedSchemaError('properties must be an object.', 'properties', `${path}.properties`);
    const properties = new Map<string, SchemaNode>();
    for (const [key, value] of Object.entries(declared)) {
      properties.set(key, this.node(value, `${path}.properties.${key}`));
    }
    const required = schema.required ?? [];
    if (!Array.isArray(required) || required.some((key) => typeof key !== 'string' || !properties.has(key)))
      throw new UnsupportedSchemaError(
        'required must list declared properties.',
        'required',
        `${path}.required`,
      );
    // zod writes `propertyNames: { type: 'string' }` for records: every key is a string anyway.
    const names = schema.propertyNames;
    if (
      names !== undefined &&
      !(isObject(names) && names.type === 'string' && Object.keys(names).length === 1)
    )
      throw new UnsupportedSchemaError(
        "Only propertyNames { type: 'string' } is supported.",
        'propertyNames',
        `${path}.propertyNames`,
      );
    const extra = schema.additionalProperties;
    const additional = extra === false ? false : this.node(extra ?? true, `${path}.additionalProperties`);
    return {
      id: this.#nextId++,
      kind: 'object',
      properties,
      required: [...new Set(required as string[])],
      additional,
    };
  }
}

/**
 * Compiles a JSON schema into the nodes constrained decoding runs on, or throws an
 * {@link UnsupportedSchemaError} naming the first keyword outside the supported subset and its
 * path (`path` is where the schema sits in the request).
 *
 * @example
 * compileSchema({ type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] }, 'response_format.json_schema.schema');
 */
export function compileSchema(schema: unknown, path: string): SchemaNode {
  const root = new SchemaCompiler().node(schema, path);
  if (root.kind !== 'object')
    throw new UnsupportedSchemaError('The root of the schema must be an object.', 'type', `${path}.type`);
  return root;
}
