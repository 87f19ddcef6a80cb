import { createClient } from "@nyang/client";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

/** The console tests' network: msw answers the API (http://api.test); each test adds its own handlers. */
export const API = "http://api.test";
export const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** An admin's client on the mocked API, without retries (a test sees each answer once). */
export const client = () => createClient({ baseUrl: API, token: "admin", retry: false });
