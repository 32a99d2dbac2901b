import { h } from "./dom.js";
import { t } from "./i18n.js";

/**
 * Asks before something that cannot be undone, in the console's own modal dialog (not the browser's
 * `confirm()`, which blocks the page and cannot be styled or translated). Escape or "Go back" answers no;
 * focus starts on "Go back", so Enter alone never revokes anyone.
 */
export function confirmAction(text: string, actionLabel: string, danger = true): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h(
      "button",
      { type: "button", class: danger ? "danger" : undefined, value: "yes" },
      actionLabel,
    );
    const no = h("button", { type: "button", class: "secondary", value: "no" }, t("dialog.back"));
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "confirm-text" },
      h("p", { id: "confirm-text" }, text),
      h("div", { class: "actions" }, no, yes),
    );
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener("click", () => done(true));
    no.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}
