import { h } from "./dom.js";
import { t } from "./i18n.js";

const MAX_SHOWN = 4;
const TIMEOUT_MS = { good: 5000, bad: 9000, normal: 6000 } as const;

/**
 * Results of what the reader did ("Revoked.", "The server did not answer"): stacked in a corner, each with a
 * close button, gone by itself after a few seconds (longer for failures; not while the pointer or focus is on
 * it). Read out politely by screen readers. Passages do not come here: they have their own live region.
 */
export class Toasts {
  readonly el = h("section", { class: "toasts", "aria-label": t("toast.region") });
  private readonly list = h("ol", { role: "status", "aria-live": "polite" });

  constructor() {
    this.el.append(this.list);
  }

  show(text: string, tone: "good" | "bad" | "normal" = "normal"): void {
    const close = h("button", { type: "button", class: "close", "aria-label": t("toast.close") }, "×");
    const item = h("li", { class: `toast ${tone}` }, h("span", {}, text), close);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const remove = () => {
      clearTimeout(timer);
      item.remove();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(remove, TIMEOUT_MS[tone]);
    };
    close.addEventListener("click", remove);
    item.addEventListener("mouseenter", () => clearTimeout(timer));
    item.addEventListener("mouseleave", arm);
    item.addEventListener("focusin", () => clearTimeout(timer));
    item.addEventListener("focusout", arm);
    this.list.append(item);
    while (this.list.children.length > MAX_SHOWN) this.list.firstElementChild?.remove();
    arm();
  }

  clear(): void {
    this.list.replaceChildren();
  }
}
