/**
 * Renders a duration the way OpenAI's `x-ratelimit-reset-*` headers do (Go duration style):
 * under a second in whole milliseconds (`250ms`), then seconds with up to three decimals
 * (`1s`, `1.5s`), then minutes and hours (`6m0s`, `1h2m3.5s`).
 *
 * @example
 * formatResetDuration(0); // '0s'
 * formatResetDuration(17); // '17ms'
 * formatResetDuration(1500); // '1.5s'
 * formatResetDuration(360_000); // '6m0s'
 */
export function formatResetDuration(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const secondsText = `${String((total % 60_000) / 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}
