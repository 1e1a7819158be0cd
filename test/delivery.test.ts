/**
 * Delivery after a partial failure (issue 19): the message is published, then recording that it was
 * sent fails. Recording is retried; when it never lands the invocation fails, and its retry within the
 * claim's freshness sends nothing. The contract is at least once: docs/reliability.md, "Delivery".
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lambda/config.js';
import { type CyclePorts, RECORD_TRIES, runCycle } from '../lambda/cycle.js';
import { succeeded } from '../lambda/model/source.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { FileRunStore } from '../lambda/sinks/file-store.js';
import { MemoryNotifier } from '../lambda/sinks/notifier.js';
import { scratchDir } from './helpers/scratch.js';
import { AT, firingMetrics, healthySnapshot } from './unit/snapshot.js';

const config = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }],
});

/** A store whose record of a sent message fails `failures` times. */
class FlakyRecordStore extends FileRunStore {
  calls = 0;
  constructor(
    dir: string,
    private readonly failures: number,
  ) {
    super(dir);
  }
  override async recordNotification(fingerprint: string, slot: string, result: { messageId: string }) {
    this.calls++;
    if (this.calls <= this.failures) throw new Error('ProvisionedThroughputExceededException');
    return super.recordNotification(fingerprint, slot, result);
  }
}

function ports(store: FileRunStore, notifier: MemoryNotifier): CyclePorts {
  // Our own collection port, answering with a plain snapshot of a sustained incident.
  const snapshot = healthySnapshot({ cluster: 'prod-eks-1', metrics: succeeded(firingMetrics(), 5) });
  return {
    collector: { collect: async () => ({ snapshot }) },
    store,
    bundles: new FileBundleStore(scratchDir('delivery-bundles-')),
    notifier,
  };
}

describe('recording a delivery that fails', () => {
  it('is retried: one message, and the alert records it', async () => {
    const store = new FlakyRecordStore(scratchDir('delivery-'), RECORD_TRIES - 1);
    const notifier = new MemoryNotifier();
    const result = await runCycle(ports(store, notifier), {
      config,
      cluster: 'prod-eks-1',
      budgetMs: 5000,
      at: AT,
    });
    expect(notifier.sent).toHaveLength(1);
    expect(result.notification).toMatchObject({ kind: 'firing', status: 'sent' });
    expect(result.alert.lastNotifiedAt).toBe(AT.toISOString());
    expect(store.calls).toBe(RECORD_TRIES);
  });

  it('that never lands fails the invocation, and its retry sends nothing while the claim is fresh', async () => {
    const store = new FlakyRecordStore(scratchDir('delivery-'), 1000);
    const notifier = new MemoryNotifier();
    const input = { config, cluster: 'prod-eks-1', budgetMs: 5000, at: AT, slot: AT.toISOString() };
    await expect(runCycle(ports(store, notifier), input)).rejects.toThrow(/ProvisionedThroughput/);
    expect(notifier.sent).toHaveLength(1);
    // Lambda retries the same event: the claim is held by the first invocation, not yet stale.
    const retried = await runCycle(ports(store, notifier), input);
    expect(retried.notification).toMatchObject({ status: 'claimed-elsewhere' });
    expect(notifier.sent).toHaveLength(1);
  });
});
