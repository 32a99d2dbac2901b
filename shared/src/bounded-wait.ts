/**
 * Waits for `work` at most `ms`: true when it settled in time (fulfilled or rejected), false when it did not.
 * For shutdown steps that wait on a peer that may be gone (acks from a broker, a last status message).
 */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What `endMqttClient` needs of an MQTT.js client (kept structural: this package does not depend on mqtt). */
export interface EndableMqttClient {
  endAsync(force?: boolean, opts?: object): Promise<void>;
}

/**
 * Ends an MQTT.js client cleanly when that takes at most `ms`, else at once. A clean end waits until every
 * QoS 1 message in flight is acknowledged, which with the broker gone is never; what is dropped then must
 * be kept by the caller (an outbox row, a broker session).
 */
export async function endMqttClient(
  client: EndableMqttClient,
  ms: number,
  disconnect?: object,
): Promise<void> {
  if (!(await settledWithin(client.endAsync(false, disconnect), ms)))
    await client.endAsync(true, disconnect).catch(() => undefined);
}
