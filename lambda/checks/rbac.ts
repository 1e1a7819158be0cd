/** Diagnosis step 7: what the operator's service account may do, asked as the API server decides it. */
import { findings } from './finding.js';
import { RUNBOOK_NOTES } from './remediation.js';
import type { Check } from './types.js';

export const rbac: Check = (snapshot) => {
  const f = findings(snapshot, 'rbac');
  if (!snapshot.rbacChecks.ok)
    return [f.unread('the operator permissions (SubjectAccessReview)', snapshot.rbacChecks)];
  const { user, checks } = snapshot.rbacChecks.data;
  const real = checks.filter((c) => !c.misleading);
  const denied = real.filter((c) => c.allowed === false);
  const literal = checks.find((c) => c.misleading);
  if (denied.length > 0) {
    return [
      f.fail('rbac-denied', {
        summary: `the operator may not ${denied.map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}`).join(', ')}`,
        evidence: [
          ...denied.map(
            (c) =>
              `SubjectAccessReview for ${user}: ${c.verb} ${c.group ? `${c.resource}.${c.group}` : c.resource}${c.subresource ? ` (subresource ${c.subresource})` : ''}: denied${c.reason ? ` (${c.reason})` : ''}`,
          ),
          ...(literal?.allowed ? [`the runbook's "${literal.runbookCommand}" says yes`] : []),
        ],
        weight: 0.95,
        notes:
          literal?.allowed && denied.some((c) => c.subresource === 'status')
            ? [RUNBOOK_NOTES.canI(snapshot.operator)]
            : [],
      }),
    ];
  }
  const unanswered = real.filter((c) => c.allowed === undefined);
  if (unanswered.length > 0)
    return [
      f.unknown({
        summary: `${unanswered.length} permission checks could not be asked`,
        evidence: unanswered.map((c) => c.error ?? c.id),
      }),
    ];
  return [
    f.ok({
      summary: `the operator may do all ${real.length} things the runbook checks`,
      evidence: real.map((c) => c.runbookCommand),
    }),
  ];
};
