import type { CallOutcome } from '../metering/call-middleware.js';

/**
 * A call's result with the HTTP response it came from and what it cost. Cost lives here, not
 * on the result: `data` stays exactly the provider's answer, and `await create()` stays cheap
 * to read.
 *
 * @example
 * const { data, response, usage, cost, attempts } = await client.chat.completions.create(params).withResponse();
 * console.log(response.requestId, usage?.outputTokens.value, cost?.toDecimalString(), attempts);
 */
export type WithResponse<Data> = CallOutcome<Data>;

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

  /** The result, the response it came from, its usage and cost: `{ data, response, usage, cost, attempts }`. */
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
    // `await apiPromise` lands here with a handler: hand it the data straight from the result,
    // one promise hop instead of two (through `#parsed`).
    if (typeof onFulfilled === 'function') {
      return this.#result.then((result) => onFulfilled(result.data), onRejected);
    }
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
