/// <reference types="@testing-library/jest-dom/vitest" />
// jest-dom's matchers on vitest's expect, for the component tests (test/setup/web.ts installs them).
