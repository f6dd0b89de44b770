// aiaas/testing's harness, from the tarball, under the app's own vitest.
import { chat } from 'aiaas';
import { useReferenceServer } from 'aiaas/testing';
import { expect, it } from 'vitest';

const reference = useReferenceServer({ seed: 1 });
it('answers through the harness of the packed aiaas', async () => {
  const completion = await reference
    .client()
    .chat.completions.create(chat('ref-chat').user('hi').maxTokens(3));
  expect(completion.usage?.completion_tokens).toBe(3);
});
