/** The incident's timeline, from what the cycle read: onset, earlier episode, alert state, rollouts, warnings. */
import type { ClusterSnapshot } from '../model/snapshot.js';

export function timelineOf(s: ClusterSnapshot, alertSince?: string): [string, string][] {
  const timeline: [string, string][] = [];
  if (s.metrics.ok && s.metrics.data.startedAt)
    timeline.push([s.metrics.data.startedAt, 'the error rate went above the threshold']);
  if (s.metrics.ok && s.metrics.data.lastEpisode)
    timeline.push([
      s.metrics.data.lastEpisode.startedAt,
      `an earlier episode began (ended ${s.metrics.data.lastEpisode.endedAt})`,
    ]);
  if (alertSince) timeline.push([alertSince, `the alert entered its current state`]);
  if (s.operatorDeployment.ok) {
    for (const rs of s.operatorDeployment.data.replicaSets.slice(0, 3))
      if (rs.createdAt)
        timeline.push([
          rs.createdAt,
          `operator rollout: ReplicaSet ${rs.name} (revision ${rs.revision ?? '?'}${rs.image ? `, ${rs.image}` : ''})`,
        ]);
  }
  if (s.events.ok) {
    for (const e of s.events.data.recent.filter((x) => x.type === 'Warning').slice(0, 10))
      if (e.lastTime)
        timeline.push([e.lastTime, `warning ${e.reason}: ${e.namespace}/${e.name}: ${e.message}`]);
  }
  return timeline.sort((a, b) => a[0].localeCompare(b[0]));
}
