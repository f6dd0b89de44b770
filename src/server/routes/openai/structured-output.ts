import { randomBytes } from 'node:crypto';
import type { ChatCompletionRequest } from '../../../wire/openai/chat-schemas.js';
import type { ChatTokenizer } from '../../generation/chat-tokenizer.js';
import {
  ConstrainedSequence,
  type JsonConstraint,
} from '../../generation/constrained/constrained-sequence.js';
import { TokenVocabulary } from '../../generation/constrained/token-vocabulary.js';
import { badRequest } from '../../http/http-error.js';
import { checkedConstraint } from '../json-constraint.js';

/** What a chat request asks ref-chat to write: plain text, JSON of a schema, or a call of one tool. */
export type ChatOutput =
  | { kind: 'text' }
  | { kind: 'json'; constraint: JsonConstraint }
  | { kind: 'tool'; constraint: JsonConstraint; toolName: string };

const anyObject = { type: 'object' };

/** The tool a forced tool choice calls: the named one, or for `required` one picked by the seed. */
function forcedTool(request: ChatCompletionRequest, seed: number): number | undefined {
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === undefined || choice === 'auto' || choice === 'none') return undefined;
  if (choice === 'required') return (seed >>> 0) % tools.length;
  if (typeof choice === 'string')
    throw badRequest(
      `tool_choice must be 'auto', 'none', 'required' or a function; got '${choice}'.`,
      'tool_choice',
    );
  const name = (choice as { function?: { name?: unknown } }).function?.name;
  const index = tools.findIndex((tool) => tool.function.name === name);
  if (choice.type !== 'function' || index === -1)
    throw badRequest(
      `tool_choice names no function of tools: ${JSON.stringify(name)}.`,
      'tool_choice.function.name',
    );
  return index;
}

/**
 * Reads `response_format`, `tools` and `tool_choice`: a forced tool choice makes a tool call
 * whose arguments follow the function's `parameters`; a JSON response format makes JSON of its
 * schema; anything else (tool_choice `auto`/`none` included) is plain text. A schema outside
 * the supported subset is a 400 naming the keyword and its path.
 *
 * @example
 * chatOutputOf({ ...request, response_format: { type: 'json_object' } }, 42); // { kind: 'json', constraint: { schema: { type: 'object' } } }
 */
export function chatOutputOf(request: ChatCompletionRequest, seed: number): ChatOutput {
  const toolIndex = forcedTool(request, seed);
  let output: ChatOutput = { kind: 'text' };
  if (toolIndex !== undefined) {
    const tool = request.tools![toolIndex]!;
    const parameters = tool.function.parameters ?? anyObject;
    const constraint = checkedConstraint(parameters, `tools.${toolIndex}.function.parameters`);
    output = { kind: 'tool', constraint, toolName: tool.function.name };
  } else if (request.response_format?.type === 'json_object') {
    output = { kind: 'json', constraint: { schema: anyObject } };
  } else if (request.response_format?.type === 'json_schema') {
    const schema = request.response_format.json_schema.schema ?? anyObject;
    output = { kind: 'json', constraint: checkedConstraint(schema, 'response_format.json_schema.schema') };
  }
  if (output.kind !== 'text' && request.stop != null && request.stop.length > 0)
    throw badRequest(
      'stop cannot be used with JSON output or a forced tool call: it would cut the JSON.',
      'stop',
    );
  return output;
}

/** A 400 when `maxTokens` cannot fit even the shortest JSON the constraint allows. */
export function checkConstraintBudget(
  output: ChatOutput,
  tokenizer: ChatTokenizer,
  maxTokens: number,
  param: string,
): void {
  if (output.kind === 'text') return;
  const needed = new ConstrainedSequence(TokenVocabulary.of(tokenizer), output.constraint).tokensToFinish();
  if (needed > maxTokens)
    throw badRequest(
      `${param} is ${maxTokens}, but the shortest JSON the schema allows takes ${needed} tokens.`,
      param,
    );
}

/** A tool call id such as `call_3f9a…`. */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}
