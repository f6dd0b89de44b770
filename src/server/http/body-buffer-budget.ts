/** Which limit refused a body: the server's total, or the tenant's share of it. */
export type BodyBufferScope = 'server' | 'tenant';

/** A refusal: which limit, and what it is in bytes. */
export interface BodyBufferRefusal {
  scope: BodyBufferScope;
  limitBytes: number;
}

export interface BodyBufferLimits {
  /** Most bytes of request bodies buffered at once over all requests. */
  maxBytes: number;
  /** Most bytes of request bodies buffered at once for one tenant. */
  maxBytesPerTenant: number;
}

/**
 * The bytes of request bodies the server holds in memory at once, in total and per tenant, so
 * that many slow uploads cannot exhaust it (150 stalled 8 MiB uploads once took it to 2.2 GiB).
 * A body reserves its declared `content-length` before a byte of it is read, or (chunked) grows
 * its reservation as bytes arrive; a reservation that would cross a limit is refused and adds
 * nothing. Tenants are forgotten when they hold nothing, so memory stays bounded by the
 * requests in flight.
 *
 * @example
 * const budget = new BodyBufferBudget({ maxBytes: 64 << 20, maxBytesPerTenant: 32 << 20 });
 * const reservation = budget.reserve('key_ab12');
 * reservation.grow(8 << 20); // undefined: granted; or { scope: 'tenant', limitBytes } when refused
 * reservation.release(); // on completion, error or client abort
 */
export class BodyBufferBudget {
  readonly limits: Readonly<BodyBufferLimits>;
  #bytes = 0;
  readonly #bytesByTenant = new Map<string, number>();

  constructor(limits: BodyBufferLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, got ${value}.`);
    }
    this.limits = { ...limits };
  }

  /** Bytes reserved right now over all requests. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes reserved right now by one tenant. */
  tenantBytes(tenant: string): number {
    return this.#bytesByTenant.get(tenant) ?? 0;
  }

  /** A reservation of nothing yet for one request body of `tenant`. */
  reserve(tenant: string): BodyBufferReservation {
    return new BodyBufferReservation(this, tenant);
  }

  /** @internal Adds `bytes` for `tenant` if both limits allow it. */
  take(tenant: string, bytes: number): BodyBufferRefusal | undefined {
    const held = this.tenantBytes(tenant);
    // The tenant's own share first: a tenant over it is told to slow down (429), not that the server is full.
    if (held + bytes > this.limits.maxBytesPerTenant) {
      return { scope: 'tenant', limitBytes: this.limits.maxBytesPerTenant };
    }
    if (this.#bytes + bytes > this.limits.maxBytes)
      return { scope: 'server', limitBytes: this.limits.maxBytes };
    this.#bytes += bytes;
    this.#bytesByTenant.set(tenant, held + bytes);
    return undefined;
  }

  /** @internal Gives back `bytes` of `tenant`. */
  give(tenant: string, bytes: number): void {
    this.#bytes -= bytes;
    const held = this.tenantBytes(tenant) - bytes;
    if (held > 0) this.#bytesByTenant.set(tenant, held);
    else this.#bytesByTenant.delete(tenant);
  }
}

/** The bytes one request body holds in a {@link BodyBufferBudget}; released once, however the request ends. */
export class BodyBufferReservation {
  readonly #budget: BodyBufferBudget;
  readonly #tenant: string;
  #bytes = 0;
  #released = false;

  constructor(budget: BodyBufferBudget, tenant: string) {
    this.#budget = budget;
    this.#tenant = tenant;
  }

  /** Bytes held by this reservation. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Holds `bytes` more, or says which limit refuses them (then nothing more is held); once released, does nothing. */
  grow(bytes: number): BodyBufferRefusal | undefined {
    if (this.#released || bytes <= 0) return undefined;
    const refusal = this.#budget.take(this.#tenant, bytes);
    if (refusal === undefined) this.#bytes += bytes;
    return refusal;
  }

  /** Gives every byte back; later calls do nothing. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#budget.give(this.#tenant, this.#bytes);
    this.#bytes = 0;
  }
}
