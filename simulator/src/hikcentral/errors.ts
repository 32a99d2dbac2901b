/** A HikCentral business error: HTTP 200 with `{code, msg}` and no data, as the real server answers. */
export class ArtemisError extends Error {
  constructor(
    readonly code: string,
    readonly msg: string,
  ) {
    super(msg);
  }
}

/** Code 2, worded exactly as HCP words it, naming the field. */
export const paramError = (field: string) =>
  new ArtemisError("2", `Incorrect request parameter. [${field} parameter error]`);
export const notSupported = () => new ArtemisError("8", "This product version is not supported");
export const noPermission = () => new ArtemisError("17", "No permission for OpenAPI access");
export const invalidPersonData = () => new ArtemisError("128", "person data is invalid");
export const databaseException = () => new ArtemisError("5", "Hikcentral Database Exception");
export const authFailed = () => new ArtemisError("64", "User authentication failed");
