// @kubernetes/client-node's generated API (300 KB of models, evaluated at every start) is reached from
// KubeConfig only by makeApiClient, which tenant-check never calls: it reads the kubeconfig, and
// applyToHTTPSOptions signs its own requests. bin/build-cli.mjs puts this module in its place.
function leftOut() {
  throw new Error("tenant-check's bundle leaves out @kubernetes/client-node's generated API (makeApiClient)");
}
export function createConfiguration() {
  leftOut();
}
export class ServerConfiguration {
  constructor() {
    leftOut();
  }
}
