import { describe, expect, it } from 'vitest';
import {
  DeployedTime,
  type DeployedTimeCharge,
} from '../../../../../src/server/models/deployment/deployed-time.js';

function clockedTime() {
  let now = 1_000_000;
  const charges: DeployedTimeCharge[] = [];
  const time = new DeployedTime(() => now);
  time.attach({ isPriced: () => true, bill: (charge) => charges.push(charge) });
  return { time, charges, advance: (ms: number) => (now += ms) };
}

describe('DeployedTime', () => {
  it('bills whole seconds as they accrue and a started second at the end', () => {
    const { time, charges, advance } = clockedTime();
    time.start('key_a', 'iris', 'req_1');
    advance(2_400);
    time.accrue('key_a');
    expect(charges).toEqual([{ tenant: 'key_a', model: 'iris', requestId: 'req_1', seconds: 2 }]);
    advance(300);
    time.accrue('key_a'); // 0.7 s since: nothing whole yet
    expect(charges).toHaveLength(1);
    time.end('key_a', 'iris');
    expect(charges[1]).toMatchObject({ seconds: 1 });
    time.end('key_a', 'iris'); // already ended
    expect(charges).toHaveLength(2);
  });

  it('keeps one period through a reload and bills each tenant only when asked for it', () => {
    const { time, charges, advance } = clockedTime();
    time.start('key_a', 'iris', 'req_1');
    time.start('key_b', 'iris', 'req_2');
    advance(1_000);
    time.start('key_a', 'iris', 'req_3'); // a reload: the same period goes on
    advance(1_000);
    time.accrue('key_a');
    expect(charges).toEqual([{ tenant: 'key_a', model: 'iris', requestId: 'req_1', seconds: 2 }]);
    time.endAll();
    expect(charges.slice(1)).toEqual([{ tenant: 'key_b', model: 'iris', requestId: 'req_2', seconds: 2 }]);
  });
});
