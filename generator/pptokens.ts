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
    if (text.startsWith("/*", index)) {
      const end = text.indexOf("*/", index + 2);
      index = end === -1 ? text.length : end + 2;
      continue;
    }
    if (text.startsWith("//", index)) {
      const end = text.indexOf("\n", index);
      index = end === -1 ? text.length : end;
      continue;
    }
    const end = tokenEnd(text, index, code);
    tokens.push({ kind: tokenKind(text, index, code), text: text.slice(index, end.offset), offset: index });
    index = end.offset;
  }
  return tokens;
}

function tokenKind(text: string, index: number, code: number): PpTokenKind {
  if (isIdentifierStart(code)) {
    const quote = quoteAfterPrefix(text, index);
    if (quote !== -1) return text.charCodeAt(quote) === 0x27 ? "char" : "string";
    return "identifier";
  }
  if (isDigit(code) || (code === 0x2e && isDigit(text.charCodeAt(index + 1)))) return "number";
  if (code === 0x27) return "char";
  if (code === 0x22) return "string";
  return PUNCTUATORS.some((punctuator) => text.startsWith(punctuator, index)) ? "punctuator" : "other";
}

/** Returns the offset of the quote after an encoding prefix (L, u, U, u8), or -1. */
function quoteAfterPrefix(text: string, index: number): number {
  for (const prefix of ["u8", "L", "u", "U"]) {
    if (!text.startsWith(prefix, index)) continue;
    const quote = text.charCodeAt(index + prefix.length);
    if (quote === 0x27 || quote === 0x22) return index + prefix.length;
  }
  return -1;
}

function tokenEnd(text: string, index: number, code: number): { offset: number } {
  if (isIdentifierStart(code)) {
    const quote = quoteAfterPrefix(text, index);
    if (quote !== -1) return { offset: quotedEnd(text, quote) };
    let end = index + 1;
    while (end < text.length && isIdentifierPart(text.charCodeAt(end))) end++;
    return { offset: end };
  }
  if (isDigit(code) || (code === 0x2e && isDigit(text.charCodeAt(index + 1)))) {
    return { offset: ppNumberEnd(text, index) };
  }
  if (code === 0x27 || code === 0x22) return { offset: quotedEnd(text, index) };
  const punctuator = PUNCTUATORS.find((candidate) => text.startsWith(candidate, index));
  return { offset: index + (punctuator?.length ?? 1) };
}

/** A pp-number: a digit, then digits, letters, `_`, `.`, and signs after e, E, p or P. */
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

/** The end of a character or string literal that starts with the quote at `index`. */
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
