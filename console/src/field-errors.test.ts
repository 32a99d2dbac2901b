import { afterEach, describe, expect, it } from "vitest";
import { fieldErrors } from "./field-errors.js";
import { setLanguage } from "./i18n.js";

const fields = ["site", "guest.name", "guest.email", "guest.photo", "validFrom", "validUntil"];

const problem = {
  status: 400,
  title: "Bad request",
  detail: "the request is not valid",
  errors: [
    { path: "guest.name", code: "required", message: "the guest's name is required" },
    { path: "validUntil", code: "after_valid_from", message: "must be after validFrom" },
    { path: "guest.photo.0", code: "not_jpeg", message: "must be a JPEG photo" },
    {
      path: "guest.email",
      code: "too_long",
      params: { maximum: 254 },
      message: "must be at most 254 characters",
    },
    { path: "host.nickname", code: "unknown_field", message: "is not a field that can be set here" },
    {
      path: "header.idempotency-key",
      code: "idempotency_conflict",
      message: "this Idempotency-Key was used",
    },
    { path: "guest.phone", code: "some_new_code", message: "a code this console has not heard of" },
  ],
};

describe("a problem body on a form", () => {
  afterEach(() => setLanguage("en"));

  it("puts each error beside its field, worded by its code, and the rest above the form", () => {
    const { byField, general } = fieldErrors(problem, fields, "fallback");
    expect(Object.fromEntries(byField)).toEqual({
      "guest.name": ["Fill this in."],
      validUntil: ["Must be after the start time."],
      "guest.photo": ["The photo must be a JPEG."],
      "guest.email": ["At most 254 characters."],
    });
    expect(general).toEqual([
      "This field cannot be set here.",
      "This form was sent already with other values; reload the page.",
      "This value is not accepted.",
    ]);
  });

  it("words the same problem in Russian, never the server's English", () => {
    setLanguage("ru");
    const { byField, general } = fieldErrors(problem, fields, "fallback");
    expect(byField.get("validUntil")).toEqual(["Должно быть позже начала."]);
    expect(byField.get("guest.email")).toEqual(["Не более 254 символов."]);
    const all = [...[...byField.values()].flat(), ...general].join(" ");
    for (const e of problem.errors) expect(all).not.toContain(e.message);
    expect(all).not.toMatch(/[a-z]{3,}/);
  });

  it("falls back to the caller's words when the problem names no field (a 409 on a full event)", () => {
    const r = fieldErrors(
      { status: 409, title: "Conflict", detail: "the event is full", errors: [] },
      fields,
      "full",
    );
    expect(r.general).toEqual(["full"]);
  });
});
