import type { ProviderStream } from '../../providers/provider-types.js';
import type { ClientContext } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';
import { type ChatCompletionParams, resolveChatParams } from './chat-completions-resource.js';

/**
 * The hook for the streaming layer: validates the params, then opens a streamed chat through
 * the call runner (so opening the stream is retried like any call) and hands back the unread
 * response (`format` says `sse` or `ndjson`). The body is never buffered here.
 *
 * @example
 * const raw = await openChatStream(context, chat('ref-chat').user('hi'), {});
 * for await (const bytes of raw.body) parser.feed(bytes);
 */
export async function openChatStream(
  context: ClientContext,
  params: ChatCompletionParams,
  options: RequestOptions = {},
): Promise<ProviderStream> {
  const request = resolveChatParams(params);
  return context.runCall(
    (attempt) =>
      context.provider.doStream(request, {
        signal: attempt.signal,
        timeout: options.timeout,
        headers: options.headers,
        idempotencyKey: attempt.idempotencyKey,
      }),
    {
      operation: 'chat.completions.stream',
      maxRetries: options.maxRetries ?? context.maxRetries,
      signal: options.signal,
      idempotencyKey: options.idempotencyKey,
    },
  );
}
