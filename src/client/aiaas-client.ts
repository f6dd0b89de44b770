import type { Agent, Dispatcher } from 'undici';
import type { Budget } from '../cost/budget.js';
import type { Quote } from '../cost/cost-estimator.js';
import { Ledger } from '../cost/ledger.js';
import { InvalidOptionError } from '../errors/index.js';
import { CostAccounting } from '../metering/cost-accounting.js';
import { meteringMiddleware } from '../metering/metering-middleware.js';
import {
  defaultUncertainChargeWaitMs,
  serverBillingSourceFor,
  UncertainCharges,
} from '../metering/uncertain-charge.js';
import { joinUrl } from '../providers/base-provider.js';
import { createProvider } from '../providers/create-provider.js';
import type { Provider, ProviderName } from '../providers/provider-types.js';
import { defaultRetryPolicy } from '../retry/retry-policy.js';
import { RetryThrottleRegistry } from '../retry/retry-throttle.js';
import { createAgent } from '../transport/create-agent.js';
import { HttpTransport } from '../transport/http-transport.js';
import { createRedactor, sensitiveHeaderNames } from '../transport/redactor.js';
import { createSdkLogger, isLogLevel, resolveLogLevel } from '../transport/sdk-logger.js';
import {
  type TokenizeRequest,
  type TokenizeResponse,
  tokenizeRequestSchema,
} from '../wire/openai/tokenize-schemas.js';
import type { AiaasClientOptions } from './aiaas-client-options.js';
import type { APIPromise } from './api-promise.js';
import { type QuoteOptions, type QuoteParams, quoteCall } from './call-quote.js';
import { createRetryCallRunner } from './call-runner.js';
import { type ClientContext, executeCall } from './client-context.js';
import { resolveClientOptions } from './client-options.js';
import { describeValue } from './option-validation.js';
import type { RequestOptions } from './request-options.js';
import { validateRequest } from './request-validation.js';
import { ChatCompletions } from './resources/chat-completions-resource.js';
import { Completions } from './resources/completions-resource.js';
import { Embeddings } from './resources/embeddings-resource.js';
import { Files } from './resources/files-resource.js';
import { FineTuning } from './resources/fine-tuning-jobs-resource.js';
import { Inference } from './resources/inference-resource.js';
import { Models } from './resources/models-resource.js';
import { sdkVersion } from './sdk-version.js';
import { telemetryCallMiddleware } from './telemetry-call-middleware.js';

/**
 * The aiaas client: one object for OpenAI-compatible servers, Open Inference Protocol v2
 * servers and Ollama, over a keep-alive undici Agent. Every call goes through the retry layer
 * (one idempotency key per call) and the cost layer (price check, budget reservation, one
 * ledger entry per attempt that may cost money).
 *
 * @example
 * const client = new AiaasClient({ baseURL: server.url, apiKey: 'sk-test', pricing: 'server', tags: { app: 'demo' } });
 * const completion = await client.chat.completions.create(chat('ref-chat').user('hi'));
 * const { data, usage, cost } = await client.chat.completions.create(params).withResponse();
 * const stream = await client.chat.completions.stream(params);
 * console.log(await client.ledger.total());
 * await client.close();
 */
export class AiaasClient {
  readonly providerName: ProviderName;
  /** The dialect adapter; its `do*` methods are the low-level calls resources make. */
  readonly provider: Provider;
  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly chat: { readonly completions: ChatCompletions };
  readonly completions: Completions;
  readonly embeddings: Embeddings;
  readonly models: Models;
  /** OpenAI's files API: upload, list, retrieve, read and delete files (the openai provider only). */
  readonly files: Files;
  /** OpenAI's fine-tuning jobs API: create, list, retrieve, cancel, events, checkpoints, and `wait` (the openai provider only). */
  readonly fineTuning: FineTuning;
  readonly inference: Inference;
  /** Every attempt that may have cost money (an in-memory ledger unless `ledger` was given). */
  readonly ledger: Ledger;
  /** The spending limits every call reserves against, when `budget` was given. */
  readonly budget: Budget | undefined;
  /** Shared by the resources: the provider, the retry runner, the cost layer and the defaults. */
  protected readonly context: ClientContext;
  readonly #ownedAgent: Agent | undefined;
  readonly #uncertainCharges: UncertainCharges;
  #closing: Promise<void> | undefined;

