/** Diagnosis step 7: what the operator's service account may do, asked as the API server decides it. */

import { finding, unread } from './finding.js';
import { RUNBOOK_NOTES } from './remediation.js';
import type { Check } from './types.js';

export const rbac: Check = (snapshot) => {
  if (!snapshot.rbacChecks.ok)
    return [unread(snapshot, 'rbac', 'the operator permissions (SubjectAccessReview)', snapshot.rbacChecks)];
  const { user, checks } = snapshot.rbacChecks.data;
  const real = checks.filter((c) => !c.misleading);
  const denied = real.filter((c) => c.allowed === false);
  const literal = checks.find((c) => c.misleading);
  const notes =
    literal?.allowed && denied.some((c) => c.subresource === 'status')
      ? [RUNBOOK_NOTES.canI(snapshot.operator)]
      : [];
  if (denied.length > 0) {
    return [
      finding(
        snapshot,
        'rbac',
        'fail',
        'rbac-denied',
        `the operator may not ${denied.map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}`).join(', ')}`,
        [
          ...denied.map(
            (c) =>
              `SubjectAccessReview for ${user}: ${c.verb} ${c.group ? `${c.resource}.${c.group}` : c.resource}${c.subresource ? ` (subresource ${c.subresource})` : ''}: denied${c.reason ? ` (${c.reason})` : ''}`,
          ),
          ...(literal?.allowed ? [`the runbook's "${literal.runbookCommand}" says yes`] : []),
        ],
        0.95,
        notes,
      ),
    ];
  }
  const unanswered = real.filter((c) => c.allowed === undefined);
  if (unanswered.length > 0)
    return [
      finding(
        snapshot,
        'rbac',
        'unknown',
        null,
        `${unanswered.length} permission checks could not be asked`,
        unanswered.map((c) => c.error ?? c.id),
      ),
    ];
  return [
    finding(
      snapshot,
      'rbac',
      'ok',
      null,
      `the operator may do all ${real.length} things the runbook checks`,
      real.map((c) => c.runbookCommand),
    ),
  ];
};
