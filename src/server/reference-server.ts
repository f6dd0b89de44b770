import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator.js';
import { resolveFileStoreOptions } from './files/file-options.js';
import { fileRoutes } from './files/file-routes.js';
import { FileStore } from './files/file-store.js';
import { resolveFineTuningOptions } from './fine-tuning/fine-tuning-options.js';
import { type FineTuning, startFineTuning } from './fine-tuning/start-fine-tuning.js';
import { BodyBufferBudget } from './http/body-buffer-budget.js';
import { handleClientError } from './http/client-error-handler.js';
import { InFlightRequests } from './http/in-flight-requests.js';
import { createRequestDispatcher } from './http/request-dispatcher.js';
import { RouteTable } from './http/route-table.js';
import { createInferenceEngine } from './inference/create-inference-engine.js';
import type { InferenceEngine } from './inference/inference-engine.js';
import { resolveInferenceOptions } from './inference/inference-options.js';
import type { SequenceDecoder } from './inference/sequence-decoder.js';
import { metricsRoute } from './metrics/metrics-route.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { DeploymentFiles } from './models/deployment/deployment-files.js';
import { resolveDeploymentOptions } from './models/deployment/deployment-options.js';
import { ModelDeployments } from './models/deployment/model-deployments.js';
import { loadModelRegistry } from './models/load-model-registry.js';
import { ReferenceChatModel } from './models/reference-chat-model.js';
import { ReferenceEmbeddingModel } from './models/reference-embedding-model.js';
import { TunedChatModels } from './models/tuned-chat-models.js';
import { createRequestPipeline } from './pipeline/request-pipeline-setup.js';
import { oipRoutes } from './routes/oip/oip-routes.js';
import { ollamaRoutes } from './routes/ollama/ollama-routes.js';
import { openAIRoutes } from './routes/openai/openai-routes.js';
import type { RouteServices } from './routes/route-services.js';
import { defaultServerLogger, type ServerLogger } from './server-logger.js';
import { type ReferenceServerOptions, resolveServerOptions } from './server-options.js';

/** A running reference server. */
export interface ReferenceServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (OpenAI clients add `/v1`). */
  readonly url: string;
  readonly port: number;
  /** Names of every served model, built-in first. */
  readonly models: readonly string[];
  /** Stops accepting, lets in-flight requests (streams too) finish, then frees sockets and model sessions. */
  close(): Promise<void>;
}

