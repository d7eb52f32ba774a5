import { AppConfig, Env, readPlainConfig } from './app-config';
import { resolveSecrets } from './secrets';

/** The one entry point: environment in, validated AppConfig out, or a ConfigError naming the variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const plain = readPlainConfig(env, cwd);
  return new AppConfig({ ...plain, ...resolveSecrets(env, plain) });
}
