import { describe, expect, it } from "vitest";
import { FeedbackLedger, normaliseLabel } from "./feedbackLedger.js";

const T0 = 1_700_000_000_000;

describe("FeedbackLedger", () => {
  it("matches a label with the prediction made for the same request", () => {
    const ledger = new FeedbackLedger();
    ledger.recordPrediction("r1", "churn", "models:/churn/2", 1, T0);
    ledger.recordPrediction("r2", "churn", "models:/churn/2", 0, T0);
    expect(ledger.recordFeedback("r1", 1, T0 + 5)).toEqual({
      endpoint: "churn",
      model: "models:/churn/2",
      prediction: 1,
      correct: true,
    });
    expect(ledger.recordFeedback("r2", 1, T0 + 6)?.correct).toBe(false);
    expect(ledger.window("churn", "models:/churn/2", T0, T0 + 10)).toEqual({ labelled: 2, correct: 1 });
  });

  it("treats true, 'true', 1, '1' and '1.0' as the same class", () => {
    const ledger = new FeedbackLedger();
    const labels: (number | string | boolean)[] = [true, "true", 1, "1", "1.0", " TRUE "];
    labels.forEach((label, i) => {
      ledger.recordPrediction(`r${i}`, "e", "m", i % 2 === 0 ? 1 : "1", T0);
      expect(ledger.recordFeedback(`r${i}`, label, T0)?.correct).toBe(true);
    });
    expect(normaliseLabel(false)).toBe(0);
    expect(normaliseLabel("0.0")).toBe(0);
    expect(normaliseLabel(" cat ")).toBe("cat");
    expect(normaliseLabel("")).toBe("");
  });

  it("answers undefined for an unknown request and counts only the first label of a request", () => {
    const ledger = new FeedbackLedger();
    expect(ledger.recordFeedback("nobody", 1, T0)).toBeUndefined();
    ledger.recordPrediction("r", "e", "m", "cat", T0);
    expect(ledger.recordFeedback("r", "cat", T0)?.correct).toBe(true);
    expect(ledger.recordFeedback("r", "dog", T0)).toBeUndefined();
    expect(ledger.window("e", "m", T0, T0)).toEqual({ labelled: 1, correct: 1 });
  });

  it("forgets the oldest predictions beyond its capacity", () => {
    const ledger = new FeedbackLedger({ capacity: 3 });
    for (let i = 0; i < 5; i++) ledger.recordPrediction(`r${i}`, "e", "m", 1, T0 + i);
    expect(ledger.recordFeedback("r0", 1, T0)).toBeUndefined();
    expect(ledger.recordFeedback("r1", 1, T0)).toBeUndefined();
    expect(ledger.recordFeedback("r2", 1, T0)?.correct).toBe(true);
  });

  it("counts outcomes by feedback time, including feedback that arrives out of order", () => {
    const ledger = new FeedbackLedger();
    const times = [T0 + 10, T0 + 30, T0 + 20, T0 + 40];
    const labels = [1, 0, 1, 1];
    times.forEach((at, i) => {
      ledger.recordPrediction(`r${i}`, "e", "m", 1, T0);
      ledger.recordFeedback(`r${i}`, labels[i] as number, at);
    });
    expect(ledger.window("e", "m", T0 + 15, T0 + 35)).toEqual({ labelled: 2, correct: 1 });
    expect(ledger.window("e", "m", T0 + 20, T0 + 40)).toEqual({ labelled: 3, correct: 2 });
    expect(ledger.window("e", "m", T0, T0 + 100)).toEqual({ labelled: 4, correct: 3 });
    expect(ledger.window("e", "other", T0, T0 + 100)).toEqual({ labelled: 0, correct: 0 });
  });

  it("keeps window counts right after trimming old outcomes", () => {
    const ledger = new FeedbackLedger({ capacity: 10 });
    for (let i = 0; i < 25; i++) {
      ledger.recordPrediction(`r${i}`, "e", "m", 1, T0);
      ledger.recordFeedback(`r${i}`, i % 3 === 0 ? 1 : 0, T0 + i);
    }
    // Outcomes 20..24: labels 0, 1, 0, 0, 1.
    expect(ledger.window("e", "m", T0 + 20, T0 + 24)).toEqual({ labelled: 5, correct: 2 });
  });
});
