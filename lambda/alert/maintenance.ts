/**
 * Quiet when people are working on it: recurring maintenance windows per cluster (days of the week
 * as in cron, a local start time, a duration, an IANA time zone). Inside a window the cycle runs,
 * stores and evaluates as usual and the alert's state moves as usual; only the notifications are
 * held. At the first cycle after the window, a still-firing alert (or a blind checker) notifies,
 * saying what was held; an incident that began and ended inside the window stays quiet.
 *
 * Pure functions; time zones through Intl (no dependency). A window's duration is elapsed time, so a
 * window that spans a daylight-saving change ends an hour earlier or later on the wall clock; a start
 * time that does not exist that day (the spring-forward gap) starts at the same elapsed offset after
 * midnight as it would have, i.e. an hour later on the wall clock, and one that exists twice (the
 * fall-back hour) starts at the first, as Temporal's "compatible" disambiguation does.
 */
import * as z from 'zod';
import { formatDuration, parseDuration } from '../durations.js';
import type { HeldNotices, Notice, NoticeKind } from '../model/alert.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Days of the week as cron writes them: `*`, `mon-fri`, `sat,sun`, `1-5` (0 and 7 are Sunday). */
export function parseDays(text: string): number[] | { error: string } {
  const spec = text.trim().toLowerCase();
  if (spec === '*') return [0, 1, 2, 3, 4, 5, 6];
  const day = (t: string): number | undefined => {
    if (/^[0-7]$/.test(t)) return Number(t) % 7;
    const i = DAY_NAMES.indexOf(t as (typeof DAY_NAMES)[number]);
    return i >= 0 ? i : undefined;
  };
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const [from, to, ...rest] = part.trim().split('-');
    const a = day(from ?? '');
    const b = to === undefined ? a : day(to);
    if (a === undefined || b === undefined || rest.length > 0)
      return { error: `expected days such as "mon-fri", "sat,sun", "1-5" or "*", got "${text}"` };
    // A range may wrap past Saturday: fri-mon is Friday to Monday.
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days].sort();
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

export const maintenanceWindowSchema = z
  .strictObject({
    /** Days of the week the window starts on, as in cron. */
    days: z.string().default('*'),
    /** Local start time, 24-hour `HH:MM`. */
    start: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a 24-hour time such as "22:00"' }),
    /** Elapsed time from the start, as a Prometheus duration. */
    duration: z.string(),
    /** The IANA time zone the start time is in. */
    timeZone: z.string(),
    /** What the window is for, shown in the held notice. */
    reason: z.string().max(200).optional(),
  })
  .transform((w, ctx) => {
    const days = parseDays(w.days);
    if ('error' in days) ctx.addIssue({ code: 'custom', path: ['days'], message: days.error });
    const seconds = parseDuration(w.duration);
    if (seconds === undefined || seconds < 60 || seconds > 7 * 86_400)
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: `expected a duration from 1m to 7d such as "2h", got "${w.duration}"`,
      });
    if (!isTimeZone(w.timeZone))
      ctx.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: `expected an IANA time zone such as "Europe/Berlin" or "UTC", got "${w.timeZone}"`,
      });
    if ('error' in days || seconds === undefined) return z.NEVER;
    return {
      days,
      daysText: w.days,
      start: w.start,
      durationSeconds: seconds,
      timeZone: w.timeZone,
      ...(w.reason ? { reason: w.reason } : {}),
    };
  });

export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;

