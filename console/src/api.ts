import { isProblem, type Problem } from "./field-errors.js";

const TOKEN_KEY = "gatehouse.token";

/** A refused or failed request: the API's problem body when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Called when the API says the token is no longer good (revoked while the console was open). */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

function networkProblem(e: unknown): ApiError {
  return new ApiError(0, {
    status: 0,
    title: "Network error",
    detail: e instanceof Error ? e.message : String(e),
    errors: [],
  });
}

/** A JSON call to the API with the session's token; a refusal throws an ApiError with the problem body. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  token = session.token(),
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw networkProblem(e);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && token === session.token()) onUnauthorized();
    throw new ApiError(
      res.status,
      isProblem(json)
        ? json
        : { status: res.status, title: res.statusText, detail: text.slice(0, 200), errors: [] },
    );
  }
  return json as T;
}

export const query = (params: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
};

/** An image the API serves behind the token, as an object URL for an <img> (revoke it when done). */
export async function imageUrl(path: string): Promise<string | undefined> {
  try {
    const res = await fetch(path, { headers: { authorization: `Bearer ${session.token() ?? ""}` } });
    if (!res.ok) return undefined;
    return URL.createObjectURL(await res.blob());
  } catch {
    return undefined;
  }
}
