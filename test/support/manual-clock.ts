/** A clock that moves only when told: `now` for the code under test, `advance` for the test. */
export function manualClock(start: string | number = '2025-06-01T12:00:00Z') {
  let now = typeof start === 'number' ? start : new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance: (milliseconds: number) => {
      now += milliseconds;
    },
  };
}
