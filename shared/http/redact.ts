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

/** Remove every known secret, in every spelling we send it, and every credential-shaped fragment from `text`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  const { literals, encoded } = spellingsOf(secrets);
  let out = text;
  for (const literal of literals) out = out.split(literal).join(REDACTED);
  if (encoded.length > 0) out = out.replace(B64_RUN, (run) => (encoded.some((core) => run.includes(core)) ? REDACTED : run));
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

interface Spellings {
  /** Longest first, so a secret that contains another is removed whole. */
  literals: string[];
  /** Fragments whose presence in a base64 run means the run encodes a secret. */
  encoded: string[];
}

// A process scrubs with the same few secret lists over and over; building their spellings is
// the costly part.
const cache = new Map<string, Spellings>();

function spellingsOf(secrets: readonly string[]): Spellings {
  const cacheKey = secrets.join('\u0000');
  let found = cache.get(cacheKey);
  if (!found) {
    found = buildSpellings(secrets);
    if (cache.size > 64) cache.clear();
    cache.set(cacheKey, found);
  }
  return found;
}

/**
 * The spellings a secret can take in our messages: as is, percent-encoded (query strings),
 * form-encoded and base64 (a `Basic` header, an echoed header). A secret that is a URL (a base URL
 * with a token in its query or userinfo) also gives its credential parts, since messages show the
 * URL rebuilt, never the configured string.
 */
function buildSpellings(secrets: readonly string[]): Spellings {
  const values = new Set<string>();
  for (const secret of secrets) {
    values.add(secret);
    for (const part of urlCredentials(secret)) values.add(part);
  }
  const literals = new Set<string>();
  const cores = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    literals.add(value);
    literals.add(encodeURIComponent(value));
    literals.add(new URLSearchParams({ s: value }).toString().slice(2));
    for (const core of base64Cores(value)) cores.add(core);
  }
  return { literals: [...literals].sort((a, b) => b.length - a.length), encoded: [...cores] };
}

/** A run of base64 (either alphabet) and its padding: replaced whole when it carries a secret. */
const B64_RUN = /[A-Za-z0-9+/_-]{8,}=*/g;
/** Shorter base64 fragments would match ordinary words. */
const MIN_CORE_CHARS = 8;

/**
 * What base64 of any text containing `value` must contain: for each of the three byte offsets
 * the value can start at, the characters encoding only the value's own bytes (the first and last
 * groups also depend on their neighbours, so they are left out), in the standard and URL-safe
 * alphabets. This catches `Basic base64(user:token)` for any user, and an echoed header.
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const skip = (3 - offset) % 3;
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole <= 0) continue;
    const core = bytes.subarray(skip, skip + whole).toString('base64');
    if (core.length < MIN_CORE_CHARS) continue;
    out.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}

/** Query values and userinfo of a secret that is a URL; nothing for any other string. */
function urlCredentials(secret: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(secret)) return [];
  let url: URL;
  try {
    url = new URL(secret);
  } catch {
    return [];
  }
  const parts = [...url.searchParams.values()];
  if (url.username) parts.push(decodeURIComponent(url.username));
  if (url.password) parts.push(decodeURIComponent(url.password));
  return parts;
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
