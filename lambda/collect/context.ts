import type { OperatorNames } from '../model/operator.js';
import type { ClusterReader } from './cluster-reader.js';

/** What every collector gets: the reader, the operator's real names, and the collection settings. */
export interface CollectContext {
  reader: ClusterReader;
  operator: OperatorNames;
  logTailLines: number;
  /** Bytes of one log stream kept at most, the newest; LOG_LIMIT_BYTES unless set. */
  logLimitBytes?: number;
}

/**
 * Bytes of a log stream kept at most: the newest ones. Not sent as `limitBytes`, with which the API
 * server returns the START of the tail; the reader keeps the newest bytes instead, so a runaway log
 * cannot exhaust memory and the lines nearest the incident are the ones kept.
 */
export const LOG_LIMIT_BYTES = 16 * 1024 * 1024;
