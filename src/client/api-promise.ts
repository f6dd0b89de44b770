import type { ResponseInfo } from '../transport/transport-types.js';

/** A call's result together with the HTTP response it came from. */
export interface WithResponse<Data> {
  data: Data;
  response: ResponseInfo;
}

/**
 * The promise every resource method returns: await it for the result, or call
 * `.withResponse()` for the result plus status, headers and request id.
 *
 * @example
 * const { data, response } = await client.models.list().withResponse();
 * console.log(data.data.length, response.requestId);
 */
export class APIPromise<Data> extends Promise<Data> {
  readonly #result: Promise<WithResponse<Data>>;
  #data: Promise<Data> | undefined;

  constructor(result: Promise<WithResponse<Data>>) {
    // The base promise is a placeholder: then/catch/finally delegate to the real result.
    super((resolve) => resolve(undefined as Data));
    this.#result = result;
  }

  /** Derived promises (from `then`) are plain Promises. */
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /** The result and the response it came from: `{ data, response: { status, headers, requestId } }`. */
  withResponse(): Promise<WithResponse<Data>> {
    return this.#result;
  }

  #parsed(): Promise<Data> {
    this.#data ??= this.#result.then((result) => result.data);
    return this.#data;
  }

  // biome-ignore lint/suspicious/noThenProperty: an APIPromise is a Promise; then delegates to the real result
  override then<Fulfilled = Data, Rejected = never>(
    onFulfilled?: ((value: Data) => Fulfilled | PromiseLike<Fulfilled>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: matches Promise#then, so `.catch((error: Error) => ...)` type-checks as usual
    onRejected?: ((reason: any) => Rejected | PromiseLike<Rejected>) | null,
  ): Promise<Fulfilled | Rejected> {
    return this.#parsed().then(onFulfilled, onRejected);
  }

  override catch<Rejected = never>(
    // biome-ignore lint/suspicious/noExplicitAny: matches Promise#catch
    onRejected?: ((reason: any) => Rejected | PromiseLike<Rejected>) | null,
  ): Promise<Data | Rejected> {
    return this.#parsed().catch(onRejected);
  }

  override finally(onFinally?: (() => void) | null): Promise<Data> {
    return this.#parsed().finally(onFinally);
  }
}
