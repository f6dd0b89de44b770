/** The job id part of a fine-tuned model's name: short, as in OpenAI's names. */
const idCharacters = 8;

/**
 * OpenAI's `ft:<base>:<org>:<suffix>:<id>` as one URL path segment: the base model with `/`
 * made `-` (`aiaas/sequential` → `aiaas-sequential`, at most 40 characters), the tenant's id as
 * the organization, the user's suffix (empty when none, as OpenAI's `ft:model:org::id`).
 *
 * @example
 * fineTunedModelName('ref-classify', 'key_0123', 'spam', 'ftjob-5f2a7c91e0d4'); // 'ft:ref-classify:key_0123:spam:5f2a7c91'
 */
export function fineTunedModelName(
  baseSegment: string,
  tenant: string,
  suffix: string | null,
  jobId: string,
): string {
  const org = tenant.replace(/[^A-Za-z0-9._-]/g, '-');
  const id = jobId.replace(/^ftjob-/, '').slice(0, idCharacters);
  return `ft:${baseSegment.slice(0, 40)}:${org}:${suffix ?? ''}:${id}`;
}
