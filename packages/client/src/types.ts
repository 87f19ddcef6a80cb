import type { components, paths } from "./generated/openapi.ts";

/**
 * Names for the API's shapes, all derived from the generated OpenAPI types, so that a
 * field added to a route's schema reaches callers with `npm run generate:client`.
 */

type Schemas = components["schemas"];

export type Account = Schemas["Account"];
export type Transaction = Schemas["Transaction"];
export type Hold = Schemas["Hold"];
export type Order = Schemas["Order"];
export type Alert = Schemas["Alert"];
export type AutoChargeSettings = Schemas["AutoChargeSettings"];
export type AutoChargeRecord = Schemas["AutoChargeRecord"];
export type DailyUsage = Schemas["DailyUsage"];
export type AccountAnalytics = Schemas["AccountAnalytics"];
export type Recommendation = Schemas["Recommendation"];
export type Revenue = Schemas["Revenue"];
export type TopUsers = Schemas["TopUsers"];
export type Health = Schemas["Health"];
export type AuditReport = Schemas["AuditReport"];
export type ServiceSettings = Schemas["ServiceSettings"];
export type ApiErrorBody = Schemas["Error"];
export type TransactionType = Transaction["type"];

/** Lower-case HTTP methods, as the OpenAPI document spells them. */
export type Method = "get" | "put" | "post" | "delete";

/** The paths that serve `M`. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: [NonNullable<paths[P][M]>] extends [never] ? never : P;
}[keyof paths];

/** The operation `M` on `P`. */
export type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type SuccessStatus = 200 | 201 | 202 | 204;
type JsonOf<R> = R extends { content: { "application/json": infer J } } ? J : undefined;
type Responses<P extends keyof paths, M extends Method> = Operation<P, M> extends { responses: infer R } ? R : never;

/** The JSON of a successful answer (the union over 200/201). */
export type ResponseOf<P extends keyof paths, M extends Method> = JsonOf<Responses<P, M>[Extract<keyof Responses<P, M>, SuccessStatus>]>;

/** The JSON request body (undefined when the operation takes none). */
export type BodyOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody: { content: { "application/json": infer B } } }
    ? B
    : Operation<P, M> extends { requestBody?: { content: { "application/json": infer B } } }
      ? B | undefined
      : undefined;

type Parameters<P extends keyof paths, M extends Method> = Operation<P, M> extends { parameters: infer X } ? X : never;

/** The query parameters. */
export type QueryOf<P extends keyof paths, M extends Method> = Parameters<P, M> extends { query?: infer Q } ? Q : never;

/** The path parameters. */
export type PathParamsOf<P extends keyof paths, M extends Method> = Parameters<P, M> extends { path: infer X } ? X : never;

export type { paths, components };
