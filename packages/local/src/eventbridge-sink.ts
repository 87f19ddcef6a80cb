/**
 * EventBridge's `PutEvents` on one machine: a node:http server that the real
 * `@aws-sdk/client-eventbridge` client talks to (point its `endpoint` here), which checks
 * entries the way EventBridge does and keeps the accepted events in memory for `npm run dev`
 * to show and for tests to assert on. Nothing is routed onwards: there are no rules or
 * targets, only the bus's front door.
 *
 * Protocol: AWS JSON 1.1 — `POST /`, `X-Amz-Target: AWSEvents.PutEvents`,
 * `Content-Type: application/x-amz-json-1.1`; the reply is `{ FailedEntryCount, Entries }`
 * with one result per entry, in request order (`{ EventId }` or `{ ErrorCode, ErrorMessage }`).
 * Request signatures are not checked (any credentials do).
 *
 * What EventBridge refuses, and how:
 * - the whole request (HTTP 400 `ValidationException`, the SDK throws): no entries, more
 *   than 10, entries totalling more than 256 KB (counted as EventBridge counts: Time 14
 *   bytes, Source, DetailType, Detail and Resources as UTF-8), an EventBusName that is not
 *   a bus name or ARN, or no entry having all of Source, DetailType and Detail;
 * - one entry (the others are still accepted, `FailedEntryCount` counts it): a missing
 *   Source/DetailType/Detail or a DetailType over 128 characters (`InvalidArgument`), a
 *   Detail that is not a JSON object (`MalformedDetail`), and a Source starting with
 *   `aws.` (`NotAuthorizedForSourceException`: those are AWS's own).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** An accepted event, as a rule on the bus would see it. */
export interface SinkEvent {
  id: string;
  source: string;
  detailType: string;
  /** The Detail JSON, parsed. */
  detail: unknown;
  /** The bus name (an ARN in the request is reduced to its name); `default` when none was given. */
  eventBusName: string;
  /** ISO 8601 without milliseconds, as in EventBridge events; the entry's Time or the time of the call. */
  time: string;
  resources: string[];
}

export interface EventBridgeSinkOptions {
  /** TCP port (default 0: a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** One line per accepted event and per refused request or entry. */
  log?: (line: string) => void;
  /** Oldest events are dropped beyond this many (default 10 000), so a long dev session stays small. */
  maxEvents?: number;
}

export interface EventBridgeSink {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  endpoint: string;
  port: number;
  /** Every accepted event, oldest first (a live array). */
  readonly events: readonly SinkEvent[];
  /** The first event (already received or still to come) that the predicate accepts; rejects after `timeoutMs` (default 5 000). */
  waitFor(predicate: (event: SinkEvent) => boolean, timeoutMs?: number): Promise<SinkEvent>;
  /** Forgets every event received so far. */
  clear(): void;
  /** Stops listening and rejects pending `waitFor`s. */
  close(): Promise<void>;
}

