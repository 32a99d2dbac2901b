import { api } from "./api.js";
import { readerZone } from "./format.js";
import type { Page, Site } from "./types.js";

/**
 * The sites, kept for the session: every page shows times on their site's clock, so each needs its site's
 * zone. The dashboard refreshes them as it loads; other pages load them once.
 */
let known = new Map<string, Site>();
let loading: Promise<Site[]> | undefined;

export function rememberSites(sites: Site[]): void {
  known = new Map(sites.map((s) => [s.id, s]));
}

export function loadSites(refresh = false): Promise<Site[]> {
  if (!loading || refresh) {
    loading = api<Page<Site>>("GET", "/v1/sites").then((p) => {
      rememberSites(p.items);
      return p.items;
    });
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

export function forgetSites(): void {
  known = new Map();
  loading = undefined;
}

/** A site's zone; the reader's own for a site this console has not seen. */
export const zoneOf = (site: string): string => known.get(site)?.timeZone ?? readerZone();

export const siteName = (site: string): string => known.get(site)?.name ?? site;
