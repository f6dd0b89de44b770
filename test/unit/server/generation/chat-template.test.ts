import { describe, expect, it } from 'vitest';
import { renderChatPrompt } from '../../../../src/server/generation/chat-template.js';

describe('renderChatPrompt', () => {
  it('writes one labelled line per message and ends with the assistant cue', () => {
    expect(
      renderChatPrompt([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'tool', content: '{"ok":true}' },
        { role: 'developer', content: 'Use plain words.' },
        { role: 'user', content: 'And the economy?' },
      ]),
    ).toBe(
      'System: Be brief.\nUser: Hi\nAssistant: Hello.\nTool: {"ok":true}\nSystem: Use plain words.\nUser: And the economy?\nAssistant:',
    );
  });

  it('renders no messages as the bare cue', () => {
    expect(renderChatPrompt([])).toBe('Assistant:');
  });
});
