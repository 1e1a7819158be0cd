/**
 * Prometheus durations exactly as its rule files take them (`model.ParseDuration`): units in the
 * order y w d h m s ms, each at most once, integers only, and a bare `0`. `1h30m` is one; `90s`
 * is one; `1.5h`, `5 m` and `m5` are not.
 */

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds in a Prometheus duration, or the reason it is not one (Prometheus's own words). */
export function parsePrometheusDuration(text: string): { ms: number } | { error: string } {
  if (text === '0') return { ms: 0 };
  if (text === '') return { error: 'empty duration string' };
  const match = DURATION_RE.exec(text);
  if (!match) return { error: `not a valid duration string: "${text}"` };
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const amount = match[i + 1];
    if (amount !== undefined) ms += Number(amount) * (UNIT_MS[i] as number);
  }
  if (!Number.isSafeInteger(ms)) return { error: `duration out of range: "${text}"` };
  return { ms };
}

/** A duration as Prometheus prints it (`1h30m`, `30s`, `0s`). */
export function formatPrometheusDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: [string, number][] = [
    ['y', UNIT_MS[0] as number],
    ['w', UNIT_MS[1] as number],
    ['d', UNIT_MS[2] as number],
    ['h', UNIT_MS[3] as number],
    ['m', UNIT_MS[4] as number],
    ['s', UNIT_MS[5] as number],
    ['ms', 1],
  ];
  let left = ms;
  let out = '';
  for (const [unit, size] of units) {
    if (left >= size) {
      out += `${Math.floor(left / size)}${unit}`;
      left %= size;
    }
  }
  return out;
}
