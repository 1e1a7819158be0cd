/** DynamoDB for tests: dynalite in this process, with the checker's table (pk/sk) created. */

import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface LocalDynamo {
  endpoint: string;
  table: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIALOCALTESTONLY001',
  secretAccessKey: 'bG9jYWwtdGVzdC1vbmx5',
};

/** Creates the checker's table (as the stack defines it: pk/sk strings) in a local DynamoDB. */
export async function createTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
}

export async function startDynamo(table = 'checker-runs'): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS });
  await createTable(client, table);
  return {
    endpoint,
    table,
    client,
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  };
}
