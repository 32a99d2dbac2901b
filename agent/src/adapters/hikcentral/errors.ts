import { GatehouseError } from "@gatehouse/shared";

/** Turns HikCentral's `{code, msg}` envelope errors into typed errors; only transient ones are retryable. */
export function envelopeError(path: string, code: string, msg: string): GatehouseError {
  const details = { endpoint: path, hikCode: code, hikMessage: msg };
  switch (code) {
    case "2": {
      const field = /\[(.+?) parameter error\]/.exec(msg)?.[1];
      return new GatehouseError(
        "HIKCENTRAL_PARAMETER",
        `HikCentral rejected ${field ? `the field '${field}'` : "a parameter"} of ${path}: ${msg}`,
        { details: { ...details, ...(field ? { field } : {}) } },
      );
    }
    case "8":
      return new GatehouseError(
        "HIKCENTRAL_NOT_SUPPORTED",
        `HikCentral does not support ${path} (code 8: ${msg}); this HCP version lacks the API`,
        { details },
      );
    case "17":
      return new GatehouseError(
        "HIKCENTRAL_NO_PERMISSION",
        `The partner key has no permission for ${path} (code 17); grant its API group in artemis-web → Partner Management`,
        { details },
      );
    case "64":
      return new GatehouseError(
        "HIKCENTRAL_AUTH",
        `HikCentral refused the credentials (code 64: ${msg}); check the app secret and the clock`,
        { details },
      );
    case "128":
      return new GatehouseError(
        "FACE_REJECTED",
        `HikCentral rejected the person data or photo (code 128: ${msg})`,
        {
          details,
        },
      );
    case "5":
      return new GatehouseError("HIKCENTRAL_DATABASE", `HikCentral database error (code 5: ${msg})`, {
        retryable: true,
        details,
      });
    default:
      return new GatehouseError("HIKCENTRAL_ERROR", `HikCentral answered code ${code} to ${path}: ${msg}`, {
        details,
      });
  }
}

export const unavailable = (path: string, why: string, cause?: unknown) =>
  new GatehouseError("HIKCENTRAL_UNAVAILABLE", `HikCentral did not answer ${path}: ${why}`, {
    retryable: true,
    details: { endpoint: path },
    cause,
  });
