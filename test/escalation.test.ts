/**
 * Escalation end to end on local AWS: a firing incident (with secrets planted in its logs, events and
 * status messages) ends with a stored run, a bundle in S3 whose presigned link downloads and unpacks
 * to every file of the runbook's list with nothing secret in it, and one message delivered through
 * SNS to a subscribed queue; a resolved incident with one resolved message; and the failure orders.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import type { MetricsSource } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { NotifyError, runCycle } from '../lambda/cycle.js';
import type { MetricsEvaluation } from '../lambda/model/metrics.js';
import type { Measured } from '../lambda/model/source.js';
import { succeeded } from '../lambda/model/source.js';
import { toReport } from '../lambda/report.js';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import type { Notifier } from '../lambda/sinks/notifier.js';
import { redact } from '../lambda/sinks/redact.js';
import { S3BundleStore } from '../lambda/sinks/s3-bundle-store.js';
import { SnsNotifier } from '../lambda/sinks/sns-notifier.js';
import { INCIDENTS } from '../sim/incidents/library.js';
import { ago, event } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { REGION, startS3, startSns } from './helpers/aws-local.js';
import { chatNotificationSchema } from './helpers/chat-schema.js';
import { createTable, type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { collectorFor } from './helpers/ports.js';
import { describeNeeding } from './helpers/requirements.js';
import { leaks, PLANTED_SECRETS, plantedLines } from './helpers/secrets.js';

const describe = describeNeeding('openssl');

const BUCKET = 'checker-bundles';
const config = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: REGION, metrics: { source: 'scrape' } }],
  bundles: { linkExpiry: '6h' },
});
const cluster = config.clusters[0] as (typeof config.clusters)[number];
const T = new Date(Date.now() - 3600_000);
const at = (minutes: number) => new Date(T.getTime() + minutes * 60_000);
const ok = (value: number): Measured => ({ state: 'ok', value });

function scripted(errorRate: number, sustained: boolean): MetricsSource {
  return {
    kind: 'prometheus',
    async evaluate(when) {
      const evaluation: MetricsEvaluation = {
        source: 'prometheus',
        evaluatedAt: when.toISOString(),
        threshold: 0.1,
        forSeconds: 600,
        errorRate: ok(errorRate),
        sustained,
        reconcilesPerSecond: ok(10),
        errorsPerMinute: ok(errorRate * 600),
        partialFailureShare: ok(0),
        controllerErrorRatio: ok(errorRate),
        byController: [],
        startedAt: sustained ? at(-30).toISOString() : null,
      };
      return { result: succeeded(evaluation, 1) };
    },
  };
}

let s3: Awaited<ReturnType<typeof startS3>>;
let sns: Awaited<ReturnType<typeof startSns>>;
let dynamo: LocalDynamo;
let sim: Simulator;
let tables = 0;

beforeAll(async () => {
  s3 = await startS3(BUCKET);
  sns = await startSns('checker-notifications');
  dynamo = await startDynamo();
  // The datasource incident, with secrets where they leak in real clusters.
  const fixture = (
    INCIDENTS.find((i) => i.name === 'datasource-unavailable') as (typeof INCIDENTS)[number]
  ).fixture();
  const key = Object.keys(fixture.logs ?? {})[0] as string;
  fixture.logs = {
    ...fixture.logs,
    [key]: `${fixture.logs?.[key] ?? ''}${plantedLines()
      .map((l) => `${ago(1)}\tERROR\tReconciler error\t${JSON.stringify({ controller: 'tenant', error: l })}`)
      .join('\n')}\n`,
  };
  fixture.objects.push(
    event({
      namespace: 'tenants-3',
      type: 'Warning',
      reason: 'FailedSync',
      message: `sync failed for mysql://tenants:${PLANTED_SECRETS.dsnPassword}@mysql.data.svc:3306/tenants with Authorization: Bearer ${PLANTED_SECRETS.bearer}`,
      kind: 'Tenant',
      name: 'customer-00003',
      secondsAgo: 30,
    }),
  );
  sim = await startSimulator(fixture);
});
afterAll(async () => {
  await sim?.close();
  await dynamo?.close();
  await sns?.close();
  await s3?.close();
});

async function freshStore() {
  const table = `escalation-${++tables}`;
  await createTable(dynamo.client, table);
  return new DynamoDbRunStore(dynamo.client, table);
}

function cycle(
  store: DynamoDbRunStore,
  minute: number,
  metrics: MetricsSource,
  notifier: Notifier = new SnsNotifier(sns.sns, sns.topicArn),
  bucket = BUCKET,
) {
  return runCycle(
    {
      collector: collectorFor(
        config,
        cluster,
        new KubeconfigConnector({ path: sim.kubeconfigPath }),
        () => metrics,
      ),
      store,
      bundles: new S3BundleStore(s3.client, bucket, { linkExpirySeconds: config.bundles.linkExpiry }),
      notifier,
    },
    { config, cluster: cluster.name, budgetMs: 20_000, at: at(minute), slot: at(minute).toISOString() },
  );
}

async function unpack(body: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(header.name.replace(/^[^/]+\//, ''), Buffer.concat(chunks).toString('utf8'));
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    Readable.from(body).pipe(createGunzip()).pipe(ex);
  });
  return files;
}

describe('a firing incident', () => {
  it('stores the run, writes a bundle whose link downloads, and delivers one message with its attributes', async () => {
    const store = await freshStore();
    const result = await cycle(store, 0, scripted(0.23, true));
    expect(result.alert.state).toBe('firing');
    expect(result.notification).toMatchObject({ kind: 'firing', status: 'sent' });

    const [message, ...more] = await sns.received();
    expect(more).toEqual([]);
    expect(message?.subject).toBe(
      '[FIRING] TenantReconciliationErrors 23% on prod-eks-1: datasource (database) unavailable',
    );
    expect(message?.subject.length).toBeLessThan(100);
    expect(message?.attributes).toEqual({
      cluster: 'prod-eks-1',
      state: 'firing',
      severity: 'warning',
      topCause: 'datasource-unavailable',
      alertname: 'TenantReconciliationErrors',
    });
    // One message, a body per protocol (published with MessageStructure json; fauxqs passes the
    // structure through, so the SQS subscriber's body is picked from it as SNS would).
    const protocols = message?.protocols ?? {};
    expect(Object.keys(protocols).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sms', 'sqs']);
    expect(Buffer.byteLength(JSON.stringify(protocols))).toBeLessThan(256 * 1024);
    const body = protocols.email ?? '';
    for (const part of [
      'Error rate: 23% (threshold 10%), sustained',
      'Firing since:',
      'datasource-unavailable',
      'DatabaseConnectionFailed',
      'What to do (from the runbook):',
      'kubectl get tenantregistries',
      'Escalation bundle: http',
      'The link works until',
      `In S3: s3://${BUCKET}/bundles/prod-eks-1/`,
      'Runbook: https://docs.kubernetes-tenants.org/alert-runbooks#tenantreconciliationerrors',
      `Run: ${result.runId}`,
    ]) {
      expect(body).toContain(part);
    }
    // Chat tools get the Amazon Q Developer custom notification, threaded by the alert's fingerprint.
    const chat = chatNotificationSchema.parse(JSON.parse(protocols.https ?? ''));
    expect(protocols.default).toBe(protocols.https);
    expect(chat.metadata?.threadId).toBe(result.alert.fingerprint);
    expect(chat.content.title).toBe(`:rotating_light: ${message?.subject}`);
    expect(chat.content.description).toContain('*Probable cause:* `datasource-unavailable`');
    expect(chat.content.nextSteps?.some((step) => step.includes('kubectl get tenantregistries'))).toBe(true);
    // Programs get the run as data.
    expect(protocols.lambda).toBe(protocols.sqs);
    expect(JSON.parse(message?.body ?? '')).toMatchObject({
      schema: 'tenant-check.notification/v1',
      kind: 'firing',
      cluster: 'prod-eks-1',
      runId: result.runId,
      errorRate: 0.23,
      causes: [{ id: 'datasource-unavailable', confidence: expect.any(Number) }],
      bundle: {
        location: expect.stringMatching(/^s3:\/\//),
        link: expect.stringContaining('X-Amz-Signature='),
      },
    });
    expect(protocols.sms).toBe(message?.subject);

    // The run records the bundle's key, which follows bundles/<cluster>/<yyyy>/<mm>/<dd>/<run id>.tar.gz.
    const [run] = await store.listRuns('prod-eks-1', 1);
    const d = at(0);
    expect(run?.bundleKey).toBe(
      `bundles/prod-eks-1/${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${result.runId}.tar.gz`,
    );
    expect(toReport(result).bundle).toMatchObject({
      location: `s3://${BUCKET}/${run?.bundleKey}`,
      link: expect.stringContaining('X-Amz-Signature='),
    });

    // The link downloads the bundle as a phone or a laptop would.
    const link = /Escalation bundle: (\S+)/.exec(body)?.[1] as string;
    const download = await fetch(link);
    expect(download.status).toBe(200);
    const files = await unpack(Buffer.from(await download.arrayBuffer()));
    expect([...files.keys()].sort()).toEqual(
      [
        'apiserver-health.txt',
        'apiserver-metrics.txt',
        'config.json',
        'error-rate.csv',
        'error-rate.svg',
        'events.txt',
        'findings.json',
        'manifest.json',
        'nodes-resources.txt',
        'nodes.txt',
        'notification.json',
        'notification.txt',
        'operator-deployment.yaml',
        'operator-metrics.txt',
        'operator-pods.txt',
        'operator.log',
        'summary.html',
        'summary.md',
        'tenants-sample.yaml',
      ].sort(),
    );
    // The bundle carries the message as it was sent (redacted like every file), and ends each text with a newline.
    expect(files.get('notification.txt')).toBe(redact(`Subject: ${message?.subject}\n\n${body}\n`));
    for (const [name, content] of files) expect(content.endsWith('\n'), name).toBe(true);
    const manifest = JSON.parse(files.get('manifest.json') ?? '{}') as {
      files: { name: string; size: number; sha256: string }[];
      unreadSources: unknown[];
    };
    for (const f of manifest.files) {
      const content = Buffer.from(files.get(f.name) ?? '', 'utf8');
      expect(content.length, f.name).toBe(f.size);
      expect(createHash('sha256').update(content).digest('hex'), f.name).toBe(f.sha256);
    }
    expect(manifest.unreadSources).toEqual([]);
    expect(manifest.files.map((f) => f.name).sort()).toEqual(
      [...files.keys()].filter((n) => n !== 'manifest.json').sort(),
    );
    expect(files.get('operator.log')).toContain(
      '==> tenant-operator-controller-manager-7d9f8b6c5d-x7k2p/manager: last',
    );
    expect(files.get('operator.log')).toContain('dial tcp 10.0.3.7:3306: connect: connection refused');
    expect(files.get('operator-pods.txt')).toMatch(/Restart Count:\s+0/);
    expect(files.get('events.txt')).toContain('FailedSync');
    expect(files.get('summary.md')).toContain(
      '### datasource-unavailable: datasource (database) unavailable',
    );
    expect(files.get('summary.md')).toContain('## Timeline');
    expect(files.get('tenants-sample.yaml')).toContain('DatabaseConnectionFailed');
    expect(files.get('nodes.txt')).toMatch(/^NAME\tSTATUS/);

    // Not one planted secret, anywhere: bundle, message, stored run.
    for (const [name, content] of files) expect(leaks(content), name).toEqual([]);
    expect(leaks(body)).toEqual([]);
    expect(leaks(message?.subject ?? '')).toEqual([]);
    expect(files.get('operator.log')).toContain('[REDACTED]');
  });

  it('a resolved incident sends one resolved message naming the firing it ends', async () => {
    const store = await freshStore();
    const fired = await cycle(store, 0, scripted(0.3, true));
    await sns.received();
    await cycle(store, 5, scripted(0.02, false));
    await cycle(store, 10, scripted(0.01, false));
    const messages = await sns.received();
    expect(messages.map((m) => m.subject)).toEqual([
      '[RESOLVED] TenantReconciliationErrors 1% on prod-eks-1',
    ]);
    expect(messages[0]?.protocols?.email).toContain(
      `This ends the firing that began ${at(0).toISOString()} (run ${fired.runId})`,
    );
    // Firing and resolved thread together in chat.
    const chat = chatNotificationSchema.parse(JSON.parse(messages[0]?.protocols?.https ?? ''));
    expect(chat.metadata?.threadId).toBe(fired.alert.fingerprint);
    expect(chat.content.title).toBe(
      ':white_check_mark: [RESOLVED] TenantReconciliationErrors 1% on prod-eks-1',
    );
    expect(messages[0]?.attributes.state).toBe('resolved');
  });
});

describe('failure orders', () => {
  it('a bundle that cannot be written still notifies, saying why there is no link', async () => {
    const store = await freshStore();
    const result = await cycle(store, 0, scripted(0.3, true), undefined, 'no-such-bucket');
    expect(result.notification).toMatchObject({ status: 'sent' });
    expect(result.bundle).toMatchObject({
      error: expect.stringContaining('the escalation bundle could not be written'),
    });
    const [message] = await sns.received();
    expect(message?.protocols?.email).toContain(
      'No escalation bundle: the escalation bundle could not be written',
    );
    const [run] = await store.listRuns('prod-eks-1', 1);
    expect(run?.bundleError).toContain('could not be written');
  });

  it('a failed publish fails the invocation after storing the run and the bundle; the retry sends one message', async () => {
    const store = await freshStore();
    const broken = new SnsNotifier(sns.sns, `${sns.topicArn}-that-does-not-exist`);
    await expect(cycle(store, 0, scripted(0.3, true), broken)).rejects.toThrow(NotifyError);
    const [run] = await store.listRuns('prod-eks-1', 1);
    expect(run?.bundleKey).toBeDefined();
    expect(await sns.received()).toEqual([]);
    const retry = await cycle(store, 0, scripted(0.3, true));
    expect(retry.notification).toMatchObject({ kind: 'firing', status: 'sent' });
    expect((await sns.received()).map((m) => m.attributes.state)).toEqual(['firing']);
  });
});

describe('presigned links', () => {
  it('expire when the signing credentials do, and say so', async () => {
    const expiration = new Date(Date.now() + 3600_000);
    const store = new S3BundleStore(s3.client, BUCKET, {
      linkExpirySeconds: 24 * 3600,
      credentials: async () => ({
        accessKeyId: 'ASIAEXAMPLE000000001',
        secretAccessKey: 'x',
        sessionToken: 'y',
        expiration,
      }),
    });
    const link = await store.link('bundles/x.tar.gz');
    const expiresIn = Number(new URL(link.link as string).searchParams.get('X-Amz-Expires'));
    expect(expiresIn).toBeGreaterThan(3400);
    expect(expiresIn).toBeLessThanOrEqual(3540);
    expect(Date.parse(link.expiresAt as string)).toBeLessThanOrEqual(expiration.getTime());
    expect(link.linkNote).toContain('credentials that signed it expire');
  });
});
