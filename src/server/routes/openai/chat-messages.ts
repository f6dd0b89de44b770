import type { ChatMessage } from '../../../wire/openai/chat-schemas.js';
import type { TemplateMessage } from '../../generation/model-contracts.js';
import { badRequest } from '../../http/http-error.js';

function textOf(content: ChatMessage['content'], param: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      throw badRequest(
        `ref-chat reads text only; a '${part.type}' part cannot be used.`,
        `${param}.${index}`,
        'unsupported_content',
      );
    })
    .join('\n');
}

/**
 * The chat template's view of OpenAI messages: text content only (text parts joined by
 * newlines); an image or audio part is a 400 naming it, not silently dropped. An assistant's
 * tool calls become `name(arguments)` lines; tool results are `Tool:` lines of the template.
 *
 * @example
 * templateMessagesOf([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]); // [{ role: 'user', content: 'Hi' }]
 */
export function templateMessagesOf(messages: readonly ChatMessage[]): TemplateMessage[] {
  return messages.map((message, index) => {
    const text = textOf(message.content, `messages.${index}.content`);
    if (message.role !== 'assistant' || message.tool_calls === undefined)
      return { role: message.role, content: text };
    // The model reads text only: an assistant's tool calls are written out as calls.
    const calls = message.tool_calls.map((call) => `${call.function.name}(${call.function.arguments})`);
    return { role: 'assistant', content: [text, ...calls].filter((part) => part !== '').join('\n') };
  });
}
