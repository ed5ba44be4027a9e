export interface FieldIssue {
  field: string;
  message: string;
}

/** Input a person can fix: carries one message per field, shown next to that field or printed by the CLI. */
export class InputError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.name = 'InputError';
  }
}
