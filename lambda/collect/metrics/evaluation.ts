import { percent } from '../../model/format.js';
import { above, type MetricsEvaluation } from '../../model/metrics.js';

/** The runbook's alert misses what shows in these signals: say so, with the numbers. */
export function blindness(
  evaluation: Pick<
    MetricsEvaluation,
    'errorRate' | 'partialFailureShare' | 'controllerErrorRatio' | 'threshold'
  >,
): MetricsEvaluation['alertBlind'] {
  const { errorRate, partialFailureShare, controllerErrorRatio, threshold } = evaluation;
  if (errorRate.state === 'ok' && above(errorRate.value, threshold)) return undefined;
  const rate = errorRate.state === 'ok' ? `${percent(errorRate.value)}` : `unknown (${errorRate.reason})`;
  const reasons: string[] = [];
  if (partialFailureShare.state === 'ok' && above(partialFailureShare.value, threshold)) {
    reasons.push(
      `${percent(partialFailureShare.value)} of reconciles ended partial_failure, which result="error" does not count (the runbook's ratio is ${rate}, threshold ${percent(threshold)})`,
    );
  }
  if (controllerErrorRatio.state === 'ok' && above(controllerErrorRatio.value, threshold)) {
    reasons.push(
      `controller-runtime counts ${percent(controllerErrorRatio.value)} of reconciles as errors (the runbook's ratio is ${rate}, threshold ${percent(threshold)})`,
    );
  }
  return reasons.length > 0 ? { reasons } : undefined;
}
