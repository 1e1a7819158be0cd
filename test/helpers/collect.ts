import { Budget, HttpsClusterReader } from '../../lambda/collect/cluster-reader.js';
import { collectCluster } from '../../lambda/collect/collect-cluster.js';
import { loadLocalKubeConfig } from '../../lambda/collect/kubeconfig.js';
import { OPERATOR_PRESETS, type OperatorPreset } from '../../lambda/presets.js';
import type { Simulator } from '../../sim/kube/server.js';

/** One collection against a simulator, through its kubeconfig as a laptop user would connect. */
export async function collectFrom(
  sim: Simulator,
  options: {
    preset?: OperatorPreset;
    budgetMs?: number;
    logTailLines?: number;
    logLimitBytes?: number;
    kubeconfigPath?: string;
  } = {},
) {
  const budgetMs = options.budgetMs ?? 30_000;
  const reader = await HttpsClusterReader.fromKubeConfig(
    loadLocalKubeConfig({ path: options.kubeconfigPath ?? sim.kubeconfigPath }),
    Budget.forMs(budgetMs),
  );
  try {
    return await collectCluster({
      cluster: 'simulator',
      reader,
      operator: OPERATOR_PRESETS[options.preset ?? 'tenant-operator'],
      logTailLines: options.logTailLines ?? 5000,
      ...(options.logLimitBytes ? { logLimitBytes: options.logLimitBytes } : {}),
      budgetMs,
    });
  } finally {
    reader.close();
  }
}