/** "mon-fri 22:00 Europe/Berlin for 2h (operator upgrade)". */
export function describeWindow(w: MaintenanceWindow): string {
  return `${w.daysText} ${w.start} ${w.timeZone} for ${formatDuration(w.durationSeconds)}${w.reason ? ` (${w.reason})` : ''}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock in a zone at an instant, as if it were UTC (milliseconds). */
function wallMs(instantMs: number, zone: string): number {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(instantMs))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  );
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetMs(instantMs: number, zone: string): number {
  return wallMs(instantMs, zone) - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant a local wall-clock time names in a zone ("compatible": the earlier of two, and past a
 * gap with the offset from before it).
 */
export function zonedInstant(localMs: number, zone: string): number {
  const before = offsetMs(localMs - 86_400_000, zone);
  const after = offsetMs(localMs + 86_400_000, zone);
  const candidates = [localMs - before, localMs - after].filter((t) => t + offsetMs(t, zone) === localMs);
  return candidates.length > 0 ? Math.min(...candidates) : localMs - before;
}

export interface WindowOccurrence {
  window: MaintenanceWindow;
  start: Date;
  end: Date;
}

/** The occurrence of a window that `at` falls in (the one ending last, when several do). */
export function activeWindow(windows: readonly MaintenanceWindow[], at: Date): WindowOccurrence | undefined {
  let found: WindowOccurrence | undefined;
  const t = at.getTime();
  for (const w of windows) {
    const today = new Date(wallMs(t, w.timeZone));
    const [hh, mm] = w.start.split(':').map(Number) as [number, number];
    const lookBack = Math.ceil(w.durationSeconds / 86_400) + 1;
    for (let back = lookBack; back >= 0; back--) {
      const date = new Date(
        Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - back, hh, mm),
      );
      if (!w.days.includes(date.getUTCDay())) continue;
      const start = zonedInstant(date.getTime(), w.timeZone);
      const end = start + w.durationSeconds * 1000;
      if (start <= t && t < end && (!found || end > found.end.getTime()))
        found = { window: w, start: new Date(start), end: new Date(end) };
    }
  }
  return found;
}

type Deliverable = Notice & { slot: string; runId: string };

export interface MaintenanceDecision {
  /** What to deliver this cycle (possibly a notice that reports what was held). */
  deliver?: Deliverable;
  /** What stays held (kept with the alert's state); undefined clears it. */
  held?: HeldNotices;
  /** Set when this cycle held a notice: the window it was held for. */
  holding?: { kind: NoticeKind; until: string; window: string };
}

/**
 * Holds what the cycle decided to deliver while a window is active; after it, turns what was held
 * into one notice when the alert still needs someone (firing, blind), or when a firing announced
 * before the window resolved during it.
 */
export function applyMaintenance(input: {
  windows: readonly MaintenanceWindow[];
  at: Date;
  /** The alert's state after this cycle's transition. */
  state: 'inactive' | 'pending' | 'firing' | 'resolved' | 'blind';
  firing?: { firingRunId?: string; firingSince?: string };
  held?: HeldNotices;
  deliver?: Deliverable;
  slot: string;
  runId: string;
}): MaintenanceDecision {
  const { at, held, deliver } = input;
  const active = activeWindow(input.windows, at);
  if (active) {
    if (!deliver) return held ? { held: { ...held, windowEnd: laterOf(held.windowEnd, active.end) } } : {};
    const iso = at.toISOString();
    const firing = deliver.firingRunId
      ? {
          firingRunId: deliver.firingRunId,
          ...(deliver.firingSince ? { firingSince: deliver.firingSince } : {}),
        }
      : held?.firing;
    const next: HeldNotices = held
      ? {
          ...held,
          windowEnd: laterOf(held.windowEnd, active.end),
          kinds: held.kinds.includes(deliver.kind) ? held.kinds : [...held.kinds, deliver.kind],
          count: held.count + 1,
          lastAt: iso,
          ...(firing ? { firing } : {}),
        }
      : {
          window: describeWindow(active.window),
          windowStart: active.start.toISOString(),
          windowEnd: active.end.toISOString(),
          kinds: [deliver.kind],
          count: 1,
          firstAt: iso,
          lastAt: iso,
          ...(firing ? { firing } : {}),
        };
    return {
      held: next,
      holding: { kind: deliver.kind, until: next.windowEnd, window: next.window },
    };
  }
  if (!held) return deliver ? { deliver } : {};
  const kind = releaseKind(held, input.state, deliver?.kind);
  if (!kind) return deliver ? { deliver } : {};
  const base: Deliverable =
    deliver?.kind === kind
      ? deliver
      : {
          kind,
          ...(kind === 'firing' || kind === 'repeat' || kind === 'resolved'
            ? input.firing?.firingRunId
              ? input.firing
              : (held.firing ?? {})
            : {}),
          slot: input.slot,
          runId: input.runId,
        };
  return { deliver: { ...base, held } };
}

function laterOf(iso: string, end: Date): string {
  return Date.parse(iso) >= end.getTime() ? iso : end.toISOString();
}

/** The one notice that reports a window's held notices, if any is still worth sending. */
export function releaseKind(held: HeldNotices, state: string, decided?: NoticeKind): NoticeKind | undefined {
  if (state === 'firing') {
    // The firing itself was held: nobody has heard of it yet.
    if (held.kinds.includes('firing')) return 'firing';
    return decided === 'firing' ? 'firing' : 'repeat';
  }
  if (state === 'blind') return 'blind';
  // Not firing any more: a firing announced before the window, resolved during it, is closed;
  // an incident that began and ended inside the window is not news.
  if (held.kinds.includes('resolved') && !held.kinds.includes('firing')) return 'resolved';
  if (held.kinds.includes('unblind') && !held.kinds.includes('blind')) return 'unblind';
  return decided;
}

/** The words a message carries about what was held. */
export function heldLines(held: HeldNotices): string[] {
  const when =
    held.count === 1 ? `at ${held.firstAt}` : `the first at ${held.firstAt}, the last at ${held.lastAt}`;
  return [
    `Notifications were held during the maintenance window ${held.window}, from ${held.windowStart} to ${held.windowEnd}: ${held.count} held (${held.kinds.join(', ')}), ${when}.`,
  ];
}
