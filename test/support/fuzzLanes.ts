/**
 * The send loop the HTTP fuzz tests share: generated requests go out `lanes` at a time (so the server sees
 * concurrent traffic, as in use), each answer is checked as it comes, and every failure is kept, shown so it
 * can be replayed by hand, instead of stopping at the first.
 */

export interface FuzzCase<R> {
  index: number;
  request: R;
}

export interface FuzzLanes<R, A> {
  lanes: number;
  send: (request: R) => Promise<A>;
  /** What is wrong with an answer; empty when nothing is. */
  problems: (request: R, answer: A) => string[];
  /** The request as sent, with what regenerates it. */
  shown: (index: number, request: R) => string;
  /** Called with every answer before it is checked. */
  onAnswer?: (fuzzCase: FuzzCase<R>, answer: A) => void;
}

/** Sends every case; the failures, each as the request shown and what was wrong ("no answer" on a throw). */
export async function runFuzzLanes<R, A extends { status: number }>(
  cases: readonly FuzzCase<R>[],
  options: FuzzLanes<R, A>,
): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < cases.length) {
      const fuzzCase = cases[next++] as FuzzCase<R>;
      let found: string[];
      let status = "no answer";
      try {
        const answer = await options.send(fuzzCase.request);
        status = String(answer.status);
        options.onAnswer?.(fuzzCase, answer);
        found = options.problems(fuzzCase.request, answer);
      } catch (error) {
        found = [`no answer: ${(error as Error).message}`];
      }
      if (found.length > 0) {
        failures.push(
          `${options.shown(fuzzCase.index, fuzzCase.request)}\n  -> ${status}: ${found.join("; ")}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: options.lanes }, lane));
  return failures;
}
