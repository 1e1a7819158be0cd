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
  /** Set when the checker could not reach or was not allowed to read the cluster: shown first. */
  checker?: CheckerTrouble;
}

/** The checker's own trouble reaching or reading the cluster: never one of the runbook's causes. */
export interface CheckerTrouble {
  problem: 'unreachable' | 'unauthorized' | 'forbidden' | 'partly-forbidden' | 'throttled';
  summary: string;
  /** The exact remedy: the manifest, the access entry, the kubeconfig, the `vpc` setting. */
  remedy: string[];
  /** The sources it kept the checker from reading. */
  sources: string[];
}
