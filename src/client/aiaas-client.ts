import type { Agent, Dispatcher } from 'undici';
import { createProvider } from '../providers/create-provider.js';
import type { Provider, ProviderName } from '../providers/provider-types.js';
import { createAgent } from '../transport/create-agent.js';
import { HttpTransport } from '../transport/http-transport.js';
import { createRedactor, sensitiveHeaderNames } from '../transport/redactor.js';
import { createSdkLogger, isLogLevel, resolveLogLevel } from '../transport/sdk-logger.js';
import {
  type TokenizeRequest,
  type TokenizeResponse,
  tokenizeRequestSchema,
} from '../wire/openai/tokenize-schemas.js';
import type { APIPromise } from './api-promise.js';
import { createSimpleCallRunner } from './call-runner.js';
import { type ClientContext, executeCall, validateRequest } from './client-context.js';
import { type AiaasClientOptions, resolveClientOptions } from './client-options.js';
import type { RequestOptions } from './request-options.js';
import { ChatCompletions } from './resources/chat-completions-resource.js';
import { Completions } from './resources/completions-resource.js';
import { Embeddings } from './resources/embeddings-resource.js';
import { Inference } from './resources/inference-resource.js';
import { Models } from './resources/models-resource.js';
import { sdkVersion } from './sdk-version.js';

/**
 * The aiaas client: one object for OpenAI-compatible servers, Open Inference Protocol v2
 * servers and Ollama, over a keep-alive undici Agent.
 *
 * @example
 * const client = new AiaasClient({ baseURL: server.url, apiKey: 'sk-test' });
 * const completion = await client.chat.completions.create(chat('ref-chat').user('hi'));
 * const { data, response } = await client.models.list().withResponse();
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
  readonly inference: Inference;
  /** Shared by the resources; the streaming, retry and cost layers hook in here. */
  protected readonly context: ClientContext;
  readonly #ownedAgent: Agent | undefined;

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
      middleware: options.middleware ?? [],
      logger,
      redactor,
    });
    this.provider = createProvider(resolved.provider, { transport, baseURL: resolved.baseURL });
    this.baseURL = this.provider.baseURL;
    this.context = {
      provider: this.provider,
      runCall: createSimpleCallRunner(logger),
      maxRetries: resolved.maxRetries,
      logger,
    };
    this.chat = { completions: new ChatCompletions(this.context) };
    this.completions = new Completions(this.context);
    this.embeddings = new Embeddings(this.context);
    this.models = new Models(this.context);
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

  /** Closes the client's own sockets; an injected `dispatcher` is left to its owner. */
  async close(): Promise<void> {
    await this.#ownedAgent?.close();
  }
}
