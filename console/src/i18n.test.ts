import { afterEach, describe, expect, it } from "vitest";
import { dictionaryKeys, label, preferredLanguage, setLanguage, t } from "./i18n.js";

afterEach(() => setLanguage("en"));

describe("the console's languages", () => {
  it("has every English text in Russian too", () => {
    expect([...dictionaryKeys.ru].sort()).toEqual([...dictionaryKeys.en].sort());
  });

  it("fills values in and labels API values in the chosen language", () => {
    setLanguage("ru");
    expect(t("visits.bulkDone", { ok: 2, count: 3 })).toBe("Отозвано 2 из 3.");
    expect(label("status", "checked_out")).toBe("завершён");
    expect(label("status", "something_new")).toBe("something_new");
  });

  it("picks the saved language, else the browser's first it speaks, else English", () => {
    expect(preferredLanguage("ru", ["en-US"])).toBe("ru");
    expect(preferredLanguage(null, ["de-DE", "ru-RU", "en"])).toBe("ru");
    expect(preferredLanguage("fr", ["de"])).toBe("en");
  });
});
