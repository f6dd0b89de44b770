import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../../../../src/server/generation/constrained/compile-schema.js';
import { UnsupportedSchemaError } from '../../../../../src/server/generation/constrained/schema-nodes.js';

function rejection(schema: unknown): UnsupportedSchemaError {
  try {
    compileSchema(schema, 'schema');
  } catch (error) {
    if (error instanceof UnsupportedSchemaError) return error;
    throw error;
  }
  throw new Error('The schema was accepted.');
}

describe('compileSchema', () => {
  it('names the unsupported keyword and its JSON path', () => {
    const cases: [unknown, string, string][] = [
      [
        { type: 'object', properties: { a: { type: 'string', pattern: 'x' } } },
        'pattern',
        'schema.properties.a.pattern',
      ],
      [{ type: 'object', properties: { a: { $ref: '#/$defs/a' } } }, '$ref', 'schema.properties.a.$ref'],
      [
        { type: 'object', properties: { a: { type: 'integer', minimum: 3 } } },
        'minimum',
        'schema.properties.a.minimum',
      ],
      [
        { type: 'object', properties: { a: { type: 'array', items: { format: 'email', type: 'string' } } } },
        'format',
        'schema.properties.a.items.format',
      ],
      [
        { type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { enum: ['x'] }] } } },
        'anyOf',
        'schema.properties.a.anyOf',
      ],
      [{ type: 'object', oneOf: [] }, 'oneOf', 'schema.oneOf'],
      [{ type: 'object', propertyNames: { pattern: '^a' } }, 'propertyNames', 'schema.propertyNames'],
      [{ type: 'string' }, 'type', 'schema.type'],
      [{ type: 'object', properties: { a: { type: 'date' } } }, 'type', 'schema.properties.a.type'],
      [
        { type: 'object', properties: { a: { type: 'string', minLength: 4, maxLength: 2 } } },
        'maxLength',
        'schema.properties.a.maxLength',
      ],
    ];
    for (const [schema, keyword, path] of cases) {
      const error = rejection(schema);
      expect({ keyword: error.keyword, path: error.path }, JSON.stringify(schema)).toEqual({ keyword, path });
    }
  });

  it('accepts what zod writes: safe-integer bounds, nullable types, const, annotations', () => {
    const root = compileSchema(
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        description: 'a citizen',
        properties: {
          age: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
          count: { type: 'integer', minimum: 0 },
          note: { type: ['string', 'null'] },
          kind: { type: 'number', const: 3 },
          state: { anyOf: [{ type: 'string', enum: ['Ohio'] }, { type: 'null' }] },
          scores: {
            type: 'object',
            propertyNames: { type: 'string' },
            additionalProperties: { type: 'number' },
          },
        },
        required: ['age'],
        additionalProperties: false,
      },
      'schema',
    );
    expect(root.kind).toBe('object');
  });
});
