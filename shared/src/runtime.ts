/** The oldest Node line Gatehouse supports: the maintained LTS lines are 22 and 24 (20 ended on 2026-04-30). */
export const MINIMUM_NODE_MAJOR = 22;

/** What to tell an operator whose Node is past its end of life, or undefined on a supported one. */
export function unsupportedRuntime(version: string = process.versions.node): string | undefined {
  const major = Number(version.split(".")[0]);
  if (major >= MINIMUM_NODE_MAJOR) return undefined;
  return `Node ${version} is past its end of life and no longer gets security fixes; Gatehouse supports Node 22 and 24 (LTS): upgrade /usr/bin/node`;
}
