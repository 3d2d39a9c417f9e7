/**
 * The port's asynchronous face over the adapter's synchronous repositories: each method named is
 * called as it is and its result (or its exception) handed back as a promise.
 */
type Method = (...args: never[]) => unknown;

export type Promised<T, K extends keyof T> = {
  [P in K]: T[P] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export function promised<T extends object, K extends keyof T>(target: T, names: readonly K[]): Promised<T, K> {
  const face: Partial<Record<K, unknown>> = {};
  for (const name of names) {
    const method = target[name] as unknown as Method;
    face[name] = (...args: never[]): Promise<unknown> => {
      try {
        return Promise.resolve(method.apply(target, args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  return face as Promised<T, K>;
}
