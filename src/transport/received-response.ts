import type { UpstreamRequest } from './http-client.ts';

/** Response headers as undici reports them: lower-case names, repeated ones as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** An upstream answer as it arrived: status, headers, the body's text and its parsed JSON. */
export interface ReceivedResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body as received; `''` when empty. */
  text: string;
  /** `text` parsed as JSON (`undefined` when empty). Belongs to one caller: others get {@link reparsed}. */
  body: unknown;
  /** The origin of the instance that answered (kept with a cached answer). */
  instance?: string;
}

/**
 * One upstream call, with every header that reaches the service already merged in, the time
 * allowed for this attempt when retries give it less than the client's whole `timeout`, and the
 * instances (URLs) its earlier attempts went to: each attempt adds its own, and the next one
 * avoids them while another instance is in rotation. `deadline` is the whole call's, when the
 * client request's deadline leaves it less than the source's `timeout`.
 */
export type SendUpstream = (
  request: UpstreamRequest & { headers: Record<string, string>; timeout?: number; deadline?: number; tried?: Set<string> },
) => Promise<ReceivedResponse>;

/**
 * A copy of a shared answer with a body of its own. Resolvers and stitching may annotate the
 * objects they are given, so two client requests never hold the same parsed body. The text was
 * parsed once already (a body that is not JSON is a failure, never shared), so this cannot throw.
 */
export function reparsed(response: ReceivedResponse): ReceivedResponse {
  return { ...response, body: response.text.length === 0 ? undefined : JSON.parse(response.text) };
}
