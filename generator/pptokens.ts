/**
 * A lexer for C preprocessing tokens, used on macro bodies and on the text of
 * initializers and `#if` conditions before macro expansion. Parsing stays with
 * tree-sitter: this only splits text into tokens, as translation phase 3 does.
 */

export type PpTokenKind = "identifier" | "number" | "char" | "string" | "punctuator" | "other";

export interface PpToken {
  readonly kind: PpTokenKind;
  readonly text: string;
  /** Offset of the token's first character in the lexed text. */
  readonly offset: number;
}

/** Punctuators of C, longest first so that the first match is the longest. */
const PUNCTUATORS = [
  "%:%:", "...", "<<=", ">>=",
  "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=", "-=",
  "&=", "^=", "|=", "##", "<:", ":>", "<%", "%>", "%:",
  "[", "]", "(", ")", "{", "}", ".", "&", "*", "+", "-", "~", "!", "/", "%", "<", ">", "^", "|",
  "?", ":", ";", "=", ",", "#",
];

function isIdentifierStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x24;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || isDigit(code);
}

/** Removes backslash-newline pairs, as translation phase 2 does. */
export function spliceLines(text: string): string {
  return text.replaceAll("\\\r\n", "").replaceAll("\\\n", "");
}

/** Punctuators by first character, longest first, so a lookup costs one map access. */
const PUNCTUATORS_BY_FIRST = new Map<string, string[]>();
for (const punctuator of PUNCTUATORS) {
  const first = punctuator.charAt(0);
  PUNCTUATORS_BY_FIRST.set(first, [...(PUNCTUATORS_BY_FIRST.get(first) ?? []), punctuator]);
}

/** Splits text into preprocessing tokens, skipping white space and comments. */
export function lexPpTokens(text: string): PpToken[] {
  const tokens: PpToken[] = [];
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c) {
      index++;
      continue;
    }
    if (code === 0x2f && text.charCodeAt(index + 1) === 0x2a) {
      const end = text.indexOf("*/", index + 2);
      index = end === -1 ? text.length : end + 2;
      continue;
    }
    if (code === 0x2f && text.charCodeAt(index + 1) === 0x2f) {
      const end = text.indexOf("\n", index);
      index = end === -1 ? text.length : end;
      continue;
    }
    const token = readToken(text, index, code);
    tokens.push(token);
    index += token.text.length;
  }
  return tokens;
}

/** Reads the token that starts at `index` with character code `code`. */
function readToken(text: string, index: number, code: number): PpToken {
  if (isIdentifierStart(code)) {
    const quote = quoteAfterPrefix(text, index, code);
    if (quote !== -1) {
      const kind = text.charCodeAt(quote) === 0x27 ? "char" : "string";
      return { kind, text: text.slice(index, quotedEnd(text, quote)), offset: index };
    }
    let end = index + 1;
    while (end < text.length && isIdentifierPart(text.charCodeAt(end))) end++;
    return { kind: "identifier", text: text.slice(index, end), offset: index };
  }
  if (isDigit(code) || (code === 0x2e && isDigit(text.charCodeAt(index + 1)))) {
    return { kind: "number", text: text.slice(index, ppNumberEnd(text, index)), offset: index };
  }
  if (code === 0x27 || code === 0x22) {
    return { kind: code === 0x27 ? "char" : "string", text: text.slice(index, quotedEnd(text, index)), offset: index };
  }
  const candidates = PUNCTUATORS_BY_FIRST.get(text.charAt(index));
  const punctuator = candidates?.find((candidate) => text.startsWith(candidate, index));
  if (punctuator !== undefined) return { kind: "punctuator", text: punctuator, offset: index };
  return { kind: "other", text: text.charAt(index), offset: index };
}

/** Returns the offset of the quote after an encoding prefix (L, u, U, u8), or -1. */
function quoteAfterPrefix(text: string, index: number, code: number): number {
  if (code !== 0x4c && code !== 0x75 && code !== 0x55) return -1;
  for (const prefix of ["u8", "L", "u", "U"]) {
    if (!text.startsWith(prefix, index)) continue;
    const quote = text.charCodeAt(index + prefix.length);
    if (quote === 0x27 || quote === 0x22) return index + prefix.length;
  }
  return -1;
}

/** Returns the end of a pp-number: a digit, then digits, letters, `_`, `.`, and signs after e, E, p or P. */
function ppNumberEnd(text: string, index: number): number {
  let end = index + 1;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const previous = text.charCodeAt(end - 1) | 0x20;
    if ((code === 0x2b || code === 0x2d) && (previous === 0x65 || previous === 0x70)) {
      end++;
    } else if (isIdentifierPart(code) || code === 0x2e) {
      end++;
    } else {
      break;
    }
  }
  return end;
}

/** Returns the end of a character or string literal that starts with the quote at `index`. */
function quotedEnd(text: string, index: number): number {
  const quote = text.charCodeAt(index);
  let end = index + 1;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code === 0x5c) {
      end += 2;
      continue;
    }
    end++;
    if (code === quote || code === 0x0a) break;
  }
  return Math.min(end, text.length);
}
