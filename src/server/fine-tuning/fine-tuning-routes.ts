import { modelNotFound } from '../http/http-error.js';
import type { RequestContext } from '../http/request-context.js';
import { jsonResponse } from '../http/route-response.js';
import type { Route } from '../http/route-table.js';
import type { ModelDeployments } from '../models/deployment/model-deployments.js';
import { cursorPage } from './cursor-page.js';
import type { FineTuningJobs } from './fine-tuning-jobs.js';
import { checkpointObject, eventObject, jobObject } from './job-record.js';
import { matchesMetadata, metadataFilter } from './metadata-filter.js';

const jobOf = (jobs: FineTuningJobs, context: RequestContext) =>
  jobs.get(context.tenant.id, context.params.id!);

/**
 * OpenAI's fine-tuning jobs API: create, list, retrieve, cancel, events and checkpoints
 * (lists newest first, cursor-paginated; jobs filtered by `metadata[key]=value`), and `DELETE /v1/models/{id}` for the tenant's
 * fine-tuned models. Each tenant sees only its own jobs; another's id is a 404 like a missing one.
 *
 * @example
 * const routes = fineTuningRoutes(jobs, deployments);
 */
export function fineTuningRoutes(jobs: FineTuningJobs, deployments: ModelDeployments): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/fine_tuning/jobs',
      handle: async (context) =>
        jsonResponse(jobObject(await jobs.create(context.tenant.id, await context.readJson()))),
    },
    {
      method: 'GET',
      path: '/v1/fine_tuning/jobs',
      handle: async (context) => {
        const filter = metadataFilter(context.query);
        const list = jobs.list(context.tenant.id).map(jobObject);
        return jsonResponse(
          cursorPage(list, context.query, 20, (job) => matchesMetadata(job.metadata, filter)),
        );
      },
    },
    {
      method: 'GET',
      path: '/v1/fine_tuning/jobs/:id',
      handle: async (context) => jsonResponse(jobObject(jobOf(jobs, context))),
    },
    {
      method: 'POST',
      path: '/v1/fine_tuning/jobs/:id/cancel',
      handle: async (context) =>
        jsonResponse(jobObject(await jobs.cancel(context.tenant.id, context.params.id!))),
    },
    {
      method: 'GET',
      path: '/v1/fine_tuning/jobs/:id/events',
      handle: async (context) => {
        const events = [...jobOf(jobs, context).events].reverse().map(eventObject);
        return jsonResponse(cursorPage(events, context.query, 20));
      },
    },
    {
      method: 'GET',
      path: '/v1/fine_tuning/jobs/:id/checkpoints',
      handle: async (context) => {
        const job = jobOf(jobs, context);
        const checkpoints = [...job.checkpoints].reverse().map((each) => checkpointObject(job, each));
        return jsonResponse(cursorPage(checkpoints, context.query, 10));
      },
    },
    {
      method: 'DELETE',
      path: '/v1/models/:model',
      async handle(context) {
        const id = context.params.model!;
        // Unloaded before is gone, as in OpenAI: a second delete is a 404.
        if (deployments.registry.get(id, context.tenant.id) === undefined) throw modelNotFound(id);
        await deployments.unload(context.tenant.id, id);
        await jobs.forgetModel(context.tenant.id, id);
        return jsonResponse({ id, object: 'model', deleted: true });
      },
    },
  ];
}
