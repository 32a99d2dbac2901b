/** One line of `gatehouse-agent doctor`: what was checked, how it went, and how to fix it. */
export type CheckStatus = "pass" | "warn" | "fail";
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export const pass = (name: string, detail: string): Check => ({ name, status: "pass", detail });
export const warn = (name: string, detail: string, fix?: string): Check => ({
  name,
  status: "warn",
  detail,
  ...(fix ? { fix } : {}),
});
export const fail = (name: string, detail: string, fix: string): Check => ({
  name,
  status: "fail",
  detail,
  fix,
});
