/** A runner's suite-level hooks, as vitest, jest and mocha name them (node:test: `before`/`after`). */
export interface TestRunnerHooks {
  beforeAll(hook: () => unknown, timeout?: number): void;
  afterAll(hook: () => unknown, timeout?: number): void;
}

// vitest is an optional peer: it is imported only inside a vitest worker (which sets
// VITEST=true), so code that uses aiaas/testing elsewhere neither needs it nor loads it.
// A dynamic import keeps the bundler from turning it into a static one.
const vitestHooks: TestRunnerHooks | undefined =
  process.env.VITEST === undefined ? undefined : await import('vitest').catch(() => undefined);

function globalHooks(): TestRunnerHooks | undefined {
  const scope = globalThis as { beforeAll?: unknown; afterAll?: unknown };
  if (typeof scope.beforeAll !== 'function' || typeof scope.afterAll !== 'function') return undefined;
  return scope as TestRunnerHooks;
}

/** Hooks called without the timeout argument: node:test takes an options object there, not a number. */
function withoutTimeout(hooks: TestRunnerHooks): TestRunnerHooks {
  return {
    beforeAll: (hook) => hooks.beforeAll(hook),
    afterAll: (hook) => hooks.afterAll(hook),
  };
}

/**
 * The hooks to register with: the caller's (called without a timeout, so the runner's own
 * applies), else vitest's (inside vitest), else global `beforeAll`/`afterAll` (jest, vitest
 * with `globals: true`).
 */
export function resolveTestRunnerHooks(given: TestRunnerHooks | undefined): TestRunnerHooks {
  const hooks = given === undefined ? (vitestHooks ?? globalHooks()) : withoutTimeout(given);
  if (hooks === undefined) {
    throw new Error(
      'useReferenceServer() needs a test runner: run it under vitest, or pass `hooks: { beforeAll, afterAll }` ' +
        "(node:test: `hooks: { beforeAll: before, afterAll: after }` from 'node:test').",
    );
  }
  return hooks;
}
