/** External dependencies: network policies that confine the operator, against what its logs could not reach. */

import type { Finding } from '../model/finding.js';
import { finding } from './finding.js';
import type { Check } from './types.js';

export const externalDependencies: Check = (snapshot) => {
  if (!snapshot.networkPolicies.ok) return [];
  const confining = snapshot.networkPolicies.data.filter((p) => p.restrictsEgress);
  if (confining.length === 0) return [];
  const tags = snapshot.operatorLogs.ok ? snapshot.operatorLogs.data.summary.tags : {};
  const blocked = (tags.timeout ?? 0) + (tags['connection-refused'] ?? 0) + (tags.dns ?? 0);
  const ports = [...new Set(confining.flatMap((p) => p.egressPorts))];
  const missing = ['TCP/443', 'UDP/53'].filter(
    (p) => !ports.includes(p) && !ports.includes(p.replace(/\/.*/, '/*')),
  );
  const out: Finding[] = [];
  const evidence = [
    ...confining.map(
      (p) =>
        `NetworkPolicy ${snapshot.operator.namespace}/${p.name} restricts the operator's egress to ${p.egressPorts.length > 0 ? p.egressPorts.join(', ') : 'nothing'}`,
    ),
    ...(blocked > 0 ? [`${blocked} log entries of timeouts, refused connections or DNS failures`] : []),
  ];
  const strong = blocked > 0 && missing.length > 0;
  out.push(
    finding(
      snapshot,
      'external-dependencies',
      strong ? 'fail' : 'warn',
      'network-policy-blocking',
      strong
        ? `egress of the operator is blocked (${missing.join(', ')} not allowed)`
        : "the operator's egress is confined by network policy",
      evidence,
      strong ? 0.9 : 0.2,
    ),
  );
  return out;
};
