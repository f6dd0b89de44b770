import { SequentialBuilder } from '../../builders/sequential-builder.js';
import { recordBillingRecords } from '../../cost/recover-usage.js';
import type { CursorList, FineTuningOperations } from '../../providers/provider-types.js';
import { FINE_TUNING_BILLING_MODEL } from '../../wire/aiaas/billed-usage.js';
import {
  type CursorPageParams,
  type FineTuningJob,
  type FineTuningJobCheckpoint,
  type FineTuningJobCreateParams,
  type FineTuningJobEvent,
  type FineTuningJobListParams,
  sequentialArchitectureSchema,
} from '../../wire/openai/fine-tuning-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall, type ProviderAttempt } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';
import { invalidRequest, validateRequest } from '../request-validation.js';
import { CursorPage, CursorPagePromise } from './cursor-page.js';
import { type FineTuningWaitOptions, waitForJob } from './fine-tuning-job-wait.js';
import {
  type FineTuningQuote,
  type FineTuningQuoteOptions,
  quoteFineTuningJob,
} from './fine-tuning-quote.js';

/** `jobs.create` params: OpenAI's, with `architecture` as the wire object or a `sequential()` builder. */
export interface FineTuningJobCreateInput extends Omit<FineTuningJobCreateParams, 'architecture'> {
  architecture?: FineTuningJobCreateParams['architecture'] | SequentialBuilder | undefined;
}

function requireId(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw invalidRequest(field, `a non-empty ${field.replace('_', ' ')} is required`);
}

function checkMetadataFilter(metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  const pairs = typeof metadata === 'object' && !Array.isArray(metadata) ? Object.values(metadata) : [0];
  if (pairs.some((value) => typeof value !== 'string'))
    throw invalidRequest('metadata', 'the metadata filter must be an object of string values, or null');
}

function createBody(params: FineTuningJobCreateInput): FineTuningJobCreateParams {
  if (typeof params !== 'object' || params === null) throw invalidRequest('', 'job params are required');
  requireId(params.model, 'model');
  requireId(params.training_file, 'training_file');
  const { architecture } = params;
  if (architecture === undefined) return params as FineTuningJobCreateParams;
  const wire =
    architecture instanceof SequentialBuilder
      ? architecture.build()
      : validateRequest(sequentialArchitectureSchema, architecture, 'architecture');
  return { ...params, architecture: wire };
}

/** A fine-tuning operation of the provider, for one attempt. */
type Operation<Data> = (
  operations: ReturnType<ClientContext['provider']['doFineTuning']>,
) => ProviderAttempt<Data>;

/**
 * `client.fineTuning.jobs`: OpenAI's fine-tuning jobs API, named as in openai-node (the openai
 * provider only; others throw `UnsupportedOperationError`), plus `wait()`.
 *
 * @example
 * const job = await client.fineTuning.jobs.create({ model: 'ref-classify', training_file: file.id });
 * const done = await client.fineTuning.jobs.wait(job.id, { onEvent: (event) => console.log(event.message) });
 */
export class FineTuningJobs {
  readonly #context: ClientContext;
  /** A job's checkpoints, one per epoch, newest first. */
  readonly checkpoints: {
    list(
      id: string,
      params?: CursorPageParams,
      options?: RequestOptions,
    ): CursorPagePromise<FineTuningJobCheckpoint>;
  };

