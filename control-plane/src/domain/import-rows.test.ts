import { describe, expect, it } from "vitest";
import { columnFor, csvRecordToVisit, unknownColumns } from "./import-rows.js";

describe("import rows", () => {
  it("maps CSV columns in any common spelling onto the visit request", () => {
    expect(
      csvRecordToVisit(
        {
          guest_name: " Ann Lee ",
          "Guest Email": "ann@example.com",
          hostName: "Bob",
          valid_from: "2025-10-03T09:00:00+05:00",
          valid_until: "2025-10-03T18:00:00+05:00",
          revoke_on_exit: "yes",
          note: "",
        },
        "north",
      ),
    ).toEqual({
      site: "north",
      guest: { name: "Ann Lee", email: "ann@example.com" },
      host: { name: "Bob" },
      validFrom: "2025-10-03T09:00:00+05:00",
      validUntil: "2025-10-03T18:00:00+05:00",
      revokeOnExit: true,
    });
    expect(unknownColumns(["guest_name", "shoe_size"])).toEqual(["shoe_size"]);
    expect(columnFor("guest.email")).toBe("guest_email");
    expect(columnFor("validUntil")).toBe("valid_until");
  });
});
