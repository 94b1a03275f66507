import type { Checker } from './config-checker.ts';

/** What a feature's `normalizeXxxOptions` receives besides its raw value. */
export interface FeatureContext {
  /** Records problems; see {@link Checker}. */
  check: Checker;
  /** The config file's folder: relative file paths resolve against it. */
  baseDir: string;
}
