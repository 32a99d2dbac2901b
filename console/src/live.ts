import { session } from "./api.js";
import { type SseEvent, SseParser } from "./sse.js";

type Listener = (e: SseEvent) => void;

/**
 * One connection to `GET /v1/stream` for the whole console, read with fetch (EventSource cannot send the
 * token). It reconnects with backoff; after a reconnect the views reload what they show, since events
 * sent while it was away are not replayed.
 */
export class LiveStream {
  private listeners = new Set<Listener>();
  private stateListeners = new Set<(connected: boolean, reconnected: boolean) => void>();
  private abort: AbortController | undefined;
  private stopped = true;
  /** Each start gets its own loop; a loop from before a stop ends even if a start came meanwhile. */
  private generation = 0;
  private everConnected = false;
  connected = false;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run(++this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.abort?.abort();
    this.setState(false);
  }

  on(f: Listener): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  onState(f: (connected: boolean, reconnected: boolean) => void): () => void {
    this.stateListeners.add(f);
    return () => this.stateListeners.delete(f);
  }

  private setState(connected: boolean): void {
    if (connected === this.connected) return;
    const reconnected = connected && this.everConnected;
    if (connected) this.everConnected = true;
    this.connected = connected;
    for (const f of this.stateListeners) f(connected, reconnected);
  }

  private async run(generation: number): Promise<void> {
    let delay = 500;
    const current = () => !this.stopped && generation === this.generation;
    while (current()) {
      this.abort = new AbortController();
      try {
        const res = await fetch("/v1/stream", {
          headers: { authorization: `Bearer ${session.token() ?? ""}`, accept: "text/event-stream" },
          signal: this.abort.signal,
        });
        if (res.status === 401) {
          if (current()) this.stop();
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        this.setState(true);
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const e of parser.push(value)) for (const f of this.listeners) f(e);
        }
      } catch {
        // A dropped connection or a server restart: try again below.
      }
      if (!current()) return;
      this.setState(false);
      // Jitter, so a wall of consoles does not reconnect in step after a restart.
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 15_000);
    }
  }
}
