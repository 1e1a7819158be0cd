/**
 * What one source's reads went through (retries, a restarted list), gathered while the source runs
 * and put on its record at the end. Every read of a source runs inside its own async context, so the
 * reader and the pager can record without each collector passing a log along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SourceResult } from '../model/source.js';

class SourceLog {
  tries = 1;
  readonly notes: string[] = [];
}

const current = new AsyncLocalStorage<SourceLog>();
/** Notes kept per source at most (a source of many pages must not grow its record without bound). */
const MAX_NOTES = 10;

/** Records what a read of the running source went through. Outside a source, does nothing. */
export function recordRead(tries: number, notes: readonly string[] = []): void {
  const log = current.getStore();
  if (!log) return;
  log.tries = Math.max(log.tries, tries);
  for (const note of notes) if (log.notes.length < MAX_NOTES) log.notes.push(note);
}

/** Runs one source and puts what its reads went through on its result. */
export async function withSourceLog<T>(run: () => Promise<SourceResult<T>>): Promise<SourceResult<T>> {
  const log = new SourceLog();
  const result = await current.run(log, run);
  if (log.tries <= 1 && log.notes.length === 0) return result;
  return {
    ...result,
    ...(log.tries > 1 ? { tries: Math.max(log.tries, result.tries ?? 1) } : {}),
    ...(log.notes.length > 0
      ? { notes: [...new Set([...(result.notes ?? []), ...log.notes])].slice(0, MAX_NOTES) }
      : {}),
  };
}
