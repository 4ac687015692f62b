// `--name N` from the command line (`npm run bench:x -- --name N`), else the fallback. A value that
// is not a number, or is below `min`, falls back too.
export function arg(name: string, fallback: number, min = Number.MIN_VALUE): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v >= min ? v : fallback;
}
