/**
 * Vitest setup for the `web` project (jsdom): jest-dom's matchers, and a clean DOM after
 * each test. Network mocks (msw) are set up per test file, next to what they mock.
 */
import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());
