/**
 * Node flags for the service processes a test or benchmark starts, from GATEHOUSE_CHILD_NODE_ARGS (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the children of a benchmark).
 */
export const childNodeArgs = (): string[] =>
  (process.env.GATEHOUSE_CHILD_NODE_ARGS ?? "").split(" ").filter(Boolean);
