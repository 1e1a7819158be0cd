import type { CauseId } from './causes.js';
export interface RankedCause {
  id: CauseId | 'none';
  confidence: number;
  evidence: string[];
}

export interface Verdict {
  /** The runbook's expression now; null when it could not be evaluated. */
  errorRate: number | null;
  sustained: boolean;
  causes: RankedCause[];
  /** Share of the sources that were read, 0..1. */
  coverage: number;
  /** The sources that could not be read. */
  unread: string[];
}
