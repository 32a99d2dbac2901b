/** What the end-to-end tests ask of the API and the simulator, written once. */

/** A visit request for a site: the guest, a host, valid from now for an hour; `extra` overrides any field. */
export const visitRequest = (site: string, guest: string, extra: object = {}) => ({
  site,
  guest: { name: guest },
  host: { name: "Host" },
  validFrom: new Date().toISOString(),
  validUntil: new Date(Date.now() + 3600_000).toISOString(),
  ...extra,
});

/** A passage through one of the simulator's turnstiles (`POST /_sim/passages`); throws unless it was made. */
export async function simPassage(simulatorUrl: string, body: object): Promise<{ eventId: string }> {
  const res = await fetch(`${simulatorUrl}/_sim/passages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201)
    throw new Error(`the simulator refused the passage: ${res.status} ${await res.text()}`);
  return (await res.json()) as { eventId: string };
}
