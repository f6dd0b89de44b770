/**
 * The compiled form of a JSON schema in the subset constrained decoding supports. Each node has
 * an `id` unique within its schema, so a decoding state can be named by the nodes it is in.
 */
export type SchemaNode =
  | { id: number; kind: 'any' }
  | {
      id: number;
      kind: 'object';
      /** Declared properties, in declaration order. */
      properties: ReadonlyMap<string, SchemaNode>;
      required: readonly string[];
      /** The schema of undeclared keys, or `false` when none are allowed. */
      additional: SchemaNode | false;
    }
  | { id: number; kind: 'array'; items: SchemaNode; minItems: number; maxItems: number | undefined }
  | { id: number; kind: 'string'; minLength: number; maxLength: number | undefined }
  | { id: number; kind: 'number'; integer: boolean; nonNegative: boolean; maxDigits: number | undefined }
  /** enum, const, booleans and null: the exact JSON texts allowed. */
  | { id: number; kind: 'literal'; texts: readonly string[] }
  /** Options that each start with a different character, so the first character chooses one. */
  | { id: number; kind: 'union'; options: readonly SchemaNode[] };

export type ObjectNode = Extract<SchemaNode, { kind: 'object' }>;
export type ArrayNode = Extract<SchemaNode, { kind: 'array' }>;
export type StringNode = Extract<SchemaNode, { kind: 'string' }>;
export type NumberNode = Extract<SchemaNode, { kind: 'number' }>;

/** A schema the server cannot constrain to: names the keyword and where it is. */
export class UnsupportedSchemaError extends Error {
  readonly keyword: string;
  readonly path: string;

  constructor(message: string, keyword: string, path: string) {
    super(message);
    this.name = 'UnsupportedSchemaError';
    this.keyword = keyword;
    this.path = path;
  }
}

/** The characters a value of `node` can start with. */
export function firstCharacters(node: SchemaNode): string {
  switch (node.kind) {
    case 'any':
      return '{["-0123456789tfn';
    case 'object':
      return '{';
    case 'array':
      return '[';
    case 'string':
      return '"';
    case 'number':
      return node.nonNegative ? '0123456789' : '-0123456789';
    case 'literal':
      return [...new Set(node.texts.map((text) => text[0]!))].join('');
    case 'union':
      return node.options.map(firstCharacters).join('');
  }
}

/** The shortest JSON text that is a valid value of `node` (what a forced completion writes). */
export function shortestValue(node: SchemaNode): string {
  switch (node.kind) {
    case 'any':
    case 'number':
      return '0';
    case 'object':
      return `{${node.required.map((key) => `${JSON.stringify(key)}:${shortestValue(node.properties.get(key)!)}`).join(',')}}`;
    case 'array':
      return `[${Array.from({ length: node.minItems }, () => shortestValue(node.items)).join(',')}]`;
    case 'string':
      return `"${paddingCharacter.repeat(node.minLength)}"`;
    case 'literal':
      return shortestOf(node.texts);
    case 'union':
      return shortestOf(node.options.map(shortestValue));
  }
}

/** What a forced completion writes into a string that is still too short. */
export const paddingCharacter = 'a';

export function shortestOf(texts: readonly string[]): string {
  return texts.reduce((best, text) => (text.length < best.length ? text : best));
}
