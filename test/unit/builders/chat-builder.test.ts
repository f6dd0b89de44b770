import { describe, expect, it } from 'vitest';
import { ChatBuilder, chat, isChatBuilder } from '../../../src/builders/chat-builder.js';
import { ValidationError } from '../../../src/errors/index.js';

function validationErrorOf(build: () => unknown): ValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('chat builder', () => {
  it('builds params with every setter', () => {
    const params = chat('ref-chat')
      .system('Be brief.')
      .user('Hi')
      .assistant('Hello!')
      .user([{ type: 'text', text: 'And now?' }])
      .temperature(0.5)
      .topP(0.9)
      .maxTokens(16)
      .stop(['\n'])
      .seed(7)
      .n(2)
      .responseFormat('json_object')
      .tools([{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }])
      .set({ user: 'u-1' })
      .build();
    expect(params).toEqual({
      model: 'ref-chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'And now?' }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      max_tokens: 16,
      stop: ['\n'],
      seed: 7,
      n: 2,
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      user: 'u-1',
    });
  });

  it('is immutable: a shared base is never changed by what is built on it', () => {
    const base = chat('ref-chat').system('s').temperature(0);
    const first = base.user('one').build();
    const second = base.user('two').temperature(1).build();
    expect(first.messages).toHaveLength(2);
    expect(first.temperature).toBe(0);
    expect(second.messages.at(-1)).toEqual({ role: 'user', content: 'two' });
    expect(second.temperature).toBe(1);
    expect(base.build.bind(base)).not.toThrow();
    expect(base.build().messages).toHaveLength(1);
  });

  it('adds tool calls and tool results', () => {
    const params = chat('m')
      .user('weather?')
      .assistant(null, [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }])
      .tool('call_1', 'sunny')
      .build();
    expect(params.messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'sunny' });
  });

  it('fails at build time on temperature 3, naming the field', () => {
    const error = validationErrorOf(() => chat('m').user('x').temperature(3).build());
    expect(error.path).toBe('temperature');
    expect(error.subject).toBe('request');
    expect(error.message).toMatch(/^Invalid chat request: temperature: /);
  });

  it('fails on empty messages, n 0, top_p 0, five stop sequences, and an empty model', () => {
    expect(validationErrorOf(() => chat('m').build()).path).toBe('messages');
    expect(validationErrorOf(() => chat('m').user('x').n(0).build()).path).toBe('n');
    expect(validationErrorOf(() => chat('m').user('x').topP(0).build()).path).toBe('top_p');
    expect(validationErrorOf(() => chat('m').user('x').stop(['a', 'b', 'c', 'd', 'e']).build()).path).toBe(
      'stop',
    );
    expect(validationErrorOf(() => chat('').user('x').build()).path).toBe('model');
    expect(validationErrorOf(() => chat('m').user('x').seed(1.5).build()).path).toBe('seed');
  });

  it('is recognised as a builder, params are not', () => {
    expect(isChatBuilder(chat('m'))).toBe(true);
    expect(chat('m')).toBeInstanceOf(ChatBuilder);
    expect(isChatBuilder({ model: 'm', messages: [] })).toBe(false);
  });
});
