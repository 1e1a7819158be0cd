/** How numbers read everywhere the checker writes them: one formatter per kind of quantity. */

/** A ratio as a percentage: `20.0%`, and `0.25%` for small non-zero ratios so they do not read as 0. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.01 && ratio > 0 ? 2 : 1)}%`;
}

/** Bytes in Kubernetes' binary units, as `kubectl top` prints memory: `126Mi`. */
export function mebibytes(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${Math.round(bytes / 2 ** 20)}Mi`;
}

/** CPU cores as millicores, as `kubectl top` prints CPU: `480m`. */
export function millicores(cores: number | undefined): string {
  return cores === undefined ? '-' : `${Math.round(cores * 1000)}m`;
}
