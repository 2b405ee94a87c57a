/**
 * A small typed client for the e支部 gateway, usable from the mini-program (wx.request) and from Node (fetch).
 * Paths, query parameters, bodies and answers are typed from the OpenAPI contract (src/schema.d.ts):
 *
 *   const api = createClient({ baseUrl, transport: wxRequestTransport(wx), tokens: wxStorageTokenStore(wx),
 *                              loginCode: wxLoginCode(wx) });
 *   await api.login(await wxLoginCode(wx)());
 *   const r = await api.get("/api/v1/points", { query: { page: 1, pageSize: 20 } });
 *   if (r.ok) show(r.data.balance); else toast(r.problem.title);   // r.problem.code: stable error code
 *
 * It needs no Request/Response/URLSearchParams globals (the mini-program has none).
 */
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
/** Every error is a ProblemDetails: `code` is stable and machine-readable, `title` is zh-CN text to show. */
export type Problem = Schemas["ProblemDetails"];
export type ErrorCode = Problem["code"];

/** wx.request has no PATCH, so neither has the gateway. */
type HttpMethod = "get" | "post" | "put" | "delete";
/** The paths that have an operation for `M`. */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: paths[P][M] extends undefined ? never : P;
}[keyof paths];
type Operation<P extends keyof paths, M extends HttpMethod> = NonNullable<paths[P][M]>;

type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type PathParamsOf<O> = O extends { parameters: { path?: infer Q } } ? Q : never;
type BodyOf<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never] ? never : NonNullable<R> extends { content: { "application/json": infer B } } ? B : never
  : never;
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type SuccessStatus = 200 | 201 | 202 | 204;
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : undefined;
/** What a successful call answers (`undefined` for 204 No Content). */
export type DataOf<O> = { [S in keyof ResponsesOf<O> & SuccessStatus]: JsonOf<ResponsesOf<O>[S]> }[keyof ResponsesOf<O> & SuccessStatus];
/** The error codes the contract documents for an operation (others, e.g. internal_error, may still happen). */
export type DocumentedErrorCodeOf<O> = {
  [S in Exclude<keyof ResponsesOf<O>, SuccessStatus>]: ResponsesOf<O>[S] extends { content: { "application/problem+json": { code?: infer C } } } ? C : never;
}[Exclude<keyof ResponsesOf<O>, SuccessStatus>];

export interface RequestOptions<Q = unknown, B = unknown, PP = unknown> {
  query?: Q;
  path?: PP;
  body?: B;
}
/** Options are required exactly when the operation takes a body. */
type Init<O> = [BodyOf<O>] extends [never]
  ? [options?: { query?: QueryOf<O>; path?: PathParamsOf<O> }]
  : [options: { query?: QueryOf<O>; path?: PathParamsOf<O>; body: BodyOf<O> }];

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

