/**
 * The user's kubeconfig on a laptop, read as kubectl reads it by @kubernetes/client-node.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// Only the KubeConfig module: the generated API clients are not used and would triple the bundle.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';

export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

export const NO_KUBECONFIG = 'no kubeconfig found ($KUBECONFIG, ~/.kube/config)';

/**
 * Whether kubectl would find a kubeconfig: $KUBECONFIG, ~/.kube/config, or a pod's service account.
 * Without one, client-node falls back to http://localhost:8080 with a cluster named `cluster`, which
 * is never what a user of this command means. (Windows also asks WSL: left to client-node.)
 */
function anyDefaultKubeconfig(env = process.env): boolean {
  if (process.platform === 'win32' || env.KUBECONFIG) return true;
  if (env.HOME && existsSync(join(env.HOME, '.kube', 'config'))) return true;
  return existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

/**
 * The kubeconfig kubectl would use: `path` (like --kubeconfig), else $KUBECONFIG, else ~/.kube/config;
 * the current context unless one is named.
 */
export function loadLocalKubeConfig(options: { path?: string; context?: string } = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (!options.path && !anyDefaultKubeconfig()) throw new KubeConfigError(NO_KUBECONFIG);
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
