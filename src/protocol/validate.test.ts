import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AwsError } from '../core/errors.js';
import { ServiceModel, loadModel } from './models.js';
import { assertValid, findViolations, invalidParameterMessage, renderValue, validationMessage, VALUE_CAP, type ValidationStyle } from './validate.js';
import { VALIDATION_STYLES } from '../services/registry.js';

const model = new ServiceModel({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 'demo', protocol: 'query', serviceId: 'Demo' },
  operations: { Op: { name: 'Op', input: { shape: 'In' } } },
  shapes: {
    In: {
      type: 'structure', required: ['Name'],
      members: {
        Name: { shape: 'Name' }, Kind: { shape: 'Kind' }, Count: { shape: 'Count' }, Names: { shape: 'NameList' },
        Tags: { shape: 'TagList' }, Attrs: { shape: 'AttrMap' }, Secret: { shape: 'Secret' }, Blob: { shape: 'Blob' },
      },
    },
    Name: { type: 'string', min: 2, max: 8, pattern: '[a-z]+' },
    Kind: { type: 'string', enum: ['small', 'large'] },
    Count: { type: 'integer', min: 1, max: 1000 },
    NameList: { type: 'list', member: { shape: 'Name' }, max: 3 },
    TagList: { type: 'list', member: { shape: 'Tag' } },
    Tag: { type: 'structure', required: ['Key'], members: { Key: { shape: 'Name' }, Value: { shape: 'Kind' } } },
    AttrMap: { type: 'map', key: { shape: 'Name' }, value: { shape: 'Count' } },
    Secret: { type: 'string', max: 4, sensitive: true },
    Blob: { type: 'blob', min: 1 },
  },
});
const input = model.operation('Op')!.input!;
const message = (value: Record<string, unknown>) => validationMessage(findViolations(model, input, value));