// ---- transports -------------------------------------------------------------------------------------

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  headers: Record<string, string>;
  body?: string;
}
export interface HttpResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** Node 18+ / browsers. */
export function fetchTransport(fetchImpl: typeof fetch = globalThis.fetch): Transport {
  return async ({ method, url, headers, body }) => {
    const response = await fetchImpl(url, { method, headers, body });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** The mini-program: wx.request (add the gateway's domain to the request 合法域名 list). */
export function wxRequestTransport(wxApi: WechatMiniprogram.Wx): Transport {
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      wxApi.request({
        url: request.url,
        method: request.method,
        header: request.headers,
        data: request.body,
        dataType: "json",
        success: (res) => resolve({ status: res.statusCode, body: res.data === "" ? undefined : res.data }),
        fail: (err) => reject(new Error(err.errMsg)),
      });
    });
}

/** A fresh wx.login code each call: pass as `loginCode` so an expired session logs in again silently. */
export function wxLoginCode(wxApi: WechatMiniprogram.Wx): () => Promise<string> {
  return () =>
    new Promise<string>((resolve, reject) => {
      wxApi.login({ success: (res) => resolve(res.code), fail: (err) => reject(new Error(err.errMsg)) });
    });
}

// ---- token storage ----------------------------------------------------------------------------------

export interface TokenStore {
  get(): string | undefined;
  set(token: string | undefined): void;
}

export function memoryTokenStore(initial?: string): TokenStore {
  let token = initial;
  return { get: () => token, set: (value) => void (token = value) };
}

/** Keeps the session token across mini-program launches (wx storage). */
export function wxStorageTokenStore(wxApi: WechatMiniprogram.Wx, key = "ebranch.session"): TokenStore {
  return {
    get: () => (wxApi.getStorageSync(key) as string | "") || undefined,
    set: (value) => (value ? wxApi.setStorageSync(key, value) : wxApi.removeStorageSync(key)),
  };
}

// ---- the client -------------------------------------------------------------------------------------

export interface ClientOptions {
  /** The gateway, e.g. https://ebranch.example.gov.cn (no trailing slash needed). */
  baseUrl: string;
  transport: Transport;
  tokens?: TokenStore;
  /** Supplies a fresh wx.login code; when set, a 401 logs in again and retries the call once. */
  loginCode?: () => Promise<string>;
  /** Called on a 401 that could not be recovered (no loginCode, or logging in again failed). */
  onUnauthorized?: (problem: Problem) => void;
}

const LOGIN_PATH = "/api/v1/auth/login";

export function createClient(options: ClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const tokens = options.tokens ?? memoryTokenStore();
  let relogin: Promise<boolean> | undefined;

  async function send(method: HttpMethod, path: string, init: RequestOptions = {}, retry = true): Promise<ApiResult<unknown>> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = tokens.get();
    if (token && path !== LOGIN_PATH) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(init.body);
    }
    const url = baseUrl + fillPath(path, init.path) + queryString(init.query);
    const response = await options.transport({ method: method.toUpperCase() as HttpRequest["method"], url, headers, body });
    if (response.status >= 200 && response.status < 300) {
      return { ok: true, status: response.status, data: response.body };
    }
    const problem = toProblem(response);
    if (response.status === 401 && path !== LOGIN_PATH) {
      tokens.set(undefined);
      if (retry && options.loginCode && (await loginAgain())) {
        return send(method, path, init, false);
      }
      options.onUnauthorized?.(problem);
    }
    return { ok: false, status: response.status, problem };
  }

  /** One re-login at a time, however many calls hit the 401 together. */
  function loginAgain(): Promise<boolean> {
    relogin ??= (async () => {
      try {
        return (await client.login(await options.loginCode!())).ok;
      } catch {
        return false;
      } finally {
        relogin = undefined;
      }
    })();
    return relogin;
  }

  const client = {
    tokens,
    get<P extends PathsWith<"get">>(path: P, ...init: Init<Operation<P, "get">>) {
      return send("get", path, init[0] as RequestOptions) as Promise<ApiResult<DataOf<Operation<P, "get">>>>;
    },
    post<P extends PathsWith<"post">>(path: P, ...init: Init<Operation<P, "post">>) {
      return send("post", path, init[0] as RequestOptions) as Promise<ApiResult<DataOf<Operation<P, "post">>>>;
    },
    /** wx.login code → session token (kept in `tokens`). Villagers need no registration. */
    async login(code: string) {
      const result = await client.post(LOGIN_PATH, { body: { code } });
      if (result.ok) tokens.set(result.data.token);
      return result;
    },
    /** Ends the session on the gateway and forgets the token. */
    async logout() {
      const result = await client.post("/api/v1/auth/logout");
      tokens.set(undefined);
      return result;
    },
  };
  return client;
}

export type EBranchClient = ReturnType<typeof createClient>;

function fillPath(path: string, params: unknown): string {
  const values = (params ?? {}) as Record<string, string | number>;
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name])));
}

function queryString(query: unknown): string {
  const pairs = Object.entries((query ?? {}) as Record<string, unknown>)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return pairs.length ? `?${pairs.join("&")}` : "";
}

function toProblem(response: HttpResponse): Problem {
  const body = response.body as Partial<Problem> | undefined;
  if (body && typeof body === "object" && typeof body.code === "string") return body as Problem;
  // Not from the gateway (a proxy, the network): still a Problem, so callers handle one shape.
  return { status: response.status, code: response.status >= 500 ? "service_unavailable" : "invalid_request", title: "网络异常，请稍后再试" } as Problem;
}
