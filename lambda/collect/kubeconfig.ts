/**
 * Where a KubeConfig comes from: the user's kubeconfig on a laptop (read as kubectl reads it), or the
 * EKS cluster's endpoint, CA and a fresh token in Lambda. Either way the cycle gets the same reader.
 */
import { KubeConfig } from '@kubernetes/client-node';

export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

/**
 * The kubeconfig kubectl would use: `path` (like --kubeconfig), else $KUBECONFIG, else ~/.kube/config;
 * the current context unless one is named.
 */
export function loadLocalKubeConfig(options: { path?: string; context?: string } = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (options.path) kubeConfig.loadFromFile(options.path);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    const where = options.path ?? process.env.KUBECONFIG ?? '~/.kube/config';
    throw new KubeConfigError(`cannot read the kubeconfig ${where}: ${(error as Error).message}`);
  }
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `context "${options.context}" is not in the kubeconfig (contexts: ${known.join(', ') || 'none'})`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw new KubeConfigError(
      'the kubeconfig has no current context: pass --context NAME or run kubectl config use-context',
    );
  }
  return kubeConfig;
}

/** A KubeConfig for one EKS cluster from DescribeCluster's endpoint and CA, and a bearer token. */
export function eksKubeConfig(options: {
  clusterName: string;
  endpoint: string;
  caData: string;
  token: string;
}): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      { name: options.clusterName, server: options.endpoint, caData: options.caData, skipTLSVerify: false },
    ],
    users: [{ name: 'tenant-checker', token: options.token }],
    contexts: [{ name: options.clusterName, cluster: options.clusterName, user: 'tenant-checker' }],
    currentContext: options.clusterName,
  });
  return kubeConfig;
}
