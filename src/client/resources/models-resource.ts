import { ValidationError } from '../../errors/index.js';
import type { Model, ModelList } from '../../wire/openai/model-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';

export function requireModelName(model: unknown, path = 'model'): string {
  if (typeof model === 'string' && model !== '') return model;
  throw new ValidationError(`Invalid request: ${path}: a non-empty model name is required`, {
    issues: [{ path, message: 'a non-empty model name is required' }],
    subject: 'request',
  });
}

/** `client.models` */
export class Models {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Lists the models the server offers (OpenAI `/v1/models`, Ollama `/api/tags`, OIP repository index).
   *
   * @example
   * const { data } = await client.models.list();
   * console.log(data.map((model) => model.id));
   */
  list(options: RequestOptions = {}): APIPromise<ModelList> {
    return executeCall(
      this.#context,
      'models.list',
      options,
      () => (providerOptions) => this.#context.provider.doListModels(providerOptions),
    );
  }

  /**
   * Retrieves one model.
   *
   * @example
   * const model = await client.models.retrieve('ref-chat');
   */
  retrieve(model: string, options: RequestOptions = {}): APIPromise<Model> {
    return executeCall(this.#context, 'models.retrieve', options, () => {
      const name = requireModelName(model);
      return (providerOptions) => this.#context.provider.doRetrieveModel(name, providerOptions);
    });
  }
}
