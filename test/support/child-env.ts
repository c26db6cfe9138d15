/**
 * The environment of a child process that must not inherit this one's settings: PATH and `vars`, and
 * NODE_V8_COVERAGE when coverage is being measured (`npm run coverage`), so the child's coverage counts too.
 */
export function isolatedEnv(vars: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const coverage = process.env.NODE_V8_COVERAGE;
  return { PATH: process.env.PATH ?? '', ...(coverage === undefined ? {} : { NODE_V8_COVERAGE: coverage }), ...vars };
}
