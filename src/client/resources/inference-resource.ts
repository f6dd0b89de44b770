import type { TensorInput } from '../../builders/tensor-builder.js';
import { estimateInferenceCall } from '../../metering/call-estimate.js';
import { inferUsage } from '../../metering/call-usage.js';
import type { InferResult } from '../../providers/oip/decoded-tensor.js';
import {
  type InferInput,
  inferRequestSchema,
  type ModelMetadata,
  type ServerMetadata,
} from '../../wire/oip/oip-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall } from '../client-context.js';
import type { RequestOptions, VersionedRequestOptions } from '../request-options.js';
import { validateRequest } from '../request-validation.js';
import { InferenceRepository } from './inference-repository-resource.js';
import { requireModelName } from './models-resource.js';

/** Options of `inference.infer`. */
export interface InferOptions extends VersionedRequestOptions {
  /** Which outputs to return (all when omitted). */
  outputs?: ReadonlyArray<string | { name: string; parameters?: Record<string, unknown> }> | undefined;
  /** Request-level OIP parameters. */
  parameters?: Record<string, unknown> | undefined;
  /** Echoed back as the response `id`. */
  id?: string | undefined;
}

function versionOf(options: VersionedRequestOptions): { version?: string } {
  return options.version === undefined ? {} : { version: options.version };
}

/** `client.inference`: Open Inference Protocol v2 (the oip provider). */
export class Inference {
  readonly #context: ClientContext;
  /** Triton's model repository extension: index, load (deploy your own model on aiaas/server), unload. */
  readonly repository: InferenceRepository;

  constructor(context: ClientContext) {
    this.#context = context;
    this.repository = new InferenceRepository(context);
  }

  /**
   * `GET /v2`: server name, version and extensions.
   *
   * @example
   * const { name, extensions } = await client.inference.serverMetadata();
   */
  serverMetadata(options: RequestOptions = {}): APIPromise<ServerMetadata> {
    return executeCall(
      this.#context,
      'inference.serverMetadata',
      options,
      () => (providerOptions) => this.#context.provider.doServerMetadata(providerOptions),
    );
  }

  /**
   * A model's inputs and outputs (names, datatypes, shapes with -1 for dynamic dimensions).
   *
   * @example
   * const metadata = await client.inference.modelMetadata('ref-classify');
   */
  modelMetadata(model: string, options: VersionedRequestOptions = {}): APIPromise<ModelMetadata> {
    return executeCall(this.#context, 'inference.modelMetadata', options, () => {
      const name = requireModelName(model);
      return (providerOptions) =>
        this.#context.provider.doModelMetadata(name, versionOf(options), providerOptions);
    });
  }

  /**
   * Whether a model is ready: false for the statuses servers use for "not ready" or
   * "unknown model" (400, 404, 409, 503); other errors (auth, rate limits) still throw.
   *
   * @example
   * if (await client.inference.ready('ref-classify')) await client.inference.infer(...);
   */
  ready(model: string, options: VersionedRequestOptions = {}): APIPromise<boolean> {
    return executeCall(this.#context, 'inference.ready', options, () => {
      const name = requireModelName(model);
      return (providerOptions) =>
        this.#context.provider.doModelReady(name, versionOf(options), providerOptions);
    });
  }

  /**
   * Runs a model on tensors (build them with `tensor()`); outputs come back as typed arrays.
   * Usage is the input tensor elements and the bytes exchanged (compute time is the server's own
   * and not visible to the client); usage and cost are in the ledger and in `.withResponse()`.
   *
   * @example
   * const result = await client.inference.infer('ref-classify', [tensor('input', features, [1, 100])]);
   * const [probabilities] = result.outputs; // { name, datatype: 'FP32', shape: [1, 2], data: Float32Array }
   */
  infer(
    model: string,
    inputs: ReadonlyArray<TensorInput | InferInput>,
    options: InferOptions = {},
  ): APIPromise<InferResult> {
    return executeCall(this.#context, 'inference.infer', options, () => {
      const name = requireModelName(model);
      const request = validateRequest(
        inferRequestSchema,
        {
          inputs,
          ...(options.outputs
            ? {
                outputs: options.outputs.map((output) =>
                  typeof output === 'string' ? { name: output } : output,
                ),
              }
            : {}),
          ...(options.parameters ? { parameters: options.parameters } : {}),
          ...(options.id === undefined ? {} : { id: options.id }),
        },
        'infer request',
      );
      return {
        send: (providerOptions) =>
          this.#context.provider.doInfer(name, request, versionOf(options), providerOptions),
        // Tensors have no token count: request bytes and input elements are quoted exactly, and
        // response bytes and compute time from the client's declared `costBounds`.
        metering: {
          model: name,
          estimate: () => estimateInferenceCall(name, request),
          usage: ({ response, data }) => inferUsage(request, response, data),
        },
      };
    });
  }
}
