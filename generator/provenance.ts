/** Facts every generated file states about where it came from. */

/** Licence of include/uapi/linux/bpf.h, which the generated facts come from. */
export const INPUT_LICENCE = "GPL-2.0 WITH Linux-syscall-note";

/**
 * Returns the base name of an input header for generated headers (`bpf.h`, or
 * `vmlinux.h` for a BTF dump), so no machine's path ends up in a file. A name
 * with characters other than letters, digits, `.`, `_` and `-` is not printed.
 */
export function inputName(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const safe = name !== "" && [...name].every((char) => /^[A-Za-z0-9._-]$/.test(char));
  return safe ? name : "the input header";
}

/** Returns the command that regenerates a version's files from its pinned header. */
export function regenerateCommand(kernel: string): string {
  return `npm run generate -- --kernel ${kernel}`;
}
