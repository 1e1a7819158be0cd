/**
 * The single-table store in DynamoDB:
 *   pk CLUSTER#<name>   sk RUN#<at>#<runId>   a run (newest first by sk), TTL expiresAt
 *   pk CLUSTER#<name>   sk ALERT#<fp>         the alert's state (versioned, conditional writes)
 *   pk CLUSTER#<name>   sk METRICS            what the metrics source keeps between cycles
 *   pk NOTIFY#<fp>      sk SLOT#<slot>        the notify-once claim for a schedule slot
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AlertState, NoticeKind } from '../model/alert.js';
import type { MetricsState } from '../model/metrics.js';
import type { RunRecord } from '../model/run.js';
import { boundRecord, CLAIM_STALE_SECONDS, type ClusterState, type RunStore } from './run-store.js';

const CLAIM_TTL_SECONDS = 8 * 86_400;

export class DynamoDbRunStore implements RunStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async loadState(cluster: string, fingerprint: string): Promise<ClusterState> {
    const [alerts, metrics] = await Promise.all([
      this.alertStates(cluster),
      this.db.send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: `CLUSTER#${cluster}`, sk: 'METRICS' },
          ConsistentRead: true,
        }),
      ),
    ]);
    const alert = alerts[fingerprint];
    return {
      ...(alert ? { alert } : {}),
      alerts,
      ...(metrics.Item ? { metrics: metrics.Item.state as MetricsState } : {}),
    };
  }

  /** The runbook alert's and every rule group's state: one query, a page at a time. */
  private async alertStates(cluster: string): Promise<Record<string, AlertState>> {
    const out: Record<string, AlertState> = {};
    let start: Record<string, unknown> | undefined;
    do {
      const answer = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :alert)',
          ExpressionAttributeValues: { ':pk': `CLUSTER#${cluster}`, ':alert': 'ALERT#' },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of answer.Items ?? []) {
        const state = item.state as AlertState;
        out[state.fingerprint] = state;
      }
      start = answer.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async saveRun(run: RunRecord): Promise<void> {
    const item = boundRecord(run);
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `CLUSTER#${run.cluster}`, sk: `RUN#${run.at}#${run.runId}`, type: 'run', ...item },
      }),
    );
  }

  async saveAlertState(state: AlertState, previousVersion: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `CLUSTER#${state.cluster}`,
            sk: `ALERT#${state.fingerprint}`,
            type: 'alert',
            version: state.version,
            state,
          },
          ConditionExpression:
            previousVersion === 0 ? 'attribute_not_exists(pk) OR version = :v' : 'version = :v',
          ExpressionAttributeValues: { ':v': previousVersion },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async saveMetricsState(cluster: string, state: MetricsState): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `CLUSTER#${cluster}`, sk: 'METRICS', type: 'metrics', state },
      }),
    );
  }

  async claimNotification(
    fingerprint: string,
    slot: string,
    kind: NoticeKind,
    runId: string,
  ): Promise<'claimed' | 'sent' | 'busy'> {
    const now = Date.now();
    const key = { pk: `NOTIFY#${fingerprint}`, sk: `SLOT#${slot}` };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            type: 'notify',
            kind,
            runId,
            claimedAt: now,
            expiresAt: Math.floor(now / 1000) + CLAIM_TTL_SECONDS,
          },
          // Free, or left unsent by an invocation that died: a fresh claim by another one is respected.
          ConditionExpression:
            'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND claimedAt < :stale)',
          ExpressionAttributeValues: { ':stale': now - CLAIM_STALE_SECONDS * 1000 },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = await this.db.send(
        new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
      );
      return held.Item?.sentAt ? 'sent' : 'busy';
    }
  }

  async recordNotification(fingerprint: string, slot: string, result: { messageId: string }): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `NOTIFY#${fingerprint}`, sk: `SLOT#${slot}` },
        UpdateExpression: 'SET sentAt = :at, messageId = :m',
        ExpressionAttributeValues: { ':at': new Date().toISOString(), ':m': result.messageId },
      }),
    );
  }

  async releaseNotification(fingerprint: string, slot: string, runId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `NOTIFY#${fingerprint}`, sk: `SLOT#${slot}` },
          ConditionExpression: 'runId = :r AND attribute_not_exists(sentAt)',
          ExpressionAttributeValues: { ':r': runId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async attachBundle(run: RunRecord, bundle: { key?: string; error?: string }): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `CLUSTER#${run.cluster}`, sk: `RUN#${run.at}#${run.runId}` },
        UpdateExpression: 'SET bundleKey = :k, bundleError = :e',
        ExpressionAttributeValues: { ':k': bundle.key ?? null, ':e': bundle.error ?? null },
      }),
    );
  }

  /**
   * The newest runs first. One Query page holds at most 1 MB, so pages are followed
   * (`LastEvaluatedKey`) until `limit` runs are read or there are no more.
   */
  async listRuns(cluster: string, limit: number): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const answer = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          ExpressionAttributeValues: { ':pk': `CLUSTER#${cluster}`, ':run': 'RUN#' },
          ScanIndexForward: false,
          Limit: limit - runs.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      runs.push(...(answer.Items ?? []).map(toRun));
      start = answer.LastEvaluatedKey;
    } while (start && runs.length < limit);
    return runs;
  }

  /**
   * One run, by its id. A run id begins with the second it was evaluated at
   * (`20261126T101500-…`), which is where its sort key (`RUN#2026-11-26T10:15:00.000Z#<run id>`)
   * lies: the Query reads that one second of the cluster's runs. An id of another shape is looked
   * for in all of the cluster's runs, page after page.
   */
  async findRun(cluster: string, runId: string): Promise<RunRecord | undefined> {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})-/.exec(runId);
    const second = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : undefined;
    let start: Record<string, unknown> | undefined;
    do {
      const answer = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: second
            ? 'pk = :pk AND sk BETWEEN :from AND :to'
            : 'pk = :pk AND begins_with(sk, :from)',
          FilterExpression: 'runId = :id',
          ExpressionAttributeValues: {
            ':pk': `CLUSTER#${cluster}`,
            ':id': runId,
            ...(second
              ? { ':from': `RUN#${second}.`, ':to': `RUN#${second}.999Z#\uffff` }
              : { ':from': 'RUN#' }),
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const item = answer.Items?.[0];
      if (item) return toRun(item);
      start = answer.LastEvaluatedKey;
    } while (start);
    return undefined;
  }
}

function toRun(item: Record<string, unknown>): RunRecord {
  const { pk: _pk, sk: _sk, type: _type, ...run } = item;
  return run as unknown as RunRecord;
}