describe('model constraint validation (AWS validation-layer wording)', () => {
  it('one error: the exact sentence', () => {
    assert.equal(message({ Name: 'abcdefghi' }),
      "1 validation error detected: Value 'abcdefghi' at 'name' failed to satisfy constraint: Member must have length less than or equal to 8");
    assert.equal(message({}), "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  });

  it('several errors: counted, in model member order, joined by "; "', () => {
    assert.equal(message({ Name: 'A', Count: 0 }),
      "3 validation errors detected: Value 'A' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
      "Value 'A' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
      "Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it('enum, pattern, numbers and blobs', () => {
    assert.match(message({ Name: 'ok', Kind: 'medium' }), /Value 'medium' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: \[small, large\]$/);
    assert.match(message({ Name: 'ok!' }), /Member must satisfy regular expression pattern: \[a-z\]\+$/);
    assert.match(message({ Name: 'ok', Count: 1001 }), /Value '1001' at 'count' failed to satisfy constraint: Member must have value less than or equal to 1000$/);
    assert.match(message({ Name: 'ok', Blob: Buffer.alloc(0) }),
      /Value 'java\.nio\.HeapByteBuffer\[pos=0 lim=0 cap=0\]' at 'blob' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
    assert.deepEqual(findViolations(model, input, { Name: 'ok', Kind: 'small', Count: 1000 }), []);
  });

  it('lists: their own length, and one error naming all member constraints when an item breaks one', () => {
    assert.match(message({ Name: 'ok', Names: ['ab', 'cd', 'ef', 'gh'] }),
      /^1 validation error detected: Value '\[ab, cd, ef, gh\]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 3$/);
    assert.equal(message({ Name: 'ok', Names: ['ab', 'X'] }),
      "1 validation error detected: Value '[ab, X]' at 'names' failed to satisfy constraint: Member must satisfy constraint: " +
      '[Member must have length less than or equal to 8, Member must have length greater than or equal to 2, Member must satisfy regular expression pattern: [a-z]+]');
  });

  it('lists of structures: member paths as AWS prints them (tags.2.member.key)', () => {
    assert.equal(message({ Name: 'ok', Tags: [{ Key: 'ab' }, { Value: 'small' }, { Key: 'ab', Value: 'huge' }] }),
      "2 validation errors detected: Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null; " +
      "Value 'huge' at 'tags.3.member.value' failed to satisfy constraint: Member must satisfy enum value set: [small, large]");
  });

  it('maps: keys and values each reported once with all their constraints', () => {
    assert.equal(message({ Name: 'ok', Attrs: { ab: 1, X: 0 } }),
      "2 validation errors detected: Value '{ab=1, X=0}' at 'attrs' failed to satisfy constraint: Map keys must satisfy constraint: " +
      '[Member must have length less than or equal to 8, Member must have length greater than or equal to 2, Member must satisfy regular expression pattern: [a-z]+]; ' +
      "Value '{ab=1, X=0}' at 'attrs' failed to satisfy constraint: Map value must satisfy constraint: " +
      '[Member must have value less than or equal to 1000, Member must have value greater than or equal to 1]');
  });

  it('a sensitive value is never echoed', () => {
    assert.equal(message({ Name: 'ok', Secret: 'hunter22' }),
      "1 validation error detected: Value at 'secret' failed to satisfy constraint: Member must have length less than or equal to 4");
  });

  it('values render as values and are cut short: never [object Object], never megabytes', () => {
    assert.equal(renderValue([{ Key: 'a', Value: 'b' }, { Key: 'c' }]), '[{Key=a, Value=b}, {Key=c}]');
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ Key: `k${i}`, Value: 'v'.repeat(50) }));
    const shown = renderValue(huge);
    assert.ok(shown.length <= VALUE_CAP + 3, `${shown.length}`);
    assert.ok(shown.endsWith('...'));
    assert.doesNotMatch(shown, /object Object/);
    assert.equal(renderValue('x'.repeat(1000)), `${'x'.repeat(VALUE_CAP)}...`);
    const many = findViolations(model, input, { Name: 'ok', Tags: Array.from({ length: 500 }, () => ({})) });
    const text = validationMessage(many);
    assert.match(text, /^500 validation errors detected: /);
    assert.match(text, /; and 450 more$/);
    assert.ok(text.length < 20_000);
  });

  it('required-only mode (EC2, S3, SNS, ...) skips the value checks', () => {
    assert.deepEqual(findViolations(model, input, { Name: 'NOT valid at all', Count: -5 }, { constraints: false }), []);
    assert.equal(findViolations(model, input, { Tags: [{}] }, { constraints: false }).map((v) => v.path).join(), 'name,tags.1.member.key');
  });

  it('assertValid throws the service\'s code; EC2 names its first missing parameter', () => {
    assert.throws(() => assertValid(model, input, { Name: 'X' }, { code: 'ValidationException', constraints: true }),
      (e: AwsError) => e.code === 'ValidationException' && e.status === 400 && /^2 validation errors detected/.test(e.message));
    assert.throws(() => assertValid(model, input, {}, { code: 'MissingParameter', constraints: false }),
      (e: AwsError) => e.code === 'MissingParameter' && e.message === 'The request must contain the parameter Name');
  });

  it('IAM CreateUser with a 65-character name: the message AWS sends', () => {
    const iam = loadModel('iam-2010-05-08');
    const name = 'u'.repeat(65);
    assert.throws(() => assertValid(iam, iam.operation('CreateUser')!.input, { UserName: name }, { code: 'ValidationError', constraints: true }),
      (e: AwsError) => e.code === 'ValidationError'
        && e.message === `1 validation error detected: Value '${name}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`);
  });

  it('ECR: a hostile repository name is answered quickly (RE2, no backtracking)', () => {
    const ecr = loadModel('ecr-2015-09-21');
    const op = ecr.operation('DescribeRepositories')!.input!;
    findViolations(ecr, op, { repositoryNames: ['warm'] }); // loads RE2 and compiles the pattern
    const t = performance.now();
    const vs = findViolations(ecr, op, { repositoryNames: [`${'a'.repeat(255)}!`] });
    // A backtracking engine takes far longer than a human lifetime on this input.
    assert.ok(performance.now() - t < 250);
    assert.equal(vs.length, 1);
  });
});

describe("ECR's style: InvalidParameterException naming the first violation", () => {
  const style: ValidationStyle = { kind: 'invalid-parameter', code: 'InvalidParameterException', shownPatterns: { '[a-z]+': '[a-z]+ (shown)' } };
  const ecrMessage = (value: Record<string, unknown>) => invalidParameterMessage(findViolations(model, input, value), style);
  const frame = (at: string, constraint: string) => `Invalid parameter at '${at}' failed to satisfy constraint: '${constraint}'`;

  it('a string member: ECR\'s short wording, only the first violation, the pattern as the service prints it', () => {
    assert.equal(ecrMessage({ Name: 'A', Count: 0 }), frame('name', 'must have length greater than or equal to 2'));
    assert.equal(ecrMessage({ Name: 'abcdefghi' }), frame('name', 'must have length less than or equal to 8'));
    assert.equal(ecrMessage({ Name: 'ok!' }), frame('name', "must satisfy regular expression '[a-z]+ (shown)'"));
    assert.equal(invalidParameterMessage(findViolations(model, input, { Name: 'ok!' }), {}), frame('name', "must satisfy regular expression '[a-z]+'"));
    assert.equal(ecrMessage({ Name: 'ok', Kind: 'medium' }), frame('kind', 'must satisfy enum value set: [small, large]'));
    assert.equal(ecrMessage({}), frame('name', 'must not be null'));
    assert.equal(ecrMessage({ Name: 'ok', Tags: [{}] }), frame('tags.1.member.key', 'must not be null'));
  });

  it('numbers, blobs, list lengths and list members keep the generic wording inside the quotes', () => {
    assert.equal(ecrMessage({ Name: 'ok', Count: 1001 }), frame('count', 'Member must have value less than or equal to 1000'));
    assert.equal(ecrMessage({ Name: 'ok', Blob: Buffer.alloc(0) }), frame('blob', 'Member must have length greater than or equal to 1'));
    assert.equal(ecrMessage({ Name: 'ok', Names: ['ab', 'cd', 'ef', 'gh'] }), frame('names', 'Member must have length less than or equal to 3'));
    assert.equal(ecrMessage({ Name: 'ok', Names: ['ab', 'X'] }), frame('names',
      'Member must satisfy constraint: [Member must have length less than or equal to 8, Member must have length greater than or equal to 2, Member must satisfy regular expression pattern: [a-z]+]'));
  });

  it('assertValid throws the style\'s code (400) whatever the rules\' generic code; without a style nothing changes', () => {
    assert.throws(() => assertValid(model, input, { Name: 'X' }, { code: 'ValidationException', constraints: true, style }),
      (e: AwsError) => e.code === 'InvalidParameterException' && e.status === 400 && e.message === frame('name', 'must have length greater than or equal to 2'));
    assert.throws(() => assertValid(model, input, {}, { code: 'ValidationException', constraints: false, style }),
      (e: AwsError) => e.code === 'InvalidParameterException' && e.message === frame('name', 'must not be null'));
    assert.throws(() => assertValid(model, input, { Name: 'X' }, { code: 'ValidationException', constraints: true }),
      (e: AwsError) => e.code === 'ValidationException' && /^2 validation errors detected/.test(e.message));
  });

  it('ECR CreateRepository: the messages real ECR sends (the name rule in ECR\'s own spelling)', () => {
    const ecr = loadModel('ecr-2015-09-21');
    const op = ecr.operation('CreateRepository')!.input!;
    const rules = { code: 'ValidationException', constraints: true, style: VALIDATION_STYLES.ecr! };
    const fails = (repositoryName: string, message: string) => assert.throws(() => assertValid(ecr, op, { repositoryName }, rules),
      (e: AwsError) => e.code === 'InvalidParameterException' && e.message === message);
    fails('Team/Web', "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''");
    fails('a', "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'");
    fails('a'.repeat(257), "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length less than or equal to 256'");
    assert.throws(() => assertValid(ecr, ecr.operation('DescribeRepositories')!.input!, { maxResults: 1001 }, rules),
      (e: AwsError) => e.message === "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'");
    assert.throws(() => assertValid(ecr, ecr.operation('BatchGetImage')!.input!, { repositoryName: 'app', imageIds: [] }, rules),
      (e: AwsError) => e.message === "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'");
    assert.throws(() => assertValid(ecr, op, { repositoryName: 'ok', imageTagMutability: 'SOMETIMES' }, rules),
      (e: AwsError) => e.message === "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'");
  });
});