  constructor(context: ClientContext) {
    this.#context = context;
    this.checkpoints = {
      list: (id, params = {}, options = {}) =>
        this.#page('fineTuning.jobs.checkpoints.list', params, options, (operations, page) => {
          const jobId = requireId(id, 'job_id');
          return (providerOptions) => operations.listCheckpoints(jobId, page, providerOptions);
        }),
    };
  }

  #call<Data>(operation: string, options: RequestOptions, prepare: () => Operation<Data>): APIPromise<Data> {
    return executeCall(this.#context, operation, options, () => {
      const attempt = prepare();
      return attempt(this.#context.provider.doFineTuning());
    });
  }

  #page<Item extends { id: string }>(
    operation: string,
    params: CursorPageParams,
    options: RequestOptions,
    attemptFor: (
      operations: FineTuningOperations,
      page: CursorPageParams,
    ) => ProviderAttempt<CursorList<Item>>,
  ): CursorPagePromise<Item> {
    const fetchPage = (page: CursorPageParams): CursorPagePromise<Item> =>
      new CursorPagePromise(
        this.#call<CursorList<Item>>(operation, options, () => (operations) => attemptFor(operations, page))
          .withResponse()
          .then((result) => ({ ...result, data: new CursorPage(result.data, page, fetchPage) })),
      );
    return fetchPage(params);
  }

  /**
   * Starts a job: fine-tune `ref-classify` (or a deployed classifier, or `ref-chat`) on an
   * uploaded file, or train the `architecture` of an `aiaas/sequential` model from scratch.
   *
   * @example
   * await client.fineTuning.jobs.create({ model: 'aiaas/sequential', training_file: file.id,
   *   architecture: sequential(100).dense(64, 'relu').dense(1, 'sigmoid'), hyperparameters: { n_epochs: 10 } });
   */
  create(params: FineTuningJobCreateInput, options: RequestOptions = {}): APIPromise<FineTuningJob> {
    return this.#call('fineTuning.jobs.create', options, () => {
      const body = createBody(params);
      return (operations) => (providerOptions) => operations.create(body, providerOptions);
    });
  }

  /** @example const job = await client.fineTuning.jobs.retrieve('ftjob-abc'); */
  /**
   * What a job would cost before it is created, priced by the client's `pricing` as aiaas/server
   * bills training: the training file's examples and bytes once per epoch, plus compute up to
   * `maxComputeMs` (or the client's `costBounds` for `aiaas-fine-tuning`).
   *
   * @example
   * const { min, max } = await client.fineTuning.jobs.quote({ model: 'ref-classify', training_file: file.id }, { maxComputeMs: 60_000 });
   */
  async quote(
    params: FineTuningJobCreateInput,
    options: FineTuningQuoteOptions = {},
  ): Promise<FineTuningQuote> {
    return quoteFineTuningJob(this.#context, createBody(params), options);
  }

  retrieve(id: string, options: RequestOptions = {}): APIPromise<FineTuningJob> {
    return this.#call('fineTuning.jobs.retrieve', options, () => {
      const jobId = requireId(id, 'job_id');
      return (operations) => (providerOptions) => operations.retrieve(jobId, providerOptions);
    });
  }

  /**
   * The tenant's jobs, newest first; `for await` over the result walks every page. `metadata`
   * keeps the jobs carrying every pair given (`null`: the jobs without metadata), on every page.
   *
   * @example
   * for await (const job of client.fineTuning.jobs.list({ metadata: { team: 'ml' } })) console.log(job.id);
   */
  list(params: FineTuningJobListParams = {}, options: RequestOptions = {}): CursorPagePromise<FineTuningJob> {
    const { metadata, ...first } = params;
    return this.#page('fineTuning.jobs.list', first, options, (operations, page) => {
      checkMetadataFilter(metadata);
      return (providerOptions) => operations.list({ ...page, metadata }, providerOptions);
    });
  }

  /** Stops a job (training stops within a batch; what ran is billed). @example await client.fineTuning.jobs.cancel(job.id); */
  cancel(id: string, options: RequestOptions = {}): APIPromise<FineTuningJob> {
    return this.#call('fineTuning.jobs.cancel', options, () => {
      const jobId = requireId(id, 'job_id');
      return (operations) => (providerOptions) => operations.cancel(jobId, providerOptions);
    });
  }

  /**
   * A job's events, newest first (as OpenAI lists them).
   *
   * @example
   * for await (const event of client.fineTuning.jobs.listEvents(job.id)) console.log(event.message);
   */
  listEvents(
    id: string,
    params: CursorPageParams = {},
    options: RequestOptions = {},
  ): CursorPagePromise<FineTuningJobEvent> {
    return this.#page('fineTuning.jobs.listEvents', params, options, (operations, page) => {
      const jobId = requireId(id, 'job_id');
      return (providerOptions) => operations.listEvents(jobId, page, providerOptions);
    });
  }

  /**
   * Follows a job until it is `succeeded`, `failed` or `cancelled`: each new event goes to
   * `onEvent` once, oldest first, and the final job is the result. A failed or cancelled job
   * resolves too — check `job.status` (and `job.error`); only a failed API call rejects, and
   * aborting `signal` rejects with `AbortError` (the job keeps running).
   *
   * @example
   * const job = await client.fineTuning.jobs.wait(id, { onEvent: (event) => console.log(event.message) });
   * if (job.status === 'succeeded') console.log('deployed as', job.fine_tuned_model);
   */
  wait(id: string, options: FineTuningWaitOptions = {}): Promise<FineTuningJob> {
    const calls = {
      retrieve: (jobId: string, signal: AbortSignal | undefined) => this.retrieve(jobId, { signal }),
      listEvents: (jobId: string, signal: AbortSignal | undefined) =>
        this.listEvents(jobId, { limit: 100 }, { signal }),
    };
    return waitForJob(calls, id, options).then(async (job) => {
      const { billing } = options;
      if (billing === undefined) return job;
      // Charges are stamped in whole seconds like the job: from a second before it, to be sure.
      const records = await billing.records({
        model: FINE_TUNING_BILLING_MODEL,
        since: new Date((job.created_at - 1) * 1000),
      });
      await recordBillingRecords(this.#context.costs.ledger, job.id, records, billing.name);
      return job;
    });
  }
}

/** `client.fineTuning`: OpenAI's fine-tuning API. */
export class FineTuning {
  readonly jobs: FineTuningJobs;

  constructor(context: ClientContext) {
    this.jobs = new FineTuningJobs(context);
  }
}
