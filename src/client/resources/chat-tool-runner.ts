import { isRunnableTool, type RunnableTool, runToolKey } from '../../builders/tool-definition.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import type {
  ChatCompletion,
  ChatCompletionRequest,
  ChatMessage,
  ToolCall,
} from '../../wire/openai/chat-schemas.js';

/** `runTools()` params: chat params whose tools come from `tool()`, and the most calls to make. */
export type RunToolsParams = ChatCompletionRequest & {
  tools: RunnableTool[];
  /** Most chat calls the loop makes, 1 or more (default 5). */
  maxSteps?: number;
};

export interface RunToolsResult {
  /** The last completion: the answer, or a tool call the step limit cut off. */
  completion: ChatCompletion;
  /** Every completion, one per step, in order (each one metered and in the ledger). */
  steps: ChatCompletion[];
  /** The conversation: the messages given, each step's assistant message and every tool result. */
  messages: ChatMessage[];
}

const defaultMaxSteps = 5;

function maxStepsOf(params: RunToolsParams): number {
  const maxSteps = params.maxSteps ?? defaultMaxSteps;
  if (!Number.isInteger(maxSteps) || maxSteps < 1)
    throw new InvalidOptionError(`maxSteps must be an integer of 1 or more; got ${maxSteps}.`, {
      option: 'maxSteps',
      allowed: 'an integer of 1 or more',
    });
  for (const [index, given] of params.tools.entries()) {
    if (!isRunnableTool(given))
      throw new InvalidOptionError(`tools.${index} was not made by tool(): runTools() cannot run it.`, {
        option: `tools.${index}`,
        allowed: 'tools made by tool({ name, parameters, execute })',
      });
  }
  return maxSteps;
}

async function toolResult(tools: readonly RunnableTool[], call: ToolCall, at: string) {
  const runnable = tools.find((candidate) => candidate.function.name === call.function.name);
  if (runnable === undefined)
    throw new ValidationError(`The model called '${call.function.name}', which is not among the tools.`, {
      subject: 'response',
      issues: [{ path: `${at}.function.name`, message: 'unknown tool' }],
    });
  const result = await runnable[runToolKey](call.function.arguments, `${at}.function.arguments`);
  return typeof result === 'string' ? result : JSON.stringify(result ?? null);
}

/**
 * The loop behind `client.chat.completions.runTools()`: call, run every tool call with its
 * validated arguments, send the results back, until the model answers without calling a
 * tool or `maxSteps` calls were made. A forced `tool_choice` applies to the first step only,
 * so the model can answer once it has the results.
 *
 * @example
 * const { completion, steps } = await runToolLoop((request) => client.chat.completions.create(request), params);
 */
export async function runToolLoop(
  create: (request: ChatCompletionRequest) => Promise<ChatCompletion>,
  params: RunToolsParams,
): Promise<RunToolsResult> {
  const maxSteps = maxStepsOf(params);
  const { maxSteps: _maxSteps, tools, tool_choice: firstChoice, ...request } = params;
  const wireTools = tools.map((given) => ({ type: given.type, function: given.function }));
  const messages: ChatMessage[] = [...request.messages];
  const steps: ChatCompletion[] = [];
  for (;;) {
    const choice = steps.length === 0 && firstChoice !== undefined ? { tool_choice: firstChoice } : {};
    const completion = await create({ ...request, messages: [...messages], tools: wireTools, ...choice });
    steps.push(completion);
    const message = completion.choices[0]?.message;
    const calls = message?.tool_calls ?? [];
    if (message === undefined || calls.length === 0 || steps.length === maxSteps)
      return { completion, steps, messages };
    messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: calls });
    for (const [index, call] of calls.entries()) {
      const content = await toolResult(tools, call, `choices.0.message.tool_calls.${index}`);
      messages.push({ role: 'tool', tool_call_id: call.id, content });
    }
  }
}