  constructor(options: AiaasClientOptions = {}) {
    const resolved = resolveClientOptions(options, process.env);
    this.providerName = resolved.provider;
    this.timeout = resolved.timeout;
    this.maxRetries = resolved.maxRetries;
    const defaultHeaders = options.defaultHeaders ?? {};
    const headerSecrets = Object.entries(defaultHeaders)
      .filter(([name]) => sensitiveHeaderNames.has(name.toLowerCase()))
      .map(([, value]) => value.replace(/^(Bearer|Basic)\s+/i, ''));
    const redactor = createRedactor([resolved.apiKey, ...headerSecrets]);
    const logger = createSdkLogger(
      options.logger ?? console,
      resolveLogLevel(options.logLevel, process.env.AIAAS_LOG),
      redactor,
      { argumentOrder: options.logArgumentOrder },
    );
    const environmentLevel = process.env.AIAAS_LOG?.trim().toLowerCase();
    if (options.logLevel === undefined && environmentLevel && !isLogLevel(environmentLevel)) {
      logger.warn(
        `AIAAS_LOG="${environmentLevel}" is not a level (debug, info, warn, error, off); using ${logger.level}.`,
      );
    }
    this.#ownedAgent = options.dispatcher ? undefined : createAgent({ connections: options.connections });
    const dispatcher: Dispatcher = options.dispatcher ?? (this.#ownedAgent as Agent);
    const transport = new HttpTransport({
      dispatcher,
      timeout: resolved.timeout,
      defaultHeaders: {
        accept: 'application/json',
        'user-agent': `aiaas/${sdkVersion} node/${process.versions.node}`,
        ...(resolved.apiKey ? { authorization: `Bearer ${resolved.apiKey}` } : {}),
        ...defaultHeaders,
      },
      middleware: [...(options.telemetry ? [options.telemetry] : []), ...(options.middleware ?? [])],
      logger,
      redactor,
      maxResponseBytes: resolved.maxResponseBytes,
    });
    this.provider = createProvider(resolved.provider, { transport, baseURL: resolved.baseURL });
    this.baseURL = this.provider.baseURL;
    this.ledger = options.ledger ?? new Ledger();
    this.budget = options.budget;
    this.budget?.adoptLedger(this.ledger);
    const pricingUrl =
      this.provider.name === 'openai'
        ? joinUrl(this.provider.baseURL, 'pricing')
        : joinUrl(this.provider.baseURL, 'v1/pricing');
    const defaultAuthorization = Object.entries(defaultHeaders).find(
      ([name]) => name.toLowerCase() === 'authorization',
    )?.[1];
    // Only aiaas/server keeps a billing record per request (in each of its dialects, Ollama's
    // included); `pricing: 'server'` is how the client knows it talks to one (it loads that
    // server's rate card). Others are charged their maximum.
    const billingSource =
      options.pricing === 'server'
        ? serverBillingSourceFor(
            this.provider.baseURL,
            defaultAuthorization ?? (resolved.apiKey ? `Bearer ${resolved.apiKey}` : undefined),
            dispatcher,
          )
        : undefined;
    this.#uncertainCharges = new UncertainCharges({
      billingSource,
      waitMs: options.uncertainChargeWaitMs ?? defaultUncertainChargeWaitMs,
      logger,
    });
    const costs = new CostAccounting({
      pricing: options.pricing,
      ledger: this.ledger,
      budget: options.budget,
      costBounds: options.costBounds,
      tags: options.tags ?? {},
      apiKeyId: options.apiKeyId,
      provider: resolved.provider,
      loadServerPricing: () =>
        executeCall(
          this.context,
          'pricing',
          {},
          () => (callOptions) => transport.requestJson({ method: 'GET', url: pricingUrl }, callOptions),
        ),
    });
    const metering = meteringMiddleware({ costs, uncertainCharges: this.#uncertainCharges, logger });
    this.context = {
      provider: this.provider,
      transport,
      // One throttle registry per client: all its calls to a failing origin share the retry tokens.
      runCall: createRetryCallRunner({
        baseURL: this.provider.baseURL,
        throttles: new RetryThrottleRegistry(options.retryThrottle ?? {}),
        logger,
      }),
      defaults: {
        maxRetries: resolved.maxRetries,
        timeout: resolved.timeout,
        deadline: resolved.deadline,
        retryPolicy: options.retryPolicy ?? defaultRetryPolicy(),
        onRetry: options.onRetry,
        idempotencyHeader: options.idempotencyHeader,
        firstTokenTimeout: options.firstTokenTimeout,
        idleTimeout: options.idleTimeout,
        maxResumes: options.maxResumes,
      },
      costs,
      // Telemetry outside metering: the call span sees the recorded usage and cost.
      middleware: options.telemetry ? [telemetryCallMiddleware(options.telemetry), metering] : [metering],
      logger,
    };
    this.chat = { completions: new ChatCompletions(this.context) };
    this.completions = new Completions(this.context);
    this.embeddings = new Embeddings(this.context);
    this.models = new Models(this.context);
    this.files = new Files(this.context);
    this.fineTuning = new FineTuning(this.context);
    this.inference = new Inference(this.context);
  }

  /**
   * Counts tokens with the server's tokenizer (vLLM-style `POST /tokenize`, openai provider).
   *
   * @example
   * const { count, tokens } = await client.tokenize({ model: 'ref-chat', prompt: 'hello' });
   */
  tokenize(params: TokenizeRequest, options: RequestOptions = {}): APIPromise<TokenizeResponse> {
    return executeCall(this.context, 'tokenize', options, () => {
      const request = validateRequest(tokenizeRequestSchema, params, 'tokenize request');
      return (providerOptions) => this.provider.doTokenize(request, providerOptions);
    });
  }

  /**
   * What a call can cost before it is sent: `min` is its input alone, `max` its input plus the
   * full output cap (`max_tokens` × `n`). The prompt is counted locally with gpt-tokenizer, or
   * exactly by the provider's `/tokenize` with `{ exact: true }` (falling back to the local count
   * when there is none). Needs `pricing`. A budgeted call reserves this `max` (local count).
   *
   * @example
   * const { min, max, promptTokens, provenance } = await client.quote(chat('ref-chat').user('hi').maxTokens(64), { exact: true });
   * console.log(`between ${min} and ${max}`);
   */
  quote(params: QuoteParams, options: QuoteOptions = {}): Promise<Quote> {
    return quoteCall(this.context.costs, (request) => this.tokenize(request), params, options);
  }

  /**
   * Resolves once every call that failed after its request may have reached the provider has its
   * charge recorded: from the provider's billing record, or at its reserved maximum after
   * `uncertainChargeWaitMs`. Until then such a call's budget reservation stays held.
   *
   * @example
   * await client.settled();
   * console.log(await client.ledger.total()); // includes the timed-out calls the provider billed
   */
  settled(): Promise<void> {
    return this.#uncertainCharges.settled();
  }

  /**
   * Ends the client: after `graceMs` (0 by default: at once), every call and stream still in
   * flight is aborted and rejects with an `AbortError` (code `client_closed`) — a stream's ledger
   * entry is still written, as `aborted` — and the client's own sockets are closed (an injected
   * `dispatcher` is left open for its owner). During the grace, calls already under way may
   * finish, retry or resume; after it, every call fails at once. It then waits for the charges
   * of calls whose answer never came (see {@link settled}), so none is lost. Idempotent: later
   * calls return the first one's promise.
   *
   * @example
   * process.once('SIGTERM', () => void client.close({ graceMs: 5_000 }));
   */
  close(options: { graceMs?: number | undefined } = {}): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const graceMs = options.graceMs ?? 0;
    if (typeof graceMs !== 'number' || Number.isNaN(graceMs) || graceMs < 0) {
      const allowed = 'a number of milliseconds ≥ 0';
      return Promise.reject(
        new InvalidOptionError(
          `Invalid close option \`graceMs\`: got ${describeValue(graceMs)}; expected ${allowed}.`,
          {
            option: 'graceMs',
            allowed,
          },
        ),
      );
    }
    this.#closing = this.context.transport
      .close(graceMs)
      // The billing reads go through the client's own Agent: it closes after them.
      .then(() => this.#uncertainCharges.settled())
      .then(() => this.#ownedAgent?.close());
    return this.#closing;
  }
}
