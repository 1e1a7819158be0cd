/**
 * Durations and schedule expressions as the people who write this config already know them:
 * Prometheus durations (`10m`, `4h`, `1h30m`) and EventBridge Scheduler expressions
 * (`rate(5 minutes)`, `cron(0/5 * * * ? *)`).
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION = /^(?:\d+[wdhms])+$/;
const DURATION_PART = /(\d+)([wdhms])/g;

/** Seconds in a Prometheus-style duration such as `10m` or `1h30m`; `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    seconds += Number(amount) * (UNIT_SECONDS[unit as string] ?? 0);
  }
  return seconds > 0 ? seconds : undefined;
}

/** A duration written back the way Prometheus prints it (`1h30m`), for messages and reports. */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let left = Math.round(seconds);
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[unit] as number;
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.length > 0 ? parts.join('') : '0s';
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+ ){5}\S+\)$/;
const RATE_UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

export type Schedule =
  | { kind: 'rate'; expression: string; periodSeconds: number }
  | { kind: 'cron'; expression: string };

/**
 * Reads an EventBridge Scheduler expression. AWS takes the singular unit for 1 and the plural
 * otherwise (`rate(1 minute)`, `rate(5 minutes)`) and refuses the other spelling at deploy time,
 * so we refuse it at synth time instead. Returns a reason when the expression is not one.
 */
export function parseSchedule(expression: string): Schedule | { error: string } {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    const singular = unit.replace(/s$/, '');
    if (value < 1) return { error: 'a rate must be at least 1' };
    if ((value === 1) !== (unit === singular)) {
      return { error: `write rate(${value} ${value === 1 ? singular : `${singular}s`})` };
    }
    return { kind: 'rate', expression, periodSeconds: value * (RATE_UNIT_SECONDS[singular] as number) };
  }
  if (CRON.test(expression)) return { kind: 'cron', expression };
  return {
    error: 'expected rate(N minutes|hours|days) or cron(min hour day-of-month month day-of-week year)',
  };
}
