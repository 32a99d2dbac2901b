import type { Writable } from "node:stream";

/** A writable that can hold its writes back: a socket, TLS or not. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();

/**
 * Holds a stream's writes until the current tick has run (and the promise reactions it started): whatever is
 * written meanwhile leaves in one system call. At a thousand passages a second, a write per MQTT packet (an
 * ack, a delivery) cost more CPU than the packets themselves.
 */
export function corkForThisTick(stream: Corkable): void {
  if (corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork();
  });
}

/** Every write to `stream` is corked for the rest of its tick (a socket aedes writes packet by packet). */
export function corkEachTick<S extends Writable>(stream: S): S {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    corkForThisTick(stream);
    return write(...args);
  }) as S["write"];
  return stream;
}
