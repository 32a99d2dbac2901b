import { describe, expect, it } from "vitest";
import { parseDownloadDetail } from "./download-status.js";

describe("download status", () => {
  it("reads each terminal's status whatever the key case", () => {
    const upper = {
      ElementDetailList: {
        ElementDetail: [
          { BaseInfo: { Name: "Entry" }, ElementStatus: [{ Status: "0" }] },
          { BaseInfo: { Name: "Exit" }, ElementStatus: [{ Status: "1" }] },
          {
            BaseInfo: { Name: "Parking" },
            ElementStatus: [{ Status: "2", ErrorModule: "device", ErrorCode: "0x80000002" }],
          },
        ],
      },
    };
    const lower = {
      elementDetailList: { elementDetail: { baseInfo: { name: "Entry" }, elementStatus: { status: 0 } } },
    };
    expect(parseDownloadDetail(upper)).toEqual([
      { device: "Entry", status: "applied" },
      { device: "Exit", status: "pending" },
      { device: "Parking", status: "failed", error: "device 0x80000002" },
    ]);
    expect(parseDownloadDetail(lower)).toEqual([{ device: "Entry", status: "applied" }]);
    expect(parseDownloadDetail(undefined)).toEqual([]);
  });
});
