// The k best people from row scores: a person's score is their best row's; ties go to the label first in compareLabels order.
import { compareLabels } from '../recognizer/labels.js';
import type { Candidate } from '../recognizer/result.js';

/** Up to this k, a running list of the k best skips nearly every row with one comparison; beyond, one sort. */
export const RUNNING_MAX_K = 64;

/** Collects row scores chunk by chunk and answers the k best people. */
export interface PeopleRanking {
  /** Takes `scores[at + r]` as the score of row `first + r`, whose person is `rowIds[first + r]`, for `r < count`. */
  scan(scores: Float32Array, at: number, count: number, rowIds: Int32Array, first: number): void;
  /** The k best people, best first (score descending, then label order); NaN scores make this throw via the caller's check. */
  result(): Candidate[];
}

/**
 * A ranking of `k` people over the ids of `names` (an id's label is `names[id]`), leaving out people whose best
 * score is below `minScore`.
 */
export function rankPeople(k: number, names: readonly string[], minScore = -Infinity): PeopleRanking {
  return k <= RUNNING_MAX_K ? new RunningTop(k, names, minScore) : new BestOfEach(k, names, minScore);
}

/** Whether (score `s`, label `a`) ranks before (score `t`, label `b`). */
function ranksBefore(s: number, a: string, t: number, b: string): boolean {
  return s > t || (s === t && compareLabels(a, b) < 0);
}

/**
 * The k best people seen so far, best first. A row scoring below the k-th best (once there are k) cannot change
 * the answer: if its person is listed, their best is already higher; if not, their best over every row seen is
 * at most this score (a row of theirs that once ranked was pushed out by k better ones, and the k-th best only
 * rises). So most rows cost one comparison. NaN scores are kept (NaN < x is false) and end up in the result,
 * where the caller's finiteness check refuses them.
 */
export class RunningTop implements PeopleRanking {
  private readonly ids: number[] = [];
  private readonly scores: number[] = [];
  private floor: number;

  constructor(private readonly k: number, private readonly names: readonly string[], private readonly minScore: number) {
    this.floor = minScore;
  }

  scan(scores: Float32Array, at: number, count: number, rowIds: Int32Array, first: number): void {
    for (let r = 0; r < count; r++) {
      const s = scores[at + r]!;
      if (s < this.floor) continue;
      this.offer(rowIds[first + r]!, s);
    }
  }

  result(): Candidate[] {
    return this.ids.map((id, i) => ({ label: this.names[id]!, score: this.scores[i]! }));
  }

  /** A score below this can no longer enter: the k-th best once there are k people, else `minScore`. */
  get threshold(): number {
    return this.floor;
  }

  /** Takes `s` as a score of person `id`. */
  offer(id: number, s: number): void {
    if (Number.isNaN(s)) {
      // Listed first so the caller's check sees it; it does not take part in the ranking.
      this.ids.unshift(id);
      this.scores.unshift(s);
      this.floor = Infinity;
      return;
    }
    const listed = this.ids.indexOf(id);
    if (listed >= 0) {
      if (!(s > this.scores[listed]!)) return;
      this.ids.splice(listed, 1);
      this.scores.splice(listed, 1);
    }
    const label = this.names[id]!;
    let at = this.ids.length;
    while (at > 0 && ranksBefore(s, label, this.scores[at - 1]!, this.names[this.ids[at - 1]!]!)) at--;
    if (at >= this.k) return;
    this.ids.splice(at, 0, id);
    this.scores.splice(at, 0, s);
    if (this.ids.length > this.k) {
      this.ids.pop();
      this.scores.pop();
    }
    if (this.ids.length === this.k) this.floor = Math.max(this.minScore, this.scores[this.k - 1]!);
  }
}

/** For large k: every person's best score, then one sort. */
class BestOfEach implements PeopleRanking {
  private readonly best: Float64Array;
  private nan = -1;

  constructor(private readonly k: number, private readonly names: readonly string[], private readonly minScore: number) {
    this.best = new Float64Array(names.length).fill(-Infinity);
  }

  scan(scores: Float32Array, at: number, count: number, rowIds: Int32Array, first: number): void {
    const best = this.best;
    for (let r = 0; r < count; r++) {
      const s = scores[at + r]!;
      const id = rowIds[first + r]!;
      if (s > best[id]!) best[id] = s;
      else if (Number.isNaN(s)) this.nan = id;
    }
  }

  result(): Candidate[] {
    if (this.nan >= 0) return [{ label: this.names[this.nan]!, score: Number.NaN }];
    const found: Candidate[] = [];
    this.best.forEach((score, id) => {
      if (score !== -Infinity && score >= this.minScore) found.push({ label: this.names[id]!, score });
    });
    found.sort((a, b) => (ranksBefore(a.score, a.label, b.score, b.label) ? -1 : ranksBefore(b.score, b.label, a.score, a.label) ? 1 : 0));
    return found.slice(0, this.k);
  }
}
