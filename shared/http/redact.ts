// Scrubbing of credentials from every message the client builds. Two layers: the literal secret
// values we know (configured secrets, header values) and patterns for credential-shaped text we do
// not know in advance (a token the server echoes back, a password in a query string).

export const REDACTED = '[REDACTED]';

/** Parameter, field and header names whose values are credentials. */
export const SENSITIVE_NAME = /token|secret|key|passw(?:or)?d|pwd|auth|session|signature|cookie|credential/i;

/** Header values that are never secret; adding them to the secret list would only mangle messages. */
const PLAIN_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'content-type', 'user-agent', 'connection']);

/**
 * Literals shorter than this are not scrubbed: secret maps also hold flags and small numbers
 * ("true", "100"), and replacing those everywhere would make messages unreadable without
 * protecting anything.
 */
const MIN_SECRET_LENGTH = 6;

const NAME_CHARS = String.raw`[\w.\-\[\]%]*`;
const SENSITIVE = SENSITIVE_NAME.source;
const PATTERNS: [RegExp, string][] = [
  // Authorization-style headers written as `Name: value`.
  [
    new RegExp(String.raw`\b((?:proxy-)?authorization|set-cookie|cookie|x-${NAME_CHARS}(?:${SENSITIVE})${NAME_CHARS})(\s*:\s*)[^\r\n]+`, 'gi'),
    `$1$2${REDACTED}`,
  ],
  // Credential schemes wherever they appear.
  [/\b(bearer|basic)\s+[\w.~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // `"access_token": "…"` in JSON text (an echoed request, an error body).
  [new RegExp(String.raw`("[^"\\]*(?:${SENSITIVE})[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  // `token=…` in query strings and form bodies.
  [new RegExp(String.raw`(${NAME_CHARS}(?:${SENSITIVE})${NAME_CHARS}=)[^&\s"'#,;]+`, 'gi'), `$1${REDACTED}`],
];

/** Remove every known secret and every credential-shaped fragment from `text`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of expandSecrets(secrets)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * The spellings a secret can take in our messages: as is, percent-encoded (query strings) and
 * form-encoded. Longest first so a secret that contains another is removed whole.
 */
function expandSecrets(secrets: readonly string[]): string[] {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    all.add(secret);
    all.add(encodeURIComponent(secret));
    all.add(new URLSearchParams({ s: secret }).toString().slice(2));
  }
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * Secret literals carried by request headers: every value except plainly public ones, plus the
 * credential alone from `Bearer x` / `Basic x` (and the decoded Basic pair and password), since a
 * server may echo just that part.
 */
export function secretsFromHeaders(headers: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (PLAIN_HEADERS.has(name.toLowerCase())) continue;
    out.push(value);
    const scheme = /^\s*(\w+)\s+(\S+)\s*$/.exec(value);
    if (!scheme?.[2]) continue;
    out.push(scheme[2]);
    if (scheme[1]?.toLowerCase() === 'basic') {
      const pair = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      if (colon >= 0) out.push(pair, pair.slice(colon + 1));
    }
  }
  return out;
}

/** A URL for messages: no userinfo, sensitive query values masked, then literal secrets removed. */
export function redactUrl(url: URL, secrets: readonly string[], withOrigin: boolean): string {
  const params = new URLSearchParams(url.search);
  for (const name of new Set(params.keys())) {
    if (SENSITIVE_NAME.test(name)) params.set(name, REDACTED);
  }
  const query = params.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
  const origin = withOrigin ? `${url.protocol}//${url.host}` : '';
  return redact(`${origin}${url.pathname}${query ? `?${query}` : ''}`, secrets);
}

/**
 * A short, single-line, redacted view of a response body for error messages. Redaction runs on a
 * generous prefix before the cut so a secret straddling the cut cannot leak half of itself.
 */
export function excerpt(text: string, secrets: readonly string[], max = 300): string {
  let plain = text.slice(0, 8192);
  // HTML error pages (load balancers, login walls): the words matter, the markup does not.
  if (/^\s*</.test(plain)) plain = plain.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
  plain = redact(plain.replace(/\s+/g, ' ').trim(), secrets);
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}
