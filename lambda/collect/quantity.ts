/** Kubernetes resource quantities (`250m`, `1.5Gi`, `2`) as numbers: cores for CPU, bytes for memory. */

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function parseQuantity(text: string | number | undefined | null): number | undefined {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') return undefined;
  const m = /^([+-]?\d+(?:\.\d+)?)(?:[eE]([+-]?\d+))?(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  const value = Number(m[1]) * 10 ** Number(m[2] ?? 0);
  return value * (SUFFIX[m[3] ?? ''] ?? 1);
}

/** A container's `resources.requests` or `limits` as numbers: cores and bytes. */
export function parseResources(values: Record<string, string> | undefined): {
  cpu?: number;
  memory?: number;
} {
  const out: { cpu?: number; memory?: number } = {};
  const cpu = parseQuantity(values?.cpu);
  const memory = parseQuantity(values?.memory);
  if (cpu !== undefined) out.cpu = cpu;
  if (memory !== undefined) out.memory = memory;
  return out;
}