/** EventBridge's per-request limit on entries. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** EventBridge's limit on the entries of one request, in bytes. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

const TARGET = "AWSEvents.PutEvents";
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_DETAIL_TYPE = 128;
const BUS_PATTERN = /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** An error answered to the whole request (HTTP 400), as AWS JSON 1.1 services answer it. */
class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface Waiter {
  predicate: (event: SinkEvent) => boolean;
  resolve: (event: SinkEvent) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export async function startEventBridgeSink(options: EventBridgeSinkOptions = {}): Promise<EventBridgeSink> {
  const log = options.log ?? (() => {});
  const maxEvents = options.maxEvents ?? 10_000;
  const events: SinkEvent[] = [];
  const waiters = new Set<Waiter>();

  const settle = (waiter: Waiter) => {
    clearTimeout(waiter.timer);
    waiters.delete(waiter);
  };
  const store = (event: SinkEvent) => {
    events.push(event);
    if (events.length > maxEvents) events.splice(0, events.length - maxEvents);
    log(`[eventbridge] ${event.eventBusName} ${event.source} ${event.detailType} ${event.id}`);
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(event)) continue;
      settle(waiter);
      waiter.resolve(event);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res, store, log).catch((error: unknown) => {
      log(`[eventbridge] internal error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendError(res, new RequestError("InternalFailure", "internal error in the local EventBridge", 500));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  let closed: Promise<void> | undefined;

  return {
    endpoint: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    events,
    waitFor(predicate, timeoutMs = 5_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      if (closed) return Promise.reject(new Error("the EventBridge sink is closed"));
      return new Promise<SinkEvent>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            settle(waiter);
            reject(new Error(`no matching event within ${timeoutMs} ms (${events.length} event(s) received)`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    clear() {
      events.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const waiter of [...waiters]) {
          settle(waiter);
          waiter.reject(new Error("the EventBridge sink closed"));
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, store: (event: SinkEvent) => void, log: (line: string) => void): Promise<void> {
  try {
    const target = String(req.headers["x-amz-target"] ?? "");
    if (req.method !== "POST" || target !== TARGET) {
      throw new RequestError("UnknownOperationException", `${req.method} ${target || "(no X-Amz-Target)"}: this local EventBridge only answers ${TARGET}`);
    }
    const contentType = String(req.headers["content-type"] ?? "");
    if (!/^application\/(x-amz-json-1\.1|json)\b/.test(contentType)) {
      throw new RequestError("SerializationException", `Content-Type ${contentType || "(none)"} is not application/x-amz-json-1.1`);
    }
    const request = parseJson(await readBody(req));
    const results = putEvents(request, store);
    const failed = results.filter((r) => "ErrorCode" in r);
    for (const failure of failed) log(`[eventbridge] entry refused: ${failure.ErrorCode}: ${failure.ErrorMessage}`);
    send(res, 200, { FailedEntryCount: failed.length, Entries: results });
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    log(`[eventbridge] request refused: ${error.code}: ${error.message}`);
    sendError(res, error);
  }
}

/** Validates the request as a whole, then each entry; stores the entries that pass. */
function putEvents(request: unknown, store: (event: SinkEvent) => void): EntryResult[] {
  const entries = (request as { Entries?: unknown } | null)?.Entries;
  if (!Array.isArray(entries)) throw validation("Value null at 'entries' failed to satisfy constraint: Member must not be null");
  if (entries.length < 1) throw validation("Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if (entries.length > PUT_EVENTS_MAX_ENTRIES) {
    throw validation(`Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`);
  }
  const typed = entries.map((entry, i) => readEntry(entry, i));
  const total = typed.reduce((sum, entry) => sum + entrySize(entry), 0);
  if (total > PUT_EVENTS_MAX_BYTES) throw new RequestError("ValidationException", "Total size of the entries in the request is over the limit.");
  if (typed.every((entry) => missingRequired(entry) !== undefined)) {
    throw new RequestError("ValidationException", "Parameters Source, DetailType and Detail are required; no entry has all three.");
  }
  const now = new Date();
  return typed.map((entry) => {
    const refusal = refuseEntry(entry);
    if (refusal) return refusal;
    const event: SinkEvent = {
      id: randomUUID(),
      source: entry.Source as string,
      detailType: entry.DetailType as string,
      detail: JSON.parse(entry.Detail as string),
      eventBusName: busName(entry.EventBusName),
      time: isoSeconds(entry.Time ?? now),
      resources: entry.Resources ?? [],
    };
    store(event);
    return { EventId: event.id };
  });
}

interface Entry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date;
}

/** Type checks that the API's model enforces for the whole request (the SDK would never send these wrong). */
function readEntry(raw: unknown, index: number): Entry {
  const at = (field: string) => `'entries.${index + 1}.member.${field}'`;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw validation(`Value at 'entries.${index + 1}.member' is not an entry object`);
  const entry = raw as Record<string, unknown>;
  for (const field of ["Source", "DetailType", "Detail", "EventBusName", "TraceHeader"]) {
    if (entry[field] !== undefined && typeof entry[field] !== "string") throw validation(`Value at ${at(field.charAt(0).toLowerCase() + field.slice(1))} must be a string`);
  }
  const bus = entry.EventBusName as string | undefined;
  if (bus !== undefined && (bus.length < 1 || bus.length > 1600 || !BUS_PATTERN.test(bus))) {
    throw validation(`Value '${bus}' at ${at("eventBusName")} failed to satisfy constraint: Member must satisfy regular expression pattern: ${BUS_PATTERN.source}`);
  }
  const resources = entry.Resources;
  if (resources !== undefined && (!Array.isArray(resources) || !resources.every((r) => typeof r === "string" && r.length <= 2048))) {
    throw validation(`Value at ${at("resources")} must be a list of ARNs of at most 2048 characters`);
  }
  return {
    Source: entry.Source as string | undefined,
    DetailType: entry.DetailType as string | undefined,
    Detail: entry.Detail as string | undefined,
    EventBusName: bus,
    Resources: resources as string[] | undefined,
    Time: readTime(entry.Time, at("time")),
  };
}

/** The SDK sends Time as epoch seconds (JSON 1.1's timestamp format); a date string is accepted too. */
function readTime(value: unknown, at: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === "number" ? new Date(value * 1000) : typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw validation(`Value at ${at} is not a timestamp`);
  return date;
}

/** EventBridge's documented entry size: Time counts 14 bytes; the strings count in UTF-8 bytes. */
function entrySize(entry: Entry): number {
  const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, "utf8"));
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

function missingRequired(entry: Entry): string | undefined {
  return (["Source", "DetailType", "Detail"] as const).find((field) => entry[field] === undefined || entry[field] === "");
}

function refuseEntry(entry: Entry): EntryResult | undefined {
  const missing = missingRequired(entry);
  if (missing) return { ErrorCode: "InvalidArgument", ErrorMessage: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.` };
  if ((entry.DetailType as string).length > MAX_DETAIL_TYPE) {
    return { ErrorCode: "InvalidArgument", ErrorMessage: `Parameter DetailType is not valid. Reason: DetailType is longer than ${MAX_DETAIL_TYPE} characters.` };
  }
  if ((entry.Source as string).startsWith("aws.")) {
    return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: `Not authorized for the source ${entry.Source}: sources starting with aws. are AWS's own.` };
  }
  if (!isJsonObject(entry.Detail as string)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  return undefined;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}

function busName(bus: string | undefined): string {
  if (!bus) return "default";
  const slash = bus.startsWith("arn:") ? bus.indexOf("event-bus/") : -1;
  return slash >= 0 ? bus.slice(slash + "event-bus/".length) : bus;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function validation(detail: string): RequestError {
  return new RequestError("ValidationException", `1 validation error detected: ${detail}`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Far over any valid request: stop keeping it and answer (the rest is read and dropped).
      if (size > MAX_BODY_BYTES) reject(new RequestError("ValidationException", "Total size of the entries in the request is over the limit.", 413));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new RequestError("SerializationException", "the request body is not valid JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: RequestError): void {
  // The SDK reads the error's name from X-Amzn-ErrorType (or __type) and its text from `message`.
  res.setHeader("x-amzn-errortype", error.code);
  send(res, error.status, { __type: error.code, message: error.message });
}
