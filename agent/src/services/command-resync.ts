import { randomUUID } from "node:crypto";
import { type ResyncRequest, topics } from "@gatehouse/shared";
import type { Logger } from "pino";
import type { MetaStore } from "../adapters/db/meta-store.js";

/** Asks the control plane to send commands again: for a gap in seq, or everything after an imported replica. */
export class CommandResync {
  constructor(
    private readonly link: {
      readonly connected: boolean;
      publish(topic: string, payload: string): Promise<void>;
    },
    private readonly meta: MetaStore,
    private readonly site: string,
    private readonly log: Logger,
  ) {}

  /** These commands again (toSeq omitted: everything from fromSeq); false when not connected. */
  async request(fromSeq: number, toSeq?: number): Promise<boolean> {
    if (!this.link.connected) return false;
    const request: ResyncRequest = {
      id: randomUUID(),
      site: this.site,
      fromSeq,
      ...(toSeq === undefined ? {} : { toSeq }),
      at: new Date().toISOString(),
    };
    await this.link.publish(topics.resync(this.site), JSON.stringify(request));
    return true;
  }

  /**
   * A replica restored from a backup knows nothing of the commands after its watermark: it asks for all of
   * them once (kept in meta until sent, so a crash before the first connect still asks).
   */
  async askAfterImport(): Promise<void> {
    const from = await this.meta.get("resync_from");
    if (!from || !(await this.request(Number(from)))) return;
    await this.meta.delete("resync_from");
    this.log.info(
      { fromSeq: Number(from) },
      "asked the control plane for every command after the imported replica",
    );
  }
}
