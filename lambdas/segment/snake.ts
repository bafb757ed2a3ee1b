// snake_case as the Go connector's strcase.ToSnake produces it, because entitlement ids are built
// from it and must match the Go connector's ids. Only ASCII letters and digits are classified;
// every other character passes through unchanged.

const isUpper = (c: string | undefined) => c !== undefined && c >= 'A' && c <= 'Z';
const isLower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const SEPARATORS = new Set([' ', '_', '-', '.']);

export function toSnake(input: string): string {
  const s = input.trim();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const next = s[i + 1];
    const lowered = isUpper(c) ? c.toLowerCase() : c;
    const kindChanges =
      (isUpper(c) && (isLower(next) || isDigit(next))) || (isLower(c) && (isUpper(next) || isDigit(next))) || (isDigit(c) && (isUpper(next) || isLower(next)));
    if (kindChanges) {
      // The last capital of an acronym run starts the next word: "JSONData" -> "json_data".
      if (isUpper(c) && isLower(next) && isUpper(s[i - 1])) out += '_';
      out += lowered;
      if (isLower(c) || isDigit(c) || isDigit(next)) out += '_';
      continue;
    }
    out += SEPARATORS.has(c) ? '_' : lowered;
  }
  return out;
}
