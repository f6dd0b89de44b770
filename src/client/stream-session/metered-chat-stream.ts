import type { z } from 'zod';
import { parseStructured } from '../../builders/structured-output.js';
import type { Money } from '../../cost/money.js';
import type { Usage } from '../../cost/usage.js';
import { ChatStream, type ChatStreamFinal } from '../../streaming/chat-stream.js';
import type { StreamSession } from './stream-session.js';

/** A finished stream's result with what it cost. */
export interface MeteredChatStreamFinal<Parsed = unknown> extends ChatStreamFinal {
  /** The first choice's answer read with the zod schema of the response format, when it has one. */
  parsed?: Parsed | null;
  /** The exact price of `usageBuckets`; null when no `pricing` is configured. */
  cost: Money | null;
  /** The stream's usage as the ledger recorded it (canonical buckets, each with its provenance). */
  usageBuckets: Usage;
}

/** Which call a stream belongs to. */
export interface StreamCallInfo {
  /** The attempt that opened the stream (attempts that failed before the first event were retried). */
  readonly attempts: number;
  /** Sent on the opening request, every retry and every resume. */
  readonly idempotencyKey: string | undefined;
}

/**
 * The stream `client.chat.completions.stream()` and `client.completions.stream()` resolve to:
 * a {@link ChatStream} whose `final()` also carries the cost. Its one ledger entry is written
 * when it ends — completed, broken, aborted, or left by a `break` — so read it to the end, call
 * `final()`, or `abort()` it: a stream left dangling holds its socket and its budget reservation.
 *
 * @example
 * const stream = await client.chat.completions.stream(chat('ref-chat').user('hi').maxTokens(32));
 * for await (const text of stream.text()) process.stdout.write(text);
 * const { usage, cost } = await stream.final();
 * console.log(usage.provenance, cost?.toDecimalString());
 */
export class MeteredChatStream<Parsed = unknown> extends ChatStream {
  readonly attempts: number;
  readonly idempotencyKey: string | undefined;
  readonly #session: StreamSession;
  #outputSchema: z.ZodType | undefined;

  constructor(session: StreamSession, call: StreamCallInfo) {
    super(session, session.controller, session.requestId);
    this.#session = session;
    this.attempts = call.attempts;
    this.idempotencyKey = call.idempotencyKey;
    session.watchForStop();
  }

  /**
   * The whole result once the stream ends, with `cost` and `usageBuckets`. Rejects with the
   * stream's error; either way, once it settles the stream's ledger entry is written.
   *
   * @example
   * const { choices, usage, cost, usageBuckets } = await stream.final();
   */
  /** Reads the answer with this schema in `final().parsed` (set for a response format made from zod). */
  readOutputWith(schema: z.ZodType): void {
    this.#outputSchema = schema;
  }

  override async final(): Promise<MeteredChatStreamFinal<Parsed>> {
    let final: ChatStreamFinal;
    try {
      final = await super.final();
    } catch (error) {
      // A stream that broke or was left still has its ledger entry: once final() settles, it is written.
      await this.#session.settling?.catch(() => undefined);
      throw error;
    }
    // Settled before the stream reported its end, so this resolves at once.
    const { usage, cost } = await this.#session.completed();
    if (this.#outputSchema === undefined) return { ...final, cost, usageBuckets: usage };
    const content = final.choices[0]?.message.content;
    const parsed = content
      ? (parseStructured(this.#outputSchema, content, 'choices.0.message.content') as Parsed)
      : null;
    return { ...final, cost, usageBuckets: usage, parsed };
  }
}
