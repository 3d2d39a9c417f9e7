/** One versioned schema change (append only: never edit or renumber one that has run). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
