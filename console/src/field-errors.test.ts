import { describe, expect, it } from "vitest";
import { fieldErrors } from "./field-errors.js";

const fields = ["site", "guest.name", "guest.email", "guest.photo", "validFrom", "validUntil"];

describe("a problem body on a form", () => {
  it("puts each error beside its field, nested paths under theirs, and the rest above the form", () => {
    const { byField, general } = fieldErrors(
      {
        status: 400,
        title: "Bad request",
        detail: "the request is not valid",
        errors: [
          { path: "guest.name", message: "the guest's name is required" },
          { path: "validUntil", message: "must be after validFrom" },
          { path: "guest.photo.0", message: "must be a JPEG photo" },
          { path: "host.nickname", message: "is not a field that can be set here" },
          {
            path: "header.idempotency-key",
            message: "this Idempotency-Key was used for a different request",
          },
        ],
      },
      fields,
    );
    expect(Object.fromEntries(byField)).toEqual({
      "guest.name": ["the guest's name is required"],
      validUntil: ["must be after validFrom"],
      "guest.photo": ["must be a JPEG photo"],
    });
    expect(general).toEqual([
      "host.nickname: is not a field that can be set here",
      "this Idempotency-Key was used for a different request",
    ]);
  });

  it("falls back to the detail when the problem names no field (a 409 on a full event)", () => {
    const r = fieldErrors(
      { status: 409, title: "Conflict", detail: "the event is full", errors: [] },
      fields,
    );
    expect(r.general).toEqual(["the event is full"]);
  });
});
