import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sequential } from '../../../src/builders/sequential-builder.js';
import { AbortError, InvalidOptionError, ValidationError } from '../../../src/errors/index.js';
import { UnsupportedOperationError } from '../../../src/providers/unsupported-operation-error.js';
import type { FineTuningJob, FineTuningJobEvent } from '../../../src/wire/openai/fine-tuning-schemas.js';
import { useDialectTestServer } from '../../support/dialect-server-fixture.js';
import { type RecordedRequest, sendJson } from '../../support/dialect-test-server.js';
import { failureOf } from '../../support/failure-of.js';

const { server, client } = useDialectTestServer({ provider: 'openai', maxRetries: 0 });

function jobObject(
  id: string,
  status: FineTuningJob['status'],
  extra: Partial<FineTuningJob> = {},
): FineTuningJob {
  return {
    id,
    object: 'fine_tuning.job',
    created_at: 1_700_000_000,
    hyperparameters: { n_epochs: 3 },
    model: 'ref-classify',
    organization_id: 'org-test',
    result_files: [],
    seed: 1,
    status,
    training_file: 'file-1',
    ...extra,
  };
}

/** OpenAI's cursor page over items listed newest first, as aiaas/server and OpenAI page them. */
function page<Item extends { id: string }>(
  newestFirst: readonly Item[],
  request: RecordedRequest,
  fallback: number,
) {
  const limit = Number(request.query.get('limit') ?? fallback);
  const after = request.query.get('after');
  const rest =
    after === null ? newestFirst : newestFirst.slice(newestFirst.findIndex((item) => item.id === after) + 1);
  return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit };
}

/**
 * A job that moves one step per retrieve: queued, then one running step per entry of
 * `eventsPerStep` (adding that many events), then `final`.
 */
function scriptedJob(
  id: string,
  eventsPerStep: readonly number[],
  final: FineTuningJob['status'],
  extra: Partial<FineTuningJob> = {},
) {
  const events: FineTuningJobEvent[] = [];
  let step = 0;
  const addEvent = (message: string) =>
    events.push({
      id: `ftevent-${events.length + 1}`,
      object: 'fine_tuning.job.event',
      created_at: 1_700_000_000 + events.length,
      level: 'info',
      message,
      type: 'message',
    });
  server.route('GET', `/v1/fine_tuning/jobs/${id}`, (_request, response) => {
    step += 1;
    let status: FineTuningJob['status'] = 'queued';
    if (step === 1) addEvent('queued');
    else if (step - 2 < eventsPerStep.length) {
      status = 'running';
      for (let count = 0; count < eventsPerStep[step - 2]!; count++) addEvent(`step ${step} event ${count}`);
    } else {
      status = final;
      addEvent(`job ${final}`);
    }
    sendJson(response, 200, jobObject(id, status, status === final ? extra : {}));
  });
  server.route('GET', `/v1/fine_tuning/jobs/${id}/events`, (request, response: ServerResponse) =>
    sendJson(response, 200, page([...events].reverse(), request, 20)),
  );
  return events;
}

