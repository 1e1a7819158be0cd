/**
 * The bundle's files beyond the runbook's list: the operator's Deployment as read, the configuration
 * the checker ran with (no e-mail addresses), and the notification as sent.
 */
import { stringify } from 'yaml';
import type { CheckerConfig } from '../config.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { Notification } from './notifier.js';

const mi = (b?: number) => (b === undefined ? undefined : `${Math.round(b / 2 ** 20)}Mi`);
const milli = (c?: number) => (c === undefined ? undefined : `${Math.round(c * 1000)}m`);

/** `operator-deployment.yaml`: image, arguments, resources, replicas, conditions and the rollout history. */
export function operatorDeploymentYaml(s: ClusterSnapshot): string {
  if (!s.operatorDeployment.ok)
    return `# the operator's Deployment could not be read: ${s.operatorDeployment.error.kind}: ${s.operatorDeployment.error.message}\n`;
  const d = s.operatorDeployment.data;
  const resources = (r: { cpu?: number; memory?: number }) => {
    const out: Record<string, string> = {};
    const cpu = milli(r.cpu);
    const memory = mi(r.memory);
    if (cpu) out.cpu = cpu;
    if (memory) out.memory = memory;
    return out;
  };
  return stringify({
    kind: 'Deployment',
    note: 'as the checker read it (the fields the runbook looks at); env values are not read, only their names',
    namespace: s.operator.namespace,
    name: d.name,
    image: d.image ?? null,
    args: d.args,
    flags: d.flags,
    envNames: d.envNames,
    resources: { requests: resources(d.requests), limits: resources(d.limits) },
    replicas: d.replicas,
    conditions: d.conditions,
    rolloutHistory: d.replicaSets.map((rs) => ({
      revision: rs.revision ?? null,
      replicaSet: rs.name,
      createdAt: rs.createdAt ?? null,
      image: rs.image ?? null,
      replicas: rs.replicas,
      readyReplicas: rs.readyReplicas,
    })),
    lastRolloutAt: d.lastRolloutAt ?? null,
  });
}

/** `config.json`: the configuration used, without the e-mail addresses subscribed to the topic. */
export function configJson(config: CheckerConfig): string {
  const { notifications, ...rest } = config;
  const { emails: _emails, ...kept } = notifications;
  return `${JSON.stringify({ ...rest, notifications: kept }, null, 2)}\n`;
}

/** `notification.txt`: the e-mail as sent (subject and body). */
export function notificationText(n: Notification): string {
  return `Subject: ${n.subject}\n\n${n.body}\n`;
}

/** `notification.json`: what was published, with each protocol's body read back as data. */
export function notificationJson(n: Notification): string {
  const parse = (text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return `${JSON.stringify(
    {
      subject: n.subject,
      attributes: n.attributes,
      messageStructure: n.protocols ? 'json' : null,
      bodies: n.protocols
        ? Object.fromEntries(
            Object.entries(n.protocols).map(([protocol, body]) => [
              protocol,
              protocol === 'email' || protocol === 'sms' ? body : parse(body),
            ]),
          )
        : { default: n.body },
    },
    null,
    2,
  )}\n`;
}
