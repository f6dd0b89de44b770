import type { TemplateMessage } from './model-contracts.js';

const roleLabels: Record<TemplateMessage['role'], string> = {
  system: 'System',
  // "developer" is the newer name OpenAI gives system instructions; the model knows one label.
  developer: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

/**
 * Renders chat messages as the plain-text transcript ref-chat was trained on: one
 * `Label: content` line per message, then `Assistant:` for the model to continue.
 * The server counts prompt tokens over exactly this string.
 *
 * @example
 * renderChatPrompt([{ role: 'user', content: 'Hello' }]); // 'User: Hello\nAssistant:'
 */
export function renderChatPrompt(messages: readonly TemplateMessage[]): string {
  let prompt = '';
  for (const message of messages) prompt += `${roleLabels[message.role]}: ${message.content}\n`;
  return `${prompt}Assistant:`;
}
