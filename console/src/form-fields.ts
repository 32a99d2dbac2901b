import { ApiError } from "./api.js";
import { clear, h, uid } from "./dom.js";
import { fieldErrors, type Problem } from "./field-errors.js";
import { problemText } from "./words.js";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/**
 * A form's fields, each named by its path in the API's request body (`guest.name`), so that a problem body's
 * errors land beside the field they name: the field is marked invalid, its message is read out with it,
 * and a summary above the form links to each.
 */
export class FormFields {
  private controls = new Map<string, { control: Control; error: HTMLElement; label: string }>();
  readonly summary = h("div", { class: "form-errors", role: "alert", tabindex: -1, hidden: true });

  constructor(private readonly summaryTitle: string) {}

  field(path: string, label: string, control: Control, hint?: string): HTMLElement {
    const id = uid("field");
    const errorId = `${id}-error`;
    const hintId = hint ? `${id}-hint` : undefined;
    control.id = id;
    control.setAttribute("name", path);
    if (hintId) control.setAttribute("aria-describedby", hintId);
    const error = h("p", { class: "field-error", id: errorId, hidden: true });
    this.controls.set(path, { control, error, label });
    const isCheck = control instanceof HTMLInputElement && control.type === "checkbox";
    return h(
      "div",
      { class: `field${isCheck ? " check" : ""}`, "data-field": path },
      isCheck ? null : h("label", { for: id }, label),
      control,
      isCheck ? h("label", { for: id }, label) : null,
      hint ? h("p", { class: "hint", id: hintId }, hint) : null,
      error,
    );
  }

  value(path: string): string {
    const c = this.controls.get(path)?.control;
    if (!c) return "";
    if (c instanceof HTMLInputElement && c.type === "checkbox") return c.checked ? "true" : "";
    return c.value.trim();
  }

  control(path: string): Control | undefined {
    return this.controls.get(path)?.control;
  }

  clearErrors(): void {
    this.summary.hidden = true;
    clear(this.summary);
    for (const { control, error } of this.controls.values()) {
      control.removeAttribute("aria-invalid");
      const hint = control
        .getAttribute("aria-describedby")
        ?.split(" ")
        .filter((x) => x !== error.id);
      if (hint?.length) control.setAttribute("aria-describedby", hint.join(" "));
      else control.removeAttribute("aria-describedby");
      error.hidden = true;
      error.textContent = "";
    }
  }

  /** Shows a problem body; focuses the first field at fault, or the summary when none is a field here. */
  showProblem(problem: Problem): void {
    this.clearErrors();
    const { byField, general } = fieldErrors(
      problem,
      [...this.controls.keys()],
      problemText(problem.status, problem),
    );
    const list = h("ul");
    let first: Control | undefined;
    // In the form's order, so the summary reads top to bottom and focus goes to the first field at fault.
    for (const [path, f] of this.controls) {
      const messages = byField.get(path);
      if (!messages) continue;
      f.control.setAttribute("aria-invalid", "true");
      f.control.setAttribute(
        "aria-describedby",
        [f.control.getAttribute("aria-describedby"), f.error.id].filter(Boolean).join(" "),
      );
      f.error.textContent = messages.join("; ");
      f.error.hidden = false;
      first ??= f.control;
      const link = h("a", { href: `#${f.control.id}` }, `${f.label}: ${messages.join("; ")}`);
      link.addEventListener("click", (e) => {
        e.preventDefault();
        f.control.focus();
      });
      list.append(h("li", {}, link));
    }
    for (const g of general) list.append(h("li", {}, g));
    this.summary.append(h("p", {}, this.summaryTitle), list);
    this.summary.hidden = false;
    if (first) first.focus();
    else this.summary.focus();
  }
}

/** The browser could not read the file chosen as the guest's photo. */
export class PhotoUnreadable extends Error {}

/** A JPEG chosen in a file input, as the base64 the API takes. */
export function readPhoto(input: HTMLInputElement): Promise<string | undefined> {
  const file = input.files?.[0];
  if (!file) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(new PhotoUnreadable(r.error?.message ?? "unreadable"));
    r.readAsDataURL(file);
  });
}

export const input = (attrs: Record<string, string | boolean> = {}) => h("input", { type: "text", ...attrs });

/**
 * Sends a form with `send`, and shows the API's problem body on its fields when it is refused. One
 * Idempotency-Key per filled-in form: a double click, or a retry after a lost answer, makes one visit; any
 * change, or a success, takes a new key.
 */
export function handleSubmit(
  form: HTMLFormElement,
  submit: HTMLButtonElement,
  fields: FormFields,
  send: (idempotencyKey: string) => Promise<void>,
  canSubmit: () => boolean = () => true,
): void {
  let key = crypto.randomUUID();
  form.addEventListener("input", () => {
    key = crypto.randomUUID();
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      await send(key);
      key = crypto.randomUUID();
    } catch (err) {
      if (err instanceof ApiError) fields.showProblem(err.problem);
      else if (err instanceof PhotoUnreadable) {
        fields.showProblem({
          status: 400,
          title: "",
          detail: err.message,
          errors: [{ path: "guest.photo", code: "photo_unreadable", message: err.message }],
        });
      } else {
        fields.showProblem({ status: 0, title: "", detail: (err as Error).message, errors: [] });
      }
    } finally {
      submit.disabled = !canSubmit();
    }
  });
}
