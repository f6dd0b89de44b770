/** Whole seconds one deployed model was READY, to bill at its `per_hour_deployed` rate. */
export interface DeployedTimeCharge {
  tenant: string;
  model: string;
  /** The request that loaded it: every charge of one deployment names it. */
  requestId: string;
  seconds: number;
}

/** Where deployment time is priced and recorded (the billing ledger); see `billing/deployment-billing.ts`. */
export interface DeploymentBilling {
  /** Whether the rate card prices the model: an unpriced model is never deployed. */
  isPriced(model: string): boolean;
  bill(charge: DeployedTimeCharge): void;
}

interface ReadyPeriod {
  tenant: string;
  model: string;
  requestId: string;
  /** Time up to which the period has been billed. */
  billedUntilMs: number;
}

/**
 * The READY time of deployed models, billed by the second: whole seconds elapsed are billed
 * whenever the tenant's usage is read (so `GET /v1/usage` is up to date), and the last
 * started second when the model stops being READY (an unload, the server closing). A reload
 * keeps the model READY, so its time runs on.
 *
 * @example
 * time.start('key_1', 'iris', 'req_1');
 * time.accrue('key_1'); // bills the whole seconds since
 * time.end('key_1', 'iris'); // bills the rest, a started second as a whole one
 */
export class DeployedTime {
  readonly #periods = new Map<string, ReadyPeriod>();
  readonly #now: () => number;
  #billing: DeploymentBilling | undefined;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  attach(billing: DeploymentBilling): void {
    this.#billing = billing;
  }

  get billing(): DeploymentBilling | undefined {
    return this.#billing;
  }

  /** Starts billing a model that became READY; a model already READY (a reload) goes on as it was. */
  start(tenant: string, model: string, requestId: string): void {
    const key = `${tenant}\n${model}`;
    if (this.#periods.has(key)) return;
    this.#periods.set(key, { tenant, model, requestId, billedUntilMs: this.#now() });
  }

  /** Bills the whole seconds every READY model of `tenant` has run since it was last billed. */
  accrue(tenant: string): void {
    for (const period of this.#periods.values()) {
      if (period.tenant === tenant) this.#bill(period, Math.floor);
    }
  }

  /** Bills what is left of a model's READY time, a started second as a whole one, and stops. */
  end(tenant: string, model: string): void {
    const key = `${tenant}\n${model}`;
    const period = this.#periods.get(key);
    if (period === undefined) return;
    this.#periods.delete(key);
    this.#bill(period, Math.ceil);
  }

  /** Ends every period (the server is closing). */
  endAll(): void {
    for (const period of [...this.#periods.values()]) this.end(period.tenant, period.model);
  }

  #bill(period: ReadyPeriod, round: (seconds: number) => number): void {
    const seconds = round((this.#now() - period.billedUntilMs) / 1000);
    if (seconds <= 0 || this.#billing === undefined) return;
    period.billedUntilMs += seconds * 1000;
    this.#billing.bill({ tenant: period.tenant, model: period.model, requestId: period.requestId, seconds });
  }
}
