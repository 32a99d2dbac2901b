/** What a site allows of a visit, checked before anything is stored. Pure: no I/O. */

/**
 * A site's kind by name, as an own property only: `kinds["constructor"]` on a plain object is a function,
 * and a lookup that walks the prototype once let such a kind through to a grant no agent could parse.
 */
export function kindOf<K>(kinds: Readonly<Record<string, K>>, name: string): K | undefined {
  return Object.hasOwn(kinds, name) ? kinds[name] : undefined;
}

const DAY_MS = 86_400_000;

/** How far back a visit may start: enough for a late entry of yesterday's guest, not for a typo in the year. */
export const MAX_START_IN_PAST_DAYS = 366;

export interface WindowProblem {
  path: "validFrom" | "validUntil";
  /** Stable, for a client to word in its reader's language with `params`. */
  code: "after_valid_from" | "ended_already" | "starts_too_early" | "visit_too_long";
  params?: Record<string, number>;
  message: string;
}

/** Why these times cannot be a visit of this site now, or undefined. Times are ISO instants. */
export function visitWindowProblem(
  validFrom: string,
  validUntil: string,
  now: Date,
  maxVisitDays: number,
): WindowProblem | undefined {
  const from = Date.parse(validFrom);
  const until = Date.parse(validUntil);
  if (until <= from)
    return { path: "validUntil", code: "after_valid_from", message: "must be after validFrom" };
  if (until <= now.getTime())
    return {
      path: "validUntil",
      code: "ended_already",
      message: `the visit ended already (${validUntil}); nothing to grant`,
    };
  if (from < now.getTime() - MAX_START_IN_PAST_DAYS * DAY_MS)
    return {
      path: "validFrom",
      code: "starts_too_early",
      params: { days: MAX_START_IN_PAST_DAYS },
      message: `must not be more than ${MAX_START_IN_PAST_DAYS} days ago`,
    };
  const days = (until - from) / DAY_MS;
  if (days > maxVisitDays)
    return {
      path: "validUntil",
      code: "visit_too_long",
      params: { days: Math.ceil(days), maximum: maxVisitDays },
      message: `the visit would last ${Math.ceil(days)} days; this site allows at most ${maxVisitDays} (its maxVisitDays)`,
    };
  return undefined;
}
