import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseStructured } from '../../../src/builders/structured-output.js';
import { chat, InvalidOptionError, tool, ValidationError, zodResponseFormat } from '../../../src/index.js';

const Person = z.object({ name: z.string(), age: z.int().optional() });
const { $schema: _header, ...personSchema } = z.toJSONSchema(Person, { io: 'output' });

describe('zodResponseFormat and the chat builder', () => {
  it('sends a strict json_schema made by z.toJSONSchema, without the $schema header', () => {
    const format = zodResponseFormat(Person, 'person');
    expect(JSON.parse(JSON.stringify(format))).toEqual({
      type: 'json_schema',
      json_schema: { name: 'person', strict: true, schema: personSchema },
    });
    expect(format.json_schema.schema).not.toHaveProperty('$schema');
    const built = chat('m').user('hi').responseFormat(Person).build();
    expect(built.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'response', strict: true },
    });
  });

  it('reads answers with the schema, naming the path of a mismatch', () => {
    expect(parseStructured(Person, '{"name":"Ada"}', 'content')).toEqual({ name: 'Ada' });
    const error = (() => {
      try {
        return parseStructured(Person, '{"name":3}', 'choices.0.message.content');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('choices.0.message.content.name');
    expect(() => parseStructured(Person, '{"name"', 'content')).toThrow(ValidationError);
  });
});

describe('tool', () => {
  it('declares a strict function from zod parameters, with nothing else on the wire', () => {
    const weather = tool({ name: 'get_weather', parameters: Person, execute: () => 'sunny' });
    expect(JSON.parse(JSON.stringify(weather))).toEqual({
      type: 'function',
      function: { name: 'get_weather', parameters: personSchema, strict: true },
    });
  });

  it('rejects a name OpenAI would refuse', () => {
    expect(() => tool({ name: 'get weather', parameters: Person, execute: () => 1 })).toThrow(
      InvalidOptionError,
    );
  });
});
