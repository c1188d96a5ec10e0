/** Facts every generated file states about where it came from. */

/** Licence of include/uapi/linux/bpf.h, which the generated facts come from. */
export const INPUT_LICENCE = "GPL-2.0 WITH Linux-syscall-note";

/** The command that regenerates a version's files from its pinned header. */
export function regenerateCommand(kernel: string): string {
  return `npm run generate -- --kernel ${kernel}`;
}
