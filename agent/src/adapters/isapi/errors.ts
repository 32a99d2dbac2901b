import { GatehouseError } from "@gatehouse/shared";

/** ResponseStatus as terminals send it, in JSON or XML. */
export interface ResponseStatus {
  statusCode: number;
  statusString?: string;
  subStatusCode?: string;
  errorCode?: number;
  errorMsg?: string;
}

/**
 * Turns a terminal's ResponseStatus into a typed error. Only the terminal's own transient states (busy, device
 * error, reboot needed, no free stream slot) are retryable; the rest say what was wrong with the request.
 */
export function responseStatusError(terminal: string, path: string, s: ResponseStatus): GatehouseError {
  const sub = s.subStatusCode ?? "";
  const said = `${s.statusString ?? "error"}${sub ? ` (${sub})` : ""}`;
  const details = {
    terminal,
    endpoint: path,
    statusCode: s.statusCode,
    subStatusCode: sub,
    errorCode: s.errorCode,
  };
  const error = (code: string, message: string, retryable = false) =>
    new GatehouseError(code, `terminal ${terminal} ${message} on ${path}: ${said}`, { retryable, details });
  switch (sub) {
    case "deployExceedMax":
      return error("ISAPI_NO_STREAM_SLOT", "has no free event stream slot (another client holds them)", true);
    case "employeeNoAlreadyExist":
    case "deviceUserAlreadyExist":
      return error("ISAPI_PERSON_EXISTS", "already has the person");
    case "employeeNoNotExist":
      return error("ISAPI_PERSON_NOT_FOUND", "has no such person");
    case "faceDataPictureNotDetected":
    case "pictureSizeExceedLimit":
    case "faceLibNumOverLimit":
      return error("FACE_REJECTED", "refused the face");
    case "endtimeEarlierThanBegintime":
      return error("ISAPI_INVALID_VALIDITY", "refused the validity window");
    case "remoteDoorFunctionDisable":
      return error("ISAPI_DOOR_CONTROL_DISABLED", "has remote door control turned off");
    case "userExceedLimit":
      return error("ISAPI_FULL", "holds as many persons as it can");
  }
  switch (s.statusCode) {
    case 2:
      return error("ISAPI_BUSY", "is busy", true);
    case 3:
      return error("ISAPI_DEVICE_ERROR", "had an internal error", true);
    case 4:
      return error("ISAPI_NOT_SUPPORTED", "does not support this");
    case 5:
      return error("ISAPI_BAD_FORMAT", "could not read the request");
    case 7:
      return error("ISAPI_REBOOT_REQUIRED", "needs a reboot", true);
    default:
      return error("ISAPI_INVALID_CONTENT", "refused the request");
  }
}

export const terminalUnavailable = (terminal: string, path: string, why: string, cause?: unknown) =>
  new GatehouseError("ISAPI_UNAVAILABLE", `terminal ${terminal} did not answer ${path}: ${why}`, {
    retryable: true,
    details: { terminal, endpoint: path },
    cause,
  });
