/**
 * Per-call latency of a real HikCentral, from the university deployment the old system ran against
 * (shared/hikcentral-openapi.md §12): add to group ≈ 54 ms, reapplication ≈ 27 ms, face upload ≈ 550 ms,
 * a whole grant ≈ 200 ms. Paths not measured there get 20 ms.
 */
const REALISTIC_MS: Record<string, number> = {
  "acs/v1/privilege/group/single/addPersons": 54,
  "acs/v1/privilege/group/single/deletePersons": 54,
  "visitor/v1/auth/reapplication": 27,
  "resource/v1/person/face/update": 550,
  "resource/v1/person/single/add": 45,
  "resource/v1/person/single/update": 40,
  "resource/v1/person/personCode/personInfo": 15,
  "resource/v1/person/personId/personInfo": 15,
};

export type LatencyProfile = "none" | "realistic";

export function profileLatency(profile: LatencyProfile, path: string): number {
  if (profile === "none") return 0;
  return REALISTIC_MS[path] ?? 20;
}