async function loadServices(
  engine: InferenceEngine & SequenceDecoder,
  options: ReferenceServerOptions,
  modelsDir: string | undefined,
  logger: ServerLogger,
  metrics: ServerMetrics,
) {
  const registry = await loadModelRegistry({ engine, modelsDir, logger });
  const chat = await ReferenceChatModel.load(engine, registry, metrics);
  const embedding = await ReferenceEmbeddingModel.load(engine, registry);
  const deploymentOptions = resolveDeploymentOptions(options);
  const files = new DeploymentFiles(modelsDir);
  const deployments = new ModelDeployments(registry, engine, files, deploymentOptions, logger);
  // Models tenants deployed before a restart serve again (with a models directory).
  await deployments.restore();
  const tunedChats = new TunedChatModels(engine, registry, chat);
  return { registry, chat, tunedChats, embedding, deployments };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the reference model server: the built-in ONNX models (ref-chat, ref-embed,
 * ref-classify) plus an optional Triton-layout repository, served over the
 * OpenAI-compatible API (`/v1`, `/tokenize`, `/health`), Open Inference Protocol v2
 * (`/v2`) and Prometheus `/metrics`. Models run in worker threads, batched per model.
 *
 * @example
 * import { startReferenceServer } from 'aiaas/server';
 * const server = await startReferenceServer({ port: 0, seed: 42, apiKeys: ['sk-test'] });
 * const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-test' });
 * await server.close();
 */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const resolved = resolveServerOptions(options);
  const logger = options.logger ?? defaultServerLogger;
  // Uploaded files (issue 19): checked and restored from the data directory before anything else starts.
  const fileStore = await FileStore.open(resolveFileStoreOptions(options));
  const fineTuningOptions = resolveFineTuningOptions(options);
  // Stalled uploads must not exhaust memory: bodies buffered at once are bounded, in total and per tenant.
  const bodyBudget = new BodyBufferBudget({
    maxBytes: resolved.bodyBufferLimitBytes,
    maxBytesPerTenant: resolved.tenantBodyBufferLimitBytes,
  });
  // The engine runs models in worker threads and batches them; the metrics observe it.
  const metrics = new ServerMetrics(
    () => engine.queuedRequests(),
    () => bodyBudget.bytes,
  );
  const engine = createInferenceEngine(resolveInferenceOptions(options), metrics, logger);
  // Stalled streams and work left behind by departed clients end when this fires.
  const closing = new AbortController();
  let services: RouteServices;
  try {
    const loaded = await loadServices(engine, options, resolved.modelsDir, logger, metrics);
    services = {
      ...loaded,
      engine,
      seed: resolved.seed,
      startedAtSeconds: Math.floor(Date.now() / 1000),
      isReady: () => !closing.signal.aborted,
    };
  } catch (error) {
    await engine.close();
    throw error;
  }

  const authenticator = new ApiKeyAuthenticator(resolved.apiKeys);
  if (authenticator.open) logger.warn('no API keys configured: every request is accepted (development mode)');
  // Billing, rate limits, idempotency, resumable streams and faults (issue 3).
  let pipeline: ReturnType<typeof createRequestPipeline>;
  try {
    pipeline = createRequestPipeline(options, {
      seed: resolved.seed,
      servedModels: () => services.registry.names(),
      isServed: (model) => services.registry.get(model) !== undefined,
      accrueUsage: (tenant) => services.deployments.accrue(tenant),
      logger,
      authenticator,
      metrics,
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  services.deployments.attachBilling(pipeline.deploymentBilling);
  // Fine-tuning jobs (issue 19): unfinished ones a previous server left go on from their last checkpoint.
  let fineTuning: FineTuning;
  try {
    fineTuning = await startFineTuning(fineTuningOptions, {
      files: fileStore,
      registry: services.registry,
      deployments: services.deployments,
      billing: pipeline.trainingBilling,
      logger,
    });
  } catch (error) {
    pipeline.close();
    await engine.close();
    throw error;
  }
  const dispatch = createRequestDispatcher({
    routes: new RouteTable([
      ...openAIRoutes(services),
      ...fileRoutes(fileStore, fineTuning.fileInUse),
      ...fineTuning.routes,
      ...oipRoutes(services),
      ...ollamaRoutes(services),
      metricsRoute(metrics),
      ...pipeline.routes,
    ]),
    interceptors: pipeline.interceptors,
    bodyLimitBytes: resolved.bodyLimitBytes,
    bodyBudget,
    logger,
    closing: closing.signal,
    ...(pipeline.detachedWorkLimitMs === undefined
      ? {}
      : { detachedWorkLimitMs: pipeline.detachedWorkLimitMs }),
  });
  const inFlight = new InFlightRequests();
  const server = createServer(
    {
      headersTimeout: resolved.headersTimeoutMs,
      requestTimeout: resolved.requestTimeoutMs,
      // Node checks both timeouts on this interval (30 s by default), which would let a slow client
      // hold its socket up to 30 s past them.
      connectionsCheckingInterval: Math.min(1_000, resolved.headersTimeoutMs),
    },
    (request, response) => {
      const handling = dispatch(request, response).catch((error: unknown) => {
        logger.error('request listener failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        response.destroy();
      });
      inFlight.track(handling);
    },
  );
  server.on('clientError', handleClientError);

  let address: AddressInfo;
  try {
    address = await listen(server, resolved.port, resolved.host);
  } catch (error) {
    pipeline.close();
    await fineTuning.close();
    await engine.close();
    throw error;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info('reference server listening', { url, models: services.registry.names().join(',') });

  let closed: Promise<void> | undefined;
  const close = async () => {
    closing.abort();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await inFlight.whenIdle();
    // Finished keep-alive connections would otherwise hold the server open until they time out.
    server.closeAllConnections();
    await stopped;
    await fineTuning.close();
    await services.deployments.close();
    await engine.close();
    pipeline.close();
  };
  return {
    url,
    port: address.port,
    models: services.registry.names(),
    close() {
      closed ??= close();
      return closed;
    },
  };
}
