/** The shape every check returns, and the one signature every check has. */

import type { Finding } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';

export interface CheckContext {
  /** The alert's threshold, as a ratio. */
  threshold: number;
}

/** A check: a pure function of what was collected. No I/O. */
export type Check = (snapshot: ClusterSnapshot, context: CheckContext) => Finding[];
