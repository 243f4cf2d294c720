/**
 * The STS input constraints that the .min models leave out (lengths, patterns, list sizes),
 * checked the way AWS checks them: every violation is collected and reported in one
 * ValidationError ("2 validation errors detected: Value 'x' at 'roleSessionName' ...").
 */
import { AwsError } from '../../core/errors.js';
import { validationMessage, type Violation } from '../../protocol/validate.js';

interface Rule {
  min?: number;
  max?: number;
  /** Java-style pattern as the model writes it; the whole value must match. */
  pattern?: string;
}

/** From the STS service model (botocore's service-2.json). */
export const RULES = {
  arn: { min: 20, max: 2048 },
  roleSessionName: { min: 2, max: 64, pattern: '[\\w+=,.@-]*' },
  federationName: { min: 2, max: 32, pattern: '[\\w+=,.@-]*' },
  policy: { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  externalId: { min: 2, max: 1224, pattern: '[\\w+=,.@:\\/-]*' },
  serialNumber: { min: 9, max: 256, pattern: '[\\w+=/:,.@-]*' },
  tokenCode: { min: 6, max: 6, pattern: '[\\d]*' },
  sourceIdentity: { min: 2, max: 64, pattern: '[\\w+=,.@-]*' },
  tagKey: { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  tagValue: { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' },
  webIdentityToken: { min: 4, max: 20000 },
  providerId: { min: 4, max: 2048 },
  encodedMessage: { min: 1, max: 10240 },
} satisfies Record<string, Rule>;

const JS_PATTERNS: Record<string, RegExp> = {
  '[\\w+=,.@-]*': /^[\w+=,.@-]*$/,
  '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+': /^[\u0009\u000A\u000D\u0020-\u00FF]+$/,
  '[\\w+=,.@:\\/-]*': /^[\w+=,.@:/-]*$/,
  '[\\w+=/:,.@-]*': /^[\w+=/:,.@-]*$/,
  '[\\d]*': /^\d*$/,
  '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+': /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u,
  '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*': /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
};

/** Collects violations; `done()` throws one ValidationError naming all of them. */
export class Checker {
  readonly violations: Violation[] = [];

  string(path: string, value: string | undefined, rule: Rule): this {
    if (value === undefined) return this;
    const len = [...value].length;
    const add = (constraint: string) => this.violations.push({ path, member: path, value, constraint });
    if (rule.min !== undefined && len < rule.min) add(`Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && len > rule.max) add(`Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !JS_PATTERNS[rule.pattern]!.test(value)) add(`Member must satisfy regular expression pattern: ${rule.pattern}`);
    return this;
  }

  integer(path: string, value: number | undefined, min: number, max: number): this {
    if (value === undefined) return this;
    if (value < min) this.violations.push({ path, member: path, value, constraint: `Member must have value greater than or equal to ${min}` });
    if (value > max) this.violations.push({ path, member: path, value, constraint: `Member must have value less than or equal to ${max}` });
    return this;
  }

  listSize(path: string, value: unknown[] | undefined, max: number): this {
    if (value && value.length > max) {
      this.violations.push({ path, member: path, value, constraint: `Member must have length less than or equal to ${max}` });
    }
    return this;
  }

  tags(tags: Array<{ Key?: string; Value?: string }> | undefined, transitive: string[] | undefined): this {
    this.listSize('tags', tags, 50);
    tags?.forEach((t, i) => {
      this.string(`tags.${i + 1}.member.key`, t.Key, RULES.tagKey);
      this.string(`tags.${i + 1}.member.value`, t.Value, RULES.tagValue);
    });
    this.listSize('transitiveTagKeys', transitive, 50);
    transitive?.forEach((k, i) => this.string(`transitiveTagKeys.${i + 1}.member`, k, RULES.tagKey));
    return this;
  }

  policyArns(arns: Array<{ arn?: string }> | undefined): this {
    arns?.forEach((p, i) => this.string(`policyArns.${i + 1}.member.arn`, p.arn, RULES.arn));
    return this;
  }

  done(): void {
    if (this.violations.length) throw new AwsError('ValidationError', validationMessage(this.violations));
  }
}
