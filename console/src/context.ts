import type { LiveStream } from "./live.js";
import type { Me, Role } from "./types.js";

/** What every view is given: who is signed in, the live stream, and a way to move to another page. */
export interface ViewContext {
  me: Me;
  live: LiveStream;
  go(hash: string): void;
  /** Says an action's result in a toast (and to screen readers). */
  announce(text: string, tone?: "good" | "bad"): void;
  /** Says a denied passage to screen readers, without a toast over the page. */
  announceDenied(text: string): void;
}

/** A page: its element, and what to undo when the reader leaves it (stream listeners). */
export interface View {
  el: HTMLElement;
  dispose(): void;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The API enforces roles; the console only hides what the role would be refused. */
export const may = (me: Me, role: Role) => RANK[me.role] >= RANK[role];