describe('client.fineTuning.jobs over a real HTTP server', () => {
  it('creates a job with an architecture from sequential(), sent as the wire field', async () => {
    server.route('POST', '/v1/fine_tuning/jobs', (request, response) =>
      sendJson(
        response,
        200,
        jobObject('ftjob-1', 'validating_files', { model: JSON.parse(request.body).model }),
      ),
    );
    const job = await client().fineTuning.jobs.create({
      model: 'aiaas/sequential',
      training_file: 'file-1',
      architecture: sequential(100).dense(64, 'relu').dense(1, 'sigmoid'),
      hyperparameters: { n_epochs: 10, batch_size: 32 },
    });
    expect(job).toMatchObject({ id: 'ftjob-1', status: 'validating_files', model: 'aiaas/sequential' });
    const sent = JSON.parse(server.requests[0]!.body);
    expect(sent.architecture).toEqual({
      input_dim: 100,
      layers: [
        { units: 64, activation: 'relu' },
        { units: 1, activation: 'sigmoid' },
      ],
    });
    expect(server.requests[0]!.headers['idempotency-key']).toEqual(expect.any(String));
  });

  it('refuses params without a training file before sending, and a bad architecture object', async () => {
    const jobs = client().fineTuning.jobs;
    const missing = await failureOf(jobs.create({ model: 'ref-classify', training_file: '' }));
    expect((missing as ValidationError).path).toBe('training_file');
    const badArchitecture = await failureOf(
      jobs.create({
        model: 'aiaas/sequential',
        training_file: 'file-1',
        architecture: { input_dim: 3, layers: [{ units: 1, activation: 'gelu' as never }] },
      }),
    );
    expect((badArchitecture as ValidationError).path).toBe('layers.0.activation');
    expect(server.requests).toHaveLength(0);
  });

  it('walks every page of jobs with for await, following the cursor', async () => {
    const jobs = Array.from({ length: 45 }, (_, index) => jobObject(`ftjob-${45 - index}`, 'succeeded'));
    server.route('GET', '/v1/fine_tuning/jobs', (request, response) =>
      sendJson(response, 200, page(jobs, request, 20)),
    );
    const seen: string[] = [];
    for await (const job of client().fineTuning.jobs.list({ limit: 20 })) seen.push(job.id);
    expect(seen).toEqual(jobs.map((job) => job.id));
    expect(server.requests.map((request) => request.query.get('after'))).toEqual([
      null,
      'ftjob-26',
      'ftjob-6',
    ]);
    const first = await client().fineTuning.jobs.list({ limit: 50 });
    expect(first.data).toHaveLength(45);
    expect(first.hasNextPage()).toBe(false);
    expect(() => first.getNextPage()).toThrow(RangeError);
  });

  it('wait() hands over each event once, oldest first, across pages, and resolves with the final job', async () => {
    const events = scriptedJob('ftjob-w', [3, 150, 0, 2], 'succeeded', {
      fine_tuned_model: 'ft:ref-classify:org:x:ftjob-w',
    });
    const received: string[] = [];
    const statuses: string[] = [];
    const job = await client().fineTuning.jobs.wait('ftjob-w', {
      pollInterval: 0,
      onEvent: (event) => received.push(event.id),
      onJob: (polled) => statuses.push(polled.status),
    });
    expect(job.status).toBe('succeeded');
    expect(job.fine_tuned_model).toBe('ft:ref-classify:org:x:ftjob-w');
    expect(received).toEqual(events.map((event) => event.id));
    expect(received).toHaveLength(1 + 3 + 150 + 2 + 1);
    expect(statuses).toEqual(['queued', 'running', 'running', 'running', 'running', 'succeeded']);
  });

  it('wait() resolves with a failed job and its error (the API call itself succeeded)', async () => {
    scriptedJob('ftjob-f', [1], 'failed', {
      error: {
        code: 'invalid_training_file',
        message: 'line 3: input has 99 numbers',
        param: 'training_file',
      },
    });
    const job = await client().fineTuning.jobs.wait('ftjob-f', { pollInterval: 0 });
    expect(job.status).toBe('failed');
    expect(job.error?.message).toContain('line 3');
  });

  it('wait() stops with AbortError when its signal aborts during the pause between polls', async () => {
    scriptedJob('ftjob-a', [1, 1, 1, 1], 'succeeded');
    const controller = new AbortController();
    const error = await failureOf(
      client().fineTuning.jobs.wait('ftjob-a', {
        pollInterval: 600_000,
        signal: controller.signal,
        onEvent: () => controller.abort(),
      }),
    );
    expect(error).toBeInstanceOf(AbortError);
    const already = new AbortController();
    already.abort();
    expect(
      await failureOf(client().fineTuning.jobs.wait('ftjob-a', { signal: already.signal })),
    ).toBeInstanceOf(AbortError);
    expect(await failureOf(client().fineTuning.jobs.wait('ftjob-a', { pollInterval: -1 }))).toBeInstanceOf(
      InvalidOptionError,
    );
  });

  it('cancels, lists checkpoints, and validates what the server answers', async () => {
    server.route('POST', '/v1/fine_tuning/jobs/ftjob-c/cancel', (_request, response) =>
      sendJson(response, 200, jobObject('ftjob-c', 'cancelled')),
    );
    const checkpoint = {
      id: 'ftckpt-1',
      object: 'fine_tuning.job.checkpoint',
      created_at: 1,
      fine_tuned_model_checkpoint: 'ft:ref-classify:org:x:ftjob-c:ckpt-step-10',
      fine_tuning_job_id: 'ftjob-c',
      step_number: 10,
      metrics: { step: 10, epoch: 1, train_loss: 0.5, accuracy: 0.8 },
    };
    server.route('GET', '/v1/fine_tuning/jobs/ftjob-c/checkpoints', (request, response) =>
      sendJson(response, 200, page([checkpoint], request, 10)),
    );
    server.route('GET', '/v1/fine_tuning/jobs/ftjob-bad', (_request, response) =>
      sendJson(response, 200, { ...jobObject('ftjob-bad', 'running'), status: 'paused' }),
    );
    const jobs = client().fineTuning.jobs;
    expect((await jobs.cancel('ftjob-c')).status).toBe('cancelled');
    const checkpoints = await jobs.checkpoints.list('ftjob-c');
    expect(checkpoints.data[0]?.metrics.accuracy).toBe(0.8);
    const invalid = await failureOf(jobs.retrieve('ftjob-bad'));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).subject).toBe('response');
    expect((invalid as ValidationError).path).toBe('status');
  });

  it('is the openai provider’s: an OIP client says so', async () => {
    const error = await failureOf(client({ provider: 'oip' }).fineTuning.jobs.retrieve('ftjob-1'));
    expect(error).toBeInstanceOf(UnsupportedOperationError);
  });
});
