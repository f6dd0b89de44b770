/** One model run as the scheduler saw it: the requests it served and where their time went. */
export interface BatchRecord {
  /** The engine key, `<model>/<version>`. */
  key: string;
  /** Requests served by this run. */
  requests: number;
  /** Rows along the batch axis. */
  rows: number;
  /** Sum over the requests of the time each waited in the queue before this run started. */
  queueSeconds: number;
  /** Time inside onnxruntime for the whole run. */
  computeSeconds: number;
  /** False when the run failed (the requests then failed, or were retried one by one). */
  succeeded: boolean;
}

/**
 * What the batching scheduler reports, for metrics. It must be cheap and must not throw:
 * it is called on the hot path of every model run.
 *
 * @example
 * const observer: InferenceObserver = { batchCompleted: (record) => console.log(record.key, record.requests) };
 */
export interface InferenceObserver {
  batchCompleted(record: BatchRecord): void;
}
