export const RUNTIME = Symbol('NodeRuntime');
