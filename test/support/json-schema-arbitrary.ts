import fc from 'fast-check';
import { z } from 'zod';

/** A JSON schema in the subset aiaas/server constrains decoding to. */
export type TestSchema = Record<string, unknown>;

const propertyName = fc.constantFrom(
  'id',
  'name',
  'age',
  'tags',
  'price',
  'active',
  'kind',
  'note',
  'city',
  'b_x',
);
const word = fc.constantFrom('red', 'green', 'the people', 'tax', 'x"y', 'ünï');

function leafSchema(): fc.Arbitrary<TestSchema> {
  return fc.oneof(
    fc.constant({ type: 'string' }),
    fc.record({ type: fc.constant('string'), maxLength: fc.integer({ min: 1, max: 12 }) }),
    fc.constant({ type: 'integer' }),
    fc.constant({ type: 'number' }),
    fc.constant({ type: 'boolean' }),
    fc.constant({ type: 'null' }),
    fc.constant({ type: ['string', 'null'] }),
    fc.uniqueArray(word, { minLength: 1, maxLength: 3 }).map((values) => ({ type: 'string', enum: values })),
    fc.integer({ min: -5, max: 50 }).map((value) => ({ const: value })),
  );
}

/** Objects (closed, every property required, as OpenAI's strict mode asks) and arrays nested two deep. */
export const jsonSchemaArbitrary: fc.Arbitrary<TestSchema> = fc.letrec<{
  value: TestSchema;
  object: TestSchema;
}>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafSchema(),
    tie('object'),
    fc
      .record({
        items: fc.oneof(leafSchema(), tie('object')),
        minItems: fc.integer({ min: 0, max: 1 }),
        extra: fc.integer({ min: 0, max: 3 }),
      })
      .map(({ items, minItems, extra }) => ({ type: 'array', items, minItems, maxItems: minItems + extra })),
  ),
  object: fc.dictionary(propertyName, tie('value'), { minKeys: 1, maxKeys: 3 }).map((properties) => ({
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  })),
})).object;

/** Values of a schema from {@link jsonSchemaArbitrary}. */
export function valueArbitrary(schema: TestSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((one) => valueArbitrary({ ...schema, type: one })));
  switch (type) {
    case 'object': {
      const properties = schema.properties as Record<string, TestSchema>;
      return fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, valueArbitrary(value)])),
      );
    }
    case 'array':
      return fc.array(valueArbitrary(schema.items as TestSchema), {
        minLength: schema.minItems as number,
        maxLength: schema.maxItems as number,
      });
    case 'string':
      return fc
        .string({ unit: 'binary', maxLength: (schema.maxLength as number | undefined) ?? 12 })
        .filter((text) => !/[\uD800-\uDFFF]/.test(text));
    case 'integer':
      return fc.integer({ min: -1e9, max: 1e9 });
    case 'number':
      // The server keeps exponents to two digits, so no number it writes overflows to Infinity.
      return fc
        .double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 })
        .filter((value) => !/e[+-]?\d{3}/.test(JSON.stringify(value)));
    case 'boolean':
      return fc.boolean();
    default:
      return fc.constant(null);
  }
}

/** A zod validator of a JSON schema (zod 4's own reading of it). */
export function validatorOf(schema: TestSchema): z.ZodType {
  return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
}
