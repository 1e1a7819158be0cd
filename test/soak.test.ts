/**
 * A long run in one warm process: ≥ 2,000 check cycles over eight clusters with faults drawn at random
 * from a fixed seed (test/soak/harness.ts). What must hold, whatever the faults: every cycle stored,
 * exactly one message per notice (each firing transition one firing message), no unhandled rejection,
 * heap and RSS flat after warm-up, no descriptor growth. Memory bounds are generous and the numbers
 * are printed, not timed; `SOAK_CYCLES` runs it longer (npm run bench does, and reports).
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from './soak/harness.js';

const CYCLES = Number(process.env.SOAK_CYCLES ?? 2000);

describe('the soak', () => {
  it(`${CYCLES} cycles over eight clusters with random faults: everything stored, one message per notice, no growth`, async () => {
    const report = await runSoak({ cycles: CYCLES, clusters: 8, seed: 19, warmup: Math.round(CYCLES / 10) });
    const { memory, fds } = report;
    process.stdout.write(
      `soak: ${report.cycles} cycles (${report.invocations} invocations) in ${(report.wallMs / 1000).toFixed(1)} s; faults ${JSON.stringify(report.faults)}; failed invocations ${JSON.stringify(report.failures)}; ${report.sent} messages (${report.firingMessages} firing, ${report.resolvedMessages} resolved); heap ${memory.warm.heapMb.toFixed(1)} → ${memory.end.heapMb.toFixed(1)} MB, RSS ${memory.warm.rssMb.toFixed(0)} → ${memory.end.rssMb.toFixed(0)} MB (peak ${memory.peakRssMb.toFixed(0)}); fds ${fds ? `${fds.warm} → ${fds.end}` : 'not counted (not Linux)'}\n`,
    );

    expect(report.failedSlots).toEqual([]);
    expect(report.missingSlots).toEqual([]);
    expect(report.storedSlots).toBe(CYCLES);
    // The faults were really drawn, and the alert really moved.
    for (const kind of [
      'api-transient',
      'api-lasting',
      'api-reset',
      'timeout',
      'metrics-gap',
      'metrics-garbage',
      'dynamo-throttled',
    ])
      expect(report.faults[kind], kind).toBeGreaterThan(0);
    expect(report.failures).toHaveProperty([
      'ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table',
    ]);
    expect(Object.keys(report.failures).some((f) => f.startsWith('NotifyError'))).toBe(true);
    expect(report.firingTransitions).toBeGreaterThan(10);
    // Exactly one message per notice.
    expect(report.duplicates).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.undelivered).toEqual([]);
    expect(report.received).toBe(report.sent);
    expect(report.firingMessages).toBe(report.firingTransitions);
    expect(report.unhandledRejections).toBe(0);
    // Flat after warm-up: generous bounds (a leak of a snapshot a cycle would be hundreds of MB).
    expect(memory.end.heapMb - memory.warm.heapMb).toBeLessThan(32);
    expect(memory.end.rssMb - memory.warm.rssMb).toBeLessThan(96);
    if (fds) expect(fds.end - fds.warm).toBeLessThanOrEqual(16);
  }, 600_000);
});
