/**
 * The quickstart's synthetic customers: four numeric features, a customer group (the sensitive attribute,
 * independent of the features) and a churn label drawn from a fixed logistic function of the features. A
 * `shift` moves the feature distributions (heavier usage, lower income) but not the labelling function: the
 * covariate shift a deployed model meets when its market changes, which drift detection must notice.
 */
import { mulberry32 } from "../seededRandom.js";

export const FEATURE_COLUMNS = ["age", "income", "tenure", "usage"] as const;

export interface Customer {
  customer_id: number;
  age: number;
  income: number;
  tenure: number;
  usage: number;
  group: "a" | "b";
  churn: 0 | 1;
}

export interface CustomerShift {
  /** Added to the mean of `usage` (hours a month; 20 before the shift). */
  usage: number;
  /** Added to the mean of `income` (thousands; 55 before the shift). */
  income: number;
}

export const NO_SHIFT: CustomerShift = { usage: 0, income: 0 };
/**
 * Heavy users with lower incomes: both drift (usage by 3.3 standard deviations, income by 0.7), and the shifted
 * customers sit mostly away from the churn boundary, so the retrained model and the one it replaces agree on
 * ~99 % of them; a shift onto the boundary would make the canary's agreement check a coin toss.
 */
export const MARKET_SHIFT: CustomerShift = { usage: 20, income: -10 };

/** A seeded generator of customers; ids continue from `firstId`. */
export class CustomerGenerator {
  private readonly uniform: () => number;
  private nextId: number;

  constructor(seed: number, firstId = 1) {
    this.uniform = mulberry32(seed);
    this.nextId = firstId;
  }

  private normal(): number {
    const u = Math.max(this.uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  next(shift: CustomerShift = NO_SHIFT): Customer {
    const age = Math.round(18 + this.uniform() * 62);
    const income = Math.max(5, 55 + shift.income + 15 * this.normal());
    const tenure = Math.round(this.uniform() * 72);
    const usage = Math.max(0, 20 + shift.usage + 6 * this.normal());
    const logit = 3 * ((usage - 20) / 6 - (tenure - 36) / 20 + 0.5 * ((income - 55) / 15) - 0.2);
    const churn = this.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    return {
      customer_id: this.nextId++,
      age,
      income: Number(income.toFixed(2)),
      tenure,
      usage: Number(usage.toFixed(2)),
      group: this.uniform() < 0.5 ? "a" : "b",
      churn,
    };
  }

  many(count: number, shift: CustomerShift = NO_SHIFT): Customer[] {
    return Array.from({ length: count }, () => this.next(shift));
  }
}

const CSV_COLUMNS = ["customer_id", "age", "income", "tenure", "usage", "group", "churn"] as const;

export function customersCsv(customers: readonly Customer[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const c of customers) lines.push(CSV_COLUMNS.map((name) => c[name]).join(","));
  return `${lines.join("\n")}\n`;
}
