import { describe, expect, it } from 'vitest';
import { LabelledCounter } from '../../../../src/server/metrics/labelled-counter.js';
import { renderPrometheusText } from '../../../../src/server/metrics/prometheus-text.js';
import { ServerMetrics } from '../../../../src/server/metrics/server-metrics.js';

describe('renderPrometheusText', () => {
  it('writes HELP and TYPE, then one line per sample, and ends with a newline', () => {
    const text = renderPrometheusText([
      {
        name: 'aiaas_batches_total',
        help: 'Model runs.',
        type: 'counter',
        samples: [
          { labels: { model: 'ref-embed' }, value: 3 },
          { labels: {}, value: 0.25 },
        ],
      },
      { name: 'aiaas_queue_depth', help: 'Waiting.', type: 'gauge', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP aiaas_batches_total Model runs.',
        '# TYPE aiaas_batches_total counter',
        'aiaas_batches_total{model="ref-embed"} 3',
        'aiaas_batches_total 0.25',
        '# HELP aiaas_queue_depth Waiting.',
        '# TYPE aiaas_queue_depth gauge',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and help text as the exposition format requires', () => {
    const text = renderPrometheusText([
      {
        name: 'm',
        help: 'back\\slash and\nnewline',
        type: 'gauge',
        samples: [{ labels: { path: 'C:\\dir "quoted"\nnext' }, value: Number.POSITIVE_INFINITY }],
      },
    ]);
    expect(text).toContain('# HELP m back\\\\slash and\\nnewline\n');
    expect(text).toContain('m{path="C:\\\\dir \\"quoted\\"\\nnext"} +Inf\n');
    expect(
      renderPrometheusText([
        { name: 'n', help: 'h', type: 'gauge', samples: [{ labels: {}, value: Number.NaN }] },
      ]),
    ).toContain('n NaN');
  });
});

describe('LabelledCounter', () => {
  it('keeps one series per label combination, labels in declared order, and only goes up', () => {
    const counter = new LabelledCounter('requests_total', 'Requests.', ['model', 'status']);
    counter.add({ status: '200', model: 'a' });
    counter.add({ model: 'a', status: '200' }, 2);
    counter.add({ model: 'b', status: '500' });
    expect(counter.get({ model: 'a', status: '200' })).toBe(3);
    expect(counter.get({ model: 'c', status: '200' })).toBe(0);
    expect(counter.family().samples).toEqual([
      { labels: { model: 'a', status: '200' }, value: 3 },
      { labels: { model: 'b', status: '500' }, value: 1 },
    ]);
    expect(() => counter.add({ model: 'a', status: '200' }, -1)).toThrow(RangeError);
  });
});

describe('ServerMetrics', () => {
  it('labels engine keys by model name and sums queue depth over versions', () => {
    const depths = new Map([
      ['my-model/1', 2],
      ['my-model/2', 1],
    ]);
    const metrics = new ServerMetrics(() => depths);
    metrics.batchCompleted({
      key: 'my-model/2',
      requests: 4,
      rows: 5,
      queueSeconds: 0.5,
      computeSeconds: 0.25,
      succeeded: true,
    });
    metrics.batchCompleted({
      key: 'my-model/2',
      requests: 0,
      rows: 2,
      queueSeconds: 0,
      computeSeconds: 0,
      succeeded: false,
    });
    const text = metrics.render();
    expect(text).toContain('aiaas_inferences_total{model="my-model"} 4\n');
    expect(text).toContain('aiaas_batches_total{model="my-model"} 2\n');
    expect(text).toContain('aiaas_failed_batches_total{model="my-model"} 1\n');
    expect(text).toContain('aiaas_queue_seconds_total{model="my-model"} 0.5\n');
    expect(text).toContain('aiaas_compute_seconds_total{model="my-model"} 0.25\n');
    expect(text).toContain('aiaas_queue_depth{model="my-model"} 3\n');
  });
});
