/**
 * A cursor over C source text for the fast path's lexical scan: it skips
 * white space, comments, line continuations and literals, and finds the end
 * of preprocessor directives and balanced groups.
 */

export function isIdentifierPart(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x24
  );
}

/** A cursor over the text that skips what cannot hold a token of interest. */
export class Scanner {
  index = 0;

  constructor(readonly text: string) {}

  /** Skips white space and comments; returns false at the end of the text. */
  skipTrivia(): boolean {
    const text = this.text;
    while (this.index < text.length) {
      const code = text.charCodeAt(this.index);
      if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c) {
        this.index++;
      } else if (code === 0x5c && (text[this.index + 1] === "\n" || text.startsWith("\r\n", this.index + 1))) {
        this.index += text[this.index + 1] === "\n" ? 2 : 3;
      } else if (code === 0x2f && text.charCodeAt(this.index + 1) === 0x2a) {
        const end = text.indexOf("*/", this.index + 2);
        this.index = end === -1 ? text.length : end + 2;
      } else if (code === 0x2f && text.charCodeAt(this.index + 1) === 0x2f) {
        this.index = this.lineEnd(this.index);
      } else {
        return true;
      }
    }
    return false;
  }

  /** Returns the offset of the newline that ends the logical line at `index`, after backslash continuations. */
  lineEnd(index: number): number {
    const text = this.text;
    let end = text.indexOf("\n", index);
    while (end !== -1) {
      const before = text[end - 1] === "\r" ? end - 2 : end - 1;
      if (text[before] !== "\\") return end;
      end = text.indexOf("\n", end + 1);
    }
    return text.length;
  }

  /** Returns the end of a preprocessor directive starting at `index`, where block comments may span lines. */
  directiveEnd(index: number): number {
    const text = this.text;
    let cursor = index;
    for (;;) {
      const end = this.lineEnd(cursor);
      const comment = text.indexOf("/*", cursor);
      if (comment === -1 || comment >= end) return end;
      const lineComment = text.indexOf("//", cursor);
      if (lineComment !== -1 && lineComment < comment) return end;
      const close = text.indexOf("*/", comment + 2);
      if (close === -1) return text.length;
      cursor = close + 2;
    }
  }

  /** Returns whether the character at `index` is the first non-blank one on its line. */
  startsLine(index: number): boolean {
    for (let cursor = index - 1; cursor >= 0; cursor--) {
      const code = this.text.charCodeAt(cursor);
      if (code === 0x0a) return true;
      if (code !== 0x20 && code !== 0x09 && code !== 0x0d && code !== 0x0b && code !== 0x0c) return false;
    }
    return true;
  }

  readIdentifier(): string {
    const start = this.index;
    return this.text.slice(start, this.skipIdentifier());
  }

  /** Moves past the identifier at the cursor and returns its end. */
  skipIdentifier(): number {
    const text = this.text;
    while (this.index < text.length && isIdentifierPart(text.charCodeAt(this.index))) this.index++;
    return this.index;
  }

  /** Skips a string or character literal starting at the current quote. */
  skipQuoted(): void {
    const text = this.text;
    const quote = text.charCodeAt(this.index);
    this.index++;
    while (this.index < text.length) {
      const code = text.charCodeAt(this.index);
      this.index += code === 0x5c ? 2 : 1;
      if (code === quote || code === 0x0a) return;
    }
  }

  /** Skips a balanced group that opens at the current character; returns false if it never closes. */
  skipBalanced(open: number, close: number): boolean {
    let depth = 0;
    while (this.skipTrivia()) {
      const code = this.text.charCodeAt(this.index);
      if (code === 0x22 || code === 0x27) {
        this.skipQuoted();
        continue;
      }
      if (code === 0x23 && this.startsLine(this.index)) {
        this.index = this.directiveEnd(this.index);
        continue;
      }
      this.index++;
      if (code === open) depth++;
      if (code === close && --depth === 0) return true;
    }
    return false;
  }
}

/** Returns the end of the preprocessor directive that starts at `index`, after continuations and block comments. */
export function directiveEnd(text: string, index: number): number {
  return new Scanner(text).directiveEnd(index);
}
