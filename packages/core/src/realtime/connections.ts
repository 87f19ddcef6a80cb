import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { BatchWriteCommand, DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoClients } from "../store/client.ts";
import { connectionRefKey, connectionUserPk, connectionUserSk, kinds } from "../store/keys.ts";
import { queryAll } from "../store/paging.ts";

/**
 * WebSocket connections, kept on the one table (API Gateway WebSocket: auth only on
 * `$connect`; a connection lives at most 2 hours and idles out after 10 minutes).
 *
 * Items (pk / sk):
 *   CONN#<userId> / WS#<connectionId>    a user's connection: what a push fans out to
 *   WS#<connectionId> / CONNECTION       the reverse look-up `$disconnect` needs: it only
 *                                        knows the connection id
 *
 * Both carry `ttl` = connect time + 2 h + a margin, after which API Gateway has closed the
 * connection for sure; DynamoDB's TTL only cleans up (and DynamoDB Local never deletes), so
 * a listing skips items past `expiresAt` itself. A connection that vanished without a
 * `$disconnect` is removed by the first push that meets 410 Gone.
 *
 * Kept apart from the account's partition (`ACCT#…`), so connects never contend with the
 * ledger's writes; neither item has a `kind` the stream consumers' filters match.
 */

/** API Gateway closes a WebSocket connection after 2 hours at the latest. */
export const CONNECTION_MAX_SECONDS = 2 * 3600;
/** Kept this much longer than the connection can live, so no live connection is ever expired. */
export const CONNECTION_TTL_MARGIN_SECONDS = 10 * 60;

const userKey = (userId: string, connectionId: string) => ({ pk: connectionUserPk(userId), sk: connectionUserSk(connectionId) });

export interface Connection {
  connectionId: string;
  userId: string;
  connectedAt: string;
  /** When API Gateway has closed it at the latest (plus the margin): never pushed to after. */
  expiresAt: string;
}

/** The connection a `$connect` at `connectedAt` makes, with its expiry. */
export function newConnection(connectionId: string, userId: string, connectedAt: Date): Connection {
  const expires = new Date(connectedAt.getTime() + (CONNECTION_MAX_SECONDS + CONNECTION_TTL_MARGIN_SECONDS) * 1000);
  return { connectionId, userId, connectedAt: connectedAt.toISOString(), expiresAt: expires.toISOString() };
}

/**
 * The connections a user must lose so that at most `max` stay open: the oldest (by
 * `connectedAt`, then id). The connection being admitted is ranked like the others (it may
 * be older than one a racing connect stored first): every connect then agrees on one order,
 * so racing connects together remove exactly the oldest and keep the newest `max`.
 */
export function connectionsOverCap(live: readonly Connection[], max: number): Connection[] {
  const byAge = [...live].sort((a, b) => a.connectedAt.localeCompare(b.connectedAt) || a.connectionId.localeCompare(b.connectionId));
  return byAge.slice(0, Math.max(0, byAge.length - max));
}

/**
 * How long after `connectedAt` a 410 Gone may still mean "not open yet": API Gateway runs
 * `$connect` before the socket opens (for up to its 29 s integration timeout), and a post to a
 * connection still connecting answers 410 just as a post to a dead one does.
 */
export const CONNECT_GRACE_MS = 30_000;

/** Whether a connection that answered 410 Gone is gone for good, not merely still connecting. */
export function goneForGood(connection: Connection, now: Date): boolean {
  return now.getTime() - Date.parse(connection.connectedAt) >= CONNECT_GRACE_MS;
}

/** A connection's message rate: `perMinute` sustained, `burst` at once. */
export interface MessageRate {
  messagesPerMinute: number;
  messageBurst: number;
}

/** Whether a connection may send this message, has used up its rate, or is not stored at all. */
export type MessageAdmission = "admitted" | "throttled" | "unknown";

/**
 * The bounds of one message's admission under GCRA (the generic cell rate algorithm, a token
 * bucket kept as one number): a connection's `tat` (theoretical arrival time, epoch ms) moves
 * `interval` ms per message, and a message is admitted while `tat` is at most
 * `(burst − 1) × interval` ahead of now. A quiet connection's `tat` lies in the past and
 * starts again from now.
 */
export function gcraStep(nowMs: number, rate: MessageRate): { intervalMs: number; latestTat: number } {
  const intervalMs = Math.max(1, Math.floor(60_000 / rate.messagesPerMinute));
  return { intervalMs, latestTat: nowMs + (rate.messageBurst - 1) * intervalMs };
}

export class ConnectionStore {
  constructor(
    private readonly clients: DynamoClients,
    readonly tableName: string,
  ) {}

