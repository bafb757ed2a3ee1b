// The webhook endpoint, transport-free: a verified request in, an HTTP answer out. Authentication
// runs before the body is parsed; a request that fails it gets 401 and changes nothing. Answers
// are synchronous (no 202 + callback) and bounded: ConductorOne gives up on an attempt after 30 s
// and delivers again, so past ANSWER_BUDGET_MS every app call still in flight is cancelled and the
// answer is 503 — never a late write after C1 has moved on.

import { isRetryable, oneLine } from '../errors.ts';
import { withCallScope } from '../http/call-scope.ts';
import type { ProvisionAudit } from './audit.ts';
import { executeProvision, type InstanceHandle } from './execute.ts';
import { EVENT_PROVISION, EVENT_TEST, envelopeSchema, PayloadError, parseProvisionTask } from './payload.ts';
import { Unauthorized, type VerifiedToken, type WebhookRequest } from './verify.ts';

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How long one delivery may take before it is called off and answered 503 (C1 waits 30 s). */
export const ANSWER_BUDGET_MS = 20_000;

export interface EndpointDeps {
  /** Default ANSWER_BUDGET_MS. */
  budgetMs?: number;
  verify(req: WebhookRequest): Promise<VerifiedToken>;
  /** The instance a URL path segment names; undefined when there is none. */
  instance(id: string): Promise<InstanceHandle | undefined>;
  audit: ProvisionAudit;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function answer(status: number, doc: unknown): WebhookResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(doc) };
}

const complete = (comment: string) => answer(200, { version: 'v1', complete: { comment } });
const errored = (comment: string) => answer(200, { version: 'v1', errored: { comment } });
// Any status but 2xx and 410 makes C1 deliver again (3–15 s later, up to 50 attempts).
const retryLater = (reason: string) => answer(503, { error: 'temporarily unavailable', reason });

/** `/<instance id>`: exactly one path segment. */
export function instanceIdOf(pathname: string): string | undefined {
  const parts = pathname.split('/').filter(Boolean);
  return parts.length === 1 ? decodeURIComponent(parts[0]!) : undefined;
}

/**
 * One delivery within its answer budget. `stop` (the server draining) calls it off early the same
 * way: the app calls in flight are cancelled and the answer is 503, so C1 delivers again.
 */
export async function handleWebhook(req: WebhookRequest, deps: EndpointDeps, stop?: AbortSignal): Promise<WebhookResponse> {
  const budgetMs = deps.budgetMs ?? ANSWER_BUDGET_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`the webhook's answer budget of ${budgetMs / 1000} s ran out`)), budgetMs);
  const onStop = () => controller.abort(new Error('the webhook server is shutting down'));
  stop?.addEventListener('abort', onStop, { once: true });
  if (stop?.aborted) onStop();
  const calledOff = new Promise<WebhookResponse>((resolve) => {
    const answerNow = () => {
      const reason = (controller.signal.reason as Error).message;
      deps.audit.rejected(`called off: ${reason}; answered 503 so ConductorOne delivers again`, { path: req.url.pathname });
      resolve(retryLater(reason));
    };
    if (controller.signal.aborted) answerNow();
    else controller.signal.addEventListener('abort', answerNow, { once: true });
  });
  try {
    return await Promise.race([withCallScope(controller.signal, () => handleInBudget(req, deps)), calledOff]);
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  }
}

async function handleInBudget(req: WebhookRequest, deps: EndpointDeps): Promise<WebhookResponse> {
  try {
    await deps.verify(req);
  } catch (err) {
    if (err instanceof Unauthorized) {
      deps.audit.rejected(err.message, { path: req.url.pathname });
      return answer(401, { error: 'unauthorized' });
    }
    if (isRetryable(err)) return retryLater(oneLine(err));
    throw err;
  }

  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(req.body).toString('utf8'));
  } catch {
    return errored('the webhook body is not JSON');
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return errored(`the webhook body is not a v1 envelope (${envelope.error.issues.map((i) => i.path.join('.') || 'body').join(', ')})`);
  const { event, payload } = envelope.data;
  if (event === EVENT_TEST) return answer(200, { version: 'v1' });
  if (event !== EVENT_PROVISION) return errored(`event ${event} is not handled here; this endpoint provisions (${EVENT_PROVISION})`);

  const id = instanceIdOf(req.url.pathname);
  let instance: InstanceHandle | undefined;
  try {
    instance = id === undefined ? undefined : await deps.instance(id);
  } catch (err) {
    if (isRetryable(err)) return retryLater(oneLine(err));
    return errored(`connector instance ${id}: ${oneLine(err)}`);
  }
  if (!instance) return errored(`no connector instance ${JSON.stringify(id ?? req.url.pathname)} is configured at this URL`);

  let task;
  try {
    task = parseProvisionTask(payload ?? {});
  } catch (err) {
    if (err instanceof PayloadError) return errored(err.message);
    throw err;
  }
  const result = await executeProvision(
    instance,
    task.action,
    { kind: 'c1', appEntitlement: task.appEntitlement, appUser: task.appUser },
    deps.audit,
    task.taskId,
  );
  if (result.status === 'transient') return retryLater(result.comment);
  return result.status === 'complete' ? complete(result.comment) : errored(result.comment);
}
