import { Agent } from 'undici';

export interface AgentOptions {
  /** Sockets per origin; undefined means no limit. */
  connections?: number | undefined;
  /** How long an idle socket stays open for the next request, in milliseconds. */
  keepAliveTimeout?: number | undefined;
}

/** A keep-alive undici Agent: sockets are reused across calls to the same origin. */
export function createAgent(options: AgentOptions = {}): Agent {
  return new Agent({
    keepAliveTimeout: options.keepAliveTimeout ?? 10_000,
    keepAliveMaxTimeout: 60_000,
    ...(options.connections === undefined ? {} : { connections: options.connections }),
  });
}
