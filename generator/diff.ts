/**
 * A line-based unified diff for drift reports, from a longest common
 * subsequence table. Generated files are a few thousand lines at most, and
 * the table is only built for files that differ, between their first and
 * last differing lines.
 */

/** Returns a unified diff of two texts with `context` lines around each change. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  const before = splitLines(oldText);
  const after = splitLines(newText);
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const operations = lcsOperations(before.slice(start, endBefore), after.slice(start, endAfter));
  const lines: Array<{ mark: " " | "-" | "+"; text: string; oldLine: number; newLine: number }> = [];
  let oldLine = start;
  let newLine = start;
  for (let index = Math.max(0, start - context); index < start; index++) {
    lines.push({ mark: " ", text: before[index] ?? "", oldLine: index, newLine: index });
  }
  for (const operation of operations) {
    lines.push({ ...operation, oldLine, newLine });
    if (operation.mark !== "+") oldLine++;
    if (operation.mark !== "-") newLine++;
  }
  for (let index = 0; index < context && endBefore + index < before.length; index++) {
    lines.push({ mark: " ", text: before[endBefore + index] ?? "", oldLine: endBefore + index, newLine: endAfter + index });
  }
  return [`--- ${oldName}`, `+++ ${newName}`, ...hunks(lines, context)].join("\n");
}

/**
 * Splits a text into lines without their terminators. A last line with no
 * final newline carries diff's "\\ No newline at end of file" marker, so it
 * differs from the same line with a newline and prints the way diff -u does.
 */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  const last = lines.pop() ?? "";
  if (last !== "") lines.push(`${last}\n\\ No newline at end of file`);
  return lines;
}

function lcsOperations(before: readonly string[], after: readonly string[]): Array<{ mark: " " | "-" | "+"; text: string }> {
  const rows = before.length + 1;
  const columns = after.length + 1;
  const table = new Uint32Array(rows * columns);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      table[i * columns + j] =
        before[i] === after[j]
          ? (table[(i + 1) * columns + j + 1] ?? 0) + 1
          : Math.max(table[(i + 1) * columns + j] ?? 0, table[i * columns + j + 1] ?? 0);
    }
  }
  const operations: Array<{ mark: " " | "-" | "+"; text: string }> = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      operations.push({ mark: " ", text: before[i++] ?? "" });
      j++;
    } else if (i < before.length && (j === after.length || (table[(i + 1) * columns + j] ?? 0) >= (table[i * columns + j + 1] ?? 0))) {
      // On a tie the removal goes first, so a replaced line prints as - then +, as in diff -u.
      operations.push({ mark: "-", text: before[i++] ?? "" });
    } else {
      operations.push({ mark: "+", text: after[j++] ?? "" });
    }
  }
  return operations;
}

/** Groups diff lines into hunks with their `@@ -a,b +c,d @@` headers, dropping distant unchanged lines. */
function hunks(
  lines: ReadonlyArray<{ mark: " " | "-" | "+"; text: string; oldLine: number; newLine: number }>,
  context: number,
): string[] {
  const output: string[] = [];
  let index = 0;
  while (index < lines.length) {
    const firstChange = lines.findIndex((line, at) => at >= index && line.mark !== " ");
    if (firstChange === -1) break;
    const hunkStart = Math.max(index, firstChange - context);
    let hunkEnd = firstChange;
    let quiet = 0;
    for (let at = firstChange; at < lines.length && quiet <= 2 * context; at++) {
      quiet = lines[at]?.mark === " " ? quiet + 1 : 0;
      hunkEnd = at;
    }
    hunkEnd = Math.min(lines.length - 1, hunkEnd - Math.max(0, quiet - context));
    const slice = lines.slice(hunkStart, hunkEnd + 1);
    const first = slice[0];
    if (first === undefined) break;
    const oldCount = slice.filter((line) => line.mark !== "+").length;
    const newCount = slice.filter((line) => line.mark !== "-").length;
    // An empty range starts at the line before it, so an empty file is line 0.
    const oldStart = oldCount === 0 ? first.oldLine : first.oldLine + 1;
    const newStart = newCount === 0 ? first.newLine : first.newLine + 1;
    output.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const line of slice) output.push(`${line.mark}${line.text}`);
    index = hunkEnd + 1;
  }
  return output;
}
