import type { OperatorNames } from '../model/operator.js';
import type { ClusterReader } from './cluster-reader.js';

/** What every collector gets: the reader, the operator's real names, and the collection settings. */
export interface CollectContext {
  reader: ClusterReader;
  operator: OperatorNames;
  logTailLines: number;
}

/** Lines of a log read at most (bytes): the server stops there, so a runaway log cannot exhaust memory. */
export const LOG_LIMIT_BYTES = 16 * 1024 * 1024;