  /**
   * Stores a connection and its reverse look-up: one BatchWriteItem of two puts (1 write
   * unit each), not a transaction (2 each): a half-stored pair only costs a stray item,
   * which its TTL (or the next push's 410) clears. Idempotent.
   */
  async put(c: Connection): Promise<void> {
    const ttl = Math.floor(Date.parse(c.expiresAt) / 1000);
    const items = [
      { ...userKey(c.userId, c.connectionId), kind: kinds.wsConnection, ...c, ttl },
      { ...connectionRefKey(c.connectionId), kind: kinds.wsConnectionRef, connectionId: c.connectionId, userId: c.userId, ttl },
    ];
    let requests: Record<string, unknown>[] = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`storing connection ${c.connectionId}: DynamoDB left ${requests.length} put(s) unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const out = await this.clients.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (out.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
    }
  }

  /** Whose connection this is (null when unknown or already removed). */
  async owner(connectionId: string): Promise<string | null> {
    const out = await this.clients.doc.send(new GetCommand({ TableName: this.tableName, Key: connectionRefKey(connectionId), ConsistentRead: true }));
    return out.Item ? String(out.Item.userId) : null;
  }

  /**
   * Removes a connection by its id alone (`$disconnect`): reads the reverse item for the
   * user, then deletes both. Returns the user id, or null when it was not stored.
   */
  async remove(connectionId: string): Promise<string | null> {
    const userId = await this.owner(connectionId);
    if (userId === null) return null;
    await this.removeFor(userId, connectionId);
    return userId;
  }

  /** Removes a connection whose user is known (a push met 410 Gone). Idempotent. */
  async removeFor(userId: string, connectionId: string): Promise<void> {
    await Promise.all([
      this.clients.doc.send(new DeleteCommand({ TableName: this.tableName, Key: userKey(userId, connectionId) })),
      this.clients.doc.send(new DeleteCommand({ TableName: this.tableName, Key: connectionRefKey(connectionId) })),
    ]);
  }

  /**
   * Admits one message of a connection against its rate, on its reverse item (`tat`, one
   * number): one conditional UpdateItem, atomic on the item, so it holds across any number
   * of Lambda instances with no shared memory. A flooding connection is the common case
   * here, so the "bucket not empty" update is tried first; a quiet one (its `tat` in the
   * past) needs the second. Both conditions fail only when the bucket is empty — or when
   * the connection is not stored (`unknown`) — or when a concurrent message of the same
   * connection restarted the bucket in between, which the first form, tried once more,
   * settles. 1 write unit per message (2 after a pause).
   */
  async admitMessage(connectionId: string, now: Date, rate: MessageRate): Promise<MessageAdmission> {
    const t = now.getTime();
    const { intervalMs, latestTat } = gcraStep(t, rate);
    const attempt = async (update: string, condition: string, values: Record<string, unknown>): Promise<boolean> => {
      try {
        await this.clients.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: connectionRefKey(connectionId),
            UpdateExpression: update,
            ConditionExpression: `attribute_exists(pk) AND (${condition})`,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (e) {
        if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
        throw e;
      }
    };
    const take = () => attempt("SET tat = tat + :i", "tat BETWEEN :now AND :latest", { ":i": intervalMs, ":now": t, ":latest": latestTat });
    if (await take()) return "admitted";
    if (await attempt("SET tat = :next", "attribute_not_exists(tat) OR tat < :now", { ":next": t + intervalMs, ":now": t })) return "admitted";
    // A message of the same connection handled at the same moment may have restarted the
    // bucket between the two: `tat` is now at or past `now`, so the first form decides.
    if (await take()) return "admitted";
    return (await this.owner(connectionId)) === null ? "unknown" : "throttled";
  }

  /**
   * A user's live connections at `now`. One eventually consistent Query (0.5 read units
   * for up to 4 KB, which is dozens of connections), also when there are none — the cost
   * a push pays per account change. `$connect` reads strongly consistent (1 unit), so it
   * sees its own and every earlier stored connection when it enforces the cap.
   */
  async listForUser(userId: string, now: Date, options: { consistent?: boolean } = {}): Promise<Connection[]> {
    const t = now.toISOString();
    const items = await queryAll(this.clients, {
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": connectionUserPk(userId) },
      ConsistentRead: options.consistent === true,
    });
    return items
      .map((item): Connection => ({
        connectionId: String(item.connectionId),
        userId: String(item.userId),
        connectedAt: String(item.connectedAt),
        expiresAt: String(item.expiresAt),
      }))
      .filter((c) => c.expiresAt > t);
  }
}

/** What a post to one connection came to: delivered, or the connection is gone (410). */
export type PushOutcome = "ok" | "gone";

/** Sends data to one WebSocket connection (API Gateway's PostToConnection), or closes it (DeleteConnection). */
export interface Pusher {
  post(connectionId: string, data: string | Uint8Array): Promise<PushOutcome>;
  /** Closes the connection from the server's side; API Gateway then runs `$disconnect`. */
  disconnect(connectionId: string): Promise<PushOutcome>;
}

/**
 * PostToConnection through `@aws-sdk/client-apigatewaymanagementapi`. A `GoneException`
 * (410: the client went away, or the connection timed out) is an answer, "gone"; every
 * other error (403, 413, 429 after the SDK's own retries, network) is thrown.
 */
export class ApiGatewayPusher implements Pusher {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, data: string | Uint8Array): Promise<PushOutcome> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: typeof data === "string" ? new TextEncoder().encode(data) : data }),
      );
      return "ok";
    } catch (e) {
      return goneOrThrow(e);
    }
  }

  async disconnect(connectionId: string): Promise<PushOutcome> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      return "ok";
    } catch (e) {
      return goneOrThrow(e);
    }
  }
}

function goneOrThrow(e: unknown): PushOutcome {
  if ((e as { name?: string }).name === "GoneException") return "gone";
  throw e;
}

/**
 * The pusher from the environment: `NYANG_WS_MANAGEMENT_ENDPOINT` is the WebSocket API's
 * management endpoint (on AWS `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`;
 * locally the gateway's `http://127.0.0.1:<port>`). Throws when it is not set.
 */
export function pusherFromEnv(env: { NYANG_WS_MANAGEMENT_ENDPOINT?: string | undefined; AWS_REGION?: string | undefined }): Pusher {
  const endpoint = env.NYANG_WS_MANAGEMENT_ENDPOINT;
  if (!endpoint) throw new Error("NYANG_WS_MANAGEMENT_ENDPOINT is not set: no WebSocket management endpoint to push to");
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    ...(env.AWS_REGION ? {} : { region: "us-east-1" }),
  });
  return new ApiGatewayPusher(client);
}
