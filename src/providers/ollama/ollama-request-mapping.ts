import { ValidationError } from '../../errors/index.js';
import type { OllamaChatMessage, OllamaChatRequest } from '../../wire/ollama/ollama-chat-schemas.js';
import type { OllamaOptions } from '../../wire/ollama/ollama-common.js';
import type { OllamaEmbedRequest } from '../../wire/ollama/ollama-embed-schemas.js';
import type { OllamaGenerateRequest } from '../../wire/ollama/ollama-generate-schemas.js';
import type { ChatCompletionRequest, ChatMessage } from '../../wire/openai/chat-schemas.js';
import type { CompletionRequest } from '../../wire/openai/completion-schemas.js';
import type { EmbeddingRequest } from '../../wire/openai/embedding-schemas.js';
import { UnsupportedOperationError } from '../unsupported-operation-error.js';

type SamplingParams = Pick<
  ChatCompletionRequest,
  | 'temperature'
  | 'top_p'
  | 'top_k'
  | 'max_tokens'
  | 'stop'
  | 'seed'
  | 'presence_penalty'
  | 'frequency_penalty'
  | 'n'
> & { max_completion_tokens?: number | null | undefined };

function invalidRequest(path: string, message: string): never {
  throw new ValidationError(`Invalid request for the ollama provider: ${path}: ${message}`, {
    issues: [{ path, message }],
    subject: 'request',
  });
}

/** OpenAI sampling fields as Ollama `options` (llama.cpp names); unset fields are left out. */
export function toOllamaOptions(params: SamplingParams): OllamaOptions | undefined {
  if (params.n != null && params.n > 1) {
    throw new UnsupportedOperationError(
      'ollama',
      'n > 1',
      'Ollama returns one choice per request; send n requests.',
    );
  }
  const options: OllamaOptions = {};
  if (params.temperature != null) options.temperature = params.temperature;
  if (params.top_p != null) options.top_p = params.top_p;
  if (params.top_k != null && params.top_k > 0) options.top_k = params.top_k;
  const maxTokens = params.max_completion_tokens ?? params.max_tokens;
  if (maxTokens != null) options.num_predict = maxTokens;
  if (params.stop != null) options.stop = typeof params.stop === 'string' ? [params.stop] : [...params.stop];
  if (params.seed != null) options.seed = params.seed;
  if (params.presence_penalty != null) options.presence_penalty = params.presence_penalty;
  if (params.frequency_penalty != null) options.frequency_penalty = params.frequency_penalty;
  return Object.keys(options).length === 0 ? undefined : options;
}

const dataUrlPattern = /^data:[^;,]+;base64,(.*)$/s;

function toOllamaMessage(message: ChatMessage, index: number): OllamaChatMessage {
  const role = message.role === 'developer' ? 'system' : message.role;
  const texts: string[] = [];
  const images: string[] = [];
  const content = message.content ?? '';
  if (typeof content === 'string') texts.push(content);
  else {
    content.forEach((part, partIndex) => {
      const path = `messages.${index}.content.${partIndex}`;
      if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      else if (part.type === 'image_url') {
        const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
        const base64 = typeof url === 'string' ? dataUrlPattern.exec(url)?.[1] : undefined;
        if (base64 === undefined) invalidRequest(path, 'Ollama takes images only as base64 data URLs');
        images.push(base64);
      } else invalidRequest(path, `content part type "${part.type}" is not supported by Ollama`);
    });
  }
  const mapped: OllamaChatMessage = { role, content: texts.join('') };
  if (images.length > 0) mapped.images = images;
  if (message.role === 'assistant' && message.tool_calls?.length) {
    mapped.tool_calls = message.tool_calls.map((call, callIndex) => {
      try {
        return {
          function: { name: call.function.name, arguments: JSON.parse(call.function.arguments || '{}') },
        };
      } catch {
        return invalidRequest(
          `messages.${index}.tool_calls.${callIndex}.function.arguments`,
          'not valid JSON',
        );
      }
    });
  }
  return mapped;
}

/** An OpenAI-shaped chat request as an Ollama `/api/chat` body. */
export function toOllamaChatRequest(params: ChatCompletionRequest, stream: boolean): OllamaChatRequest {
  const body: OllamaChatRequest = {
    model: params.model,
    messages: params.messages.map(toOllamaMessage),
    stream,
  };
  const options = toOllamaOptions(params);
  if (options) body.options = options;
  const format = params.response_format;
  if (format?.type === 'json_object') body.format = 'json';
  if (format?.type === 'json_schema')
    body.format =
      (format as { json_schema: { schema?: Record<string, unknown> } }).json_schema.schema ?? 'json';
  if (params.tools) body.tools = params.tools as Array<Record<string, unknown>>;
  return body;
}

/** An OpenAI-shaped text completion as an Ollama `/api/generate` body (`raw`, so no chat template is applied). */
export function toOllamaGenerateRequest(params: CompletionRequest): OllamaGenerateRequest {
  const prompt = params.prompt;
  const text =
    typeof prompt === 'string'
      ? prompt
      : prompt.length === 1 && typeof prompt[0] === 'string'
        ? prompt[0]
        : undefined;
  if (text === undefined) {
    throw new UnsupportedOperationError(
      'ollama',
      'completions with several prompts or token ids',
      'Send one string prompt per request.',
    );
  }
  const body: OllamaGenerateRequest = { model: params.model, prompt: text, raw: true, stream: false };
  if (params.suffix != null) body.suffix = params.suffix;
  const options = toOllamaOptions(params);
  if (options) body.options = options;
  return body;
}

/** An OpenAI-shaped embeddings request as an Ollama `/api/embed` body. */
export function toOllamaEmbedRequest(params: EmbeddingRequest): OllamaEmbedRequest {
  const input = params.input;
  const isText = typeof input === 'string' || input.every((item) => typeof item === 'string');
  if (!isText) throw new UnsupportedOperationError('ollama', 'embeddings of token ids', 'Send text input.');
  const body: OllamaEmbedRequest = { model: params.model, input: input as string | string[] };
  if (params.dimensions !== undefined) body.dimensions = params.dimensions;
  return body;
}
