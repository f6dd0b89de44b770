import { describe, expect, it } from 'vitest';
import { parseChatFile, trainedWindows } from '../../../../src/server/fine-tuning/chat-training-data.js';
import { TrainingDataError } from '../../../../src/server/fine-tuning/training-data.js';
import { renderChatPrompt } from '../../../../src/server/generation/chat-template.js';
import { refChatTokenizer } from '../../../../src/server/models/ref-chat-base.js';

const line = (messages: unknown) => JSON.stringify({ messages });

describe('parseChatFile', () => {
  it("tokenizes a conversation as ref-chat's training documents are made: the template, the reply, end-of-text", async () => {
    const tokenizer = await refChatTokenizer();
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What about our schools?' },
      { role: 'assistant', content: 'We will build new schools.' },
    ] as const;
    const [document] = await parseChatFile(
      Buffer.from(`${line(messages)}\n`),
      'f',
      tokenizer,
      'training_file',
    );
    const text = `${renderChatPrompt(messages.slice(0, 2))} ${messages[2].content}`;
    expect([...document!.ids]).toEqual([...tokenizer.encode(text), tokenizer.endOfTextId]);
    // Only the reply (with its leading space) and the end-of-text are trained.
    const trained = [...document!.ids].filter((_, index) => document!.trained[index] === 1);
    expect(tokenizer.decode(trained)).toBe(' We will build new schools.');
    expect(trained.at(-1)).toBe(tokenizer.endOfTextId);
  });

  it("trains every reply of a multi-turn conversation with the newline ending it, except weight 0's", async () => {
    const tokenizer = await refChatTokenizer();
    const messages = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Good evening.' },
      { role: 'user', content: 'And taxes?' },
      { role: 'assistant', content: 'Lower.', weight: 0 },
      { role: 'user', content: 'Jobs?' },
      { role: 'assistant', content: 'More jobs.' },
    ];
    const [document] = await parseChatFile(Buffer.from(line(messages)), 'f', tokenizer, 'training_file');
    const trained = [...document!.ids].filter((_, index) => document!.trained[index] === 1);
    expect(tokenizer.decode(trained)).toBe(' Good evening.\n More jobs.');
    const windows = trainedWindows([document!], tokenizer.contextLength, tokenizer.padId);
    expect(windows.count).toBe(trained.length);
    expect([...windows.targets]).toEqual(trained);
  });

  it("reads OpenAI's text content parts as the text they join to", async () => {
    const tokenizer = await refChatTokenizer();
    const parts = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Our ' },
          { type: 'text', text: 'schools?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'Better schools.' }] },
    ];
    const plain = [
      { role: 'user', content: 'Our schools?' },
      { role: 'assistant', content: 'Better schools.' },
    ];
    const [fromParts] = await parseChatFile(Buffer.from(line(parts)), 'f', tokenizer, 'training_file');
    const [fromText] = await parseChatFile(Buffer.from(line(plain)), 'f', tokenizer, 'training_file');
    expect(fromParts).toEqual(fromText);
  });

  it('names the file, the line and the fault', async () => {
    const tokenizer = await refChatTokenizer();
    const good = line([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    const bad = `${good}\n\n${line([{ role: 'user', content: 7 }])}\n`;
    const failure = await parseChatFile(Buffer.from(bad), 'file-x', tokenizer, 'validation_file').catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TrainingDataError);
    expect((failure as TrainingDataError).param).toBe('validation_file');
    expect((failure as Error).message).toBe(
      'validation_file file-x, line 3: messages[0].content must be text (or an array of text parts).',
    );
  });
});

describe('parseChatFile: bounds', () => {
  const text = `${line([
    { role: 'user', content: 'What about our schools?' },
    { role: 'assistant', content: 'We will build new schools.' },
  ])}\n`.repeat(3);

  it('takes a file of exactly maxTokens tokens and stops at the line that passes them', async () => {
    const tokenizer = await refChatTokenizer();
    const documents = await parseChatFile(Buffer.from(text), 'f', tokenizer, 'training_file');
    const total = documents.reduce((sum, document) => sum + document.ids.length, 0);
    expect(await parseChatFile(Buffer.from(text), 'f', tokenizer, 'training_file', total)).toHaveLength(3);
    const perLine = documents[0]!.ids.length;
    await expect(
      parseChatFile(Buffer.from(text), 'file-big', tokenizer, 'training_file', 2 * perLine - 1),
    ).rejects.toMatchObject({
      message: `training_file file-big holds more than ${2 * perLine - 1} tokens, the most a job trains on (maxFineTuningTrainingTokens): ${2 * perLine} by line 2.`,
      param: 'training_file',
      code: 'too_many_tokens',
    });
  });
});
