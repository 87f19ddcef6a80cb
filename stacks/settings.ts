import { configEnvironment, loadConfig } from "../packages/core/src/config";

/**
 * Nyang's business settings (prices, limits, auto-charge, the analytics day…) as set in
 * the environment of `sst deploy`, forwarded identically to every function that reads the
 * configuration. They are validated here, so a bad value stops the deploy with the same
 * message naming the field that a local start would give. Unset, the functions use the
 * defaults of the README's configuration table.
 */
export function nyangSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const settings = configEnvironment(env);
  loadConfig(settings);
  return settings;
}
