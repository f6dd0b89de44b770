import { describe, expectTypeOf, it } from 'vitest';
import {
  type AiaasClient,
  type APIPromise,
  type CursorPage,
  type CursorPagePromise,
  type EvaluationClient,
  type EvaluationResult,
  evaluate,
  type FineTuningJob,
  type FineTuningJobCheckpoint,
  type FineTuningJobEvent,
  type Money,
  type SequentialArchitecture,
  sequential,
} from '../../src/index.js';

declare const client: AiaasClient;

describe('fine-tuning and evaluation types', () => {
  it('sequential() builds the wire architecture and takes only known activations', () => {
    expectTypeOf(
      sequential(100).dense(64, 'relu').dense(1, 'sigmoid').build(),
    ).toEqualTypeOf<SequentialArchitecture>();
    // @ts-expect-error gelu is not an activation aiaas/sequential trains
    sequential(100).dense(64, 'gelu');
  });

  it('jobs methods return APIPromises and cursor pages of the wire objects', () => {
    expectTypeOf(
      client.fineTuning.jobs.create({ model: 'ref-classify', training_file: 'file-1' }),
    ).toEqualTypeOf<APIPromise<FineTuningJob>>();
    expectTypeOf(client.fineTuning.jobs.list()).toEqualTypeOf<CursorPagePromise<FineTuningJob>>();
    expectTypeOf(client.fineTuning.jobs.listEvents('ftjob-1')).toEqualTypeOf<
      CursorPagePromise<FineTuningJobEvent>
    >();
    expectTypeOf(client.fineTuning.jobs.checkpoints.list('ftjob-1')).toEqualTypeOf<
      CursorPagePromise<FineTuningJobCheckpoint>
    >();
    expectTypeOf<Awaited<CursorPagePromise<FineTuningJob>>>().toEqualTypeOf<CursorPage<FineTuningJob>>();
    expectTypeOf(client.fineTuning.jobs.wait('ftjob-1')).toEqualTypeOf<Promise<FineTuningJob>>();
  });

  it('evaluate() takes an AiaasClient as its client and returns metrics with a Money cost', () => {
    expectTypeOf(client).toExtend<EvaluationClient>();
    expectTypeOf(
      evaluate({ client, model: 'ref-classify', data: [{ input: [1, 2], label: 1 }] }),
    ).toEqualTypeOf<Promise<EvaluationResult>>();
    expectTypeOf<EvaluationResult['cost']>().toEqualTypeOf<Money | null>();
  });
});
