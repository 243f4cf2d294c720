// EC2 key pairs with SDK v3 and the AWS CLI: the private keys CreateKeyPair returns load in
// ssh-keygen and OpenSSL, fingerprints match the tools' own, import formats, errors, tags.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateKeyPairCommand, CreateTagsCommand, DeleteKeyPairCommand, DescribeImagesCommand, DescribeKeyPairsCommand, DescribeTagsCommand, EC2Client,
  GetPasswordDataCommand, ImportKeyPairCommand, RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { needTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudlet-keys-'));
let n = 0;
/** Writes key material to a 0600 file (ssh-keygen refuses private keys others can read). */
const keyFile = (text: string): string => {
  const f = join(dir, `k${n++}`);
  writeFileSync(f, text, { mode: 0o600 });
  return f;
};
const run = (cmd: string, args: string[], input?: Buffer | string): string =>
  execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
/** "openssl ... | openssl sha1 -c" and the like: the digest after "= ". */
const digest = (algo: string, der: Buffer): string => run('openssl', [algo, '-c'], der).trim().replace(/^.*= /, '');
/** ssh-keygen -l's SHA256 fingerprint, which omits the base64 padding EC2 keeps. */
const sshSha256 = (file: string): string => /SHA256:(\S+)/.exec(run('ssh-keygen', ['-l', '-E', 'sha256', '-f', file]))![1]!;

after(() => rmSync(dir, { recursive: true, force: true }));

describe('EC2 key pairs with SDK v3', { skip: needTool(['ssh-keygen', 'openssl']) }, () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  const described = async (name: string) =>
    (await ec2.send(new DescribeKeyPairsCommand({ KeyNames: [name], IncludePublicKey: true }))).KeyPairs![0]!;

  test('RSA: PKCS#1 PEM once, SHA-1 of the PKCS#8 DER as the fingerprint, the public key ssh-keygen derives', async () => {
    const made = await ec2.send(new CreateKeyPairCommand({
      KeyName: 'rsa-one', TagSpecifications: [{ ResourceType: 'key-pair', Tags: [{ Key: 'team', Value: 'blue' }] }],
    }));
    assert.match(made.KeyPairId!, /^key-[0-9a-f]{17}$/);
    assert.match(made.KeyMaterial!, /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/);
    assert.deepEqual(made.Tags, [{ Key: 'team', Value: 'blue' }]);
    const pem = keyFile(`${made.KeyMaterial!}\n`);
    const der = execFileSync('openssl', ['pkcs8', '-in', pem, '-inform', 'PEM', '-outform', 'DER', '-topk8', '-nocrypt']);
    assert.equal(made.KeyFingerprint, digest('sha1', der));
    assert.match(run('openssl', ['rsa', '-in', pem, '-noout', '-text']), /Private-Key: \(2048 bit/);
    const derived = run('ssh-keygen', ['-y', '-f', pem]).trim();
    const info = await described('rsa-one');
    assert.equal(info.KeyType, 'rsa');
    assert.equal(info.KeyFingerprint, made.KeyFingerprint);
    assert.equal(info.KeyPairId, made.KeyPairId);
    assert.ok(info.CreateTime instanceof Date && Math.abs(info.CreateTime.getTime() - Date.now()) < 60_000);
    assert.equal(info.PublicKey, `${derived} rsa-one`, 'the stored public half is the private key\'s, commented with the name');
    assert.deepEqual(info.Tags, [{ Key: 'team', Value: 'blue' }]);
    const plain = (await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['rsa-one'] }))).KeyPairs![0]!;
    assert.equal(plain.PublicKey, undefined, 'only with IncludePublicKey');
    assert.equal((plain as { KeyMaterial?: string }).KeyMaterial, undefined, 'the private key is never given again');
  });

  test('ED25519: OpenSSH private key; the fingerprint is ssh-keygen\'s SHA256 with its padding', async () => {
    const made = await ec2.send(new CreateKeyPairCommand({ KeyName: 'ed-one', KeyType: 'ed25519' }));
    assert.match(made.KeyMaterial!, /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n$/);
    const file = keyFile(made.KeyMaterial!);
    const derived = run('ssh-keygen', ['-y', '-f', file]).trim();
    assert.match(derived, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ ed-one$/, 'the key file carries the name as its comment');
    assert.equal(made.KeyFingerprint, `${sshSha256(file)}=`);
    const info = await described('ed-one');
    assert.equal(info.KeyType, 'ed25519');
    assert.equal(info.PublicKey, derived);
  });

  test('PPK: PuTTY key files for RSA and ED25519 that puttygen loads (MAC checked), of the key Describe shows', { skip: needTool('puttygen') }, async () => {
    for (const KeyType of ['rsa', 'ed25519'] as const) {
      const made = await ec2.send(new CreateKeyPairCommand({ KeyName: `ppk-${KeyType}`, KeyType, KeyFormat: 'ppk' }));
      const lines = made.KeyMaterial!.split('\n');
      assert.equal(lines[0], `PuTTY-User-Key-File-2: ssh-${KeyType}`);
      assert.equal(lines[1], 'Encryption: none');
      assert.equal(lines[2], `Comment: ppk-${KeyType}`);
      const pubCount = Number(/^Public-Lines: (\d+)$/.exec(lines[3]!)![1]);
      const blob = lines.slice(4, 4 + pubCount).join('');
      assert.equal((await described(`ppk-${KeyType}`)).PublicKey, `ssh-${KeyType} ${blob} ppk-${KeyType}`);
      assert.match(made.KeyMaterial!, /\nPrivate-MAC: [0-9a-f]{40}\n$/);
      // puttygen verifies the MAC when it reads the private half, then writes it as OpenSSH.
      const out = join(dir, `ppk-${KeyType}.openssh`);
      run('puttygen', [keyFile(made.KeyMaterial!), '-O', 'private-openssh-new', '-o', out]);
      assert.equal(run('ssh-keygen', ['-y', '-f', out]).trim(), (await described(`ppk-${KeyType}`)).PublicKey);
    }
  });

  test('ImportKeyPair: OpenSSH, RFC 4716, PEM and DER public keys; MD5 of the DER SubjectPublicKeyInfo for RSA', async () => {
    const priv = keyFile('');
    rmSync(priv);
    run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '3072', '-m', 'PEM', '-N', '', '-C', 'me@laptop', '-f', priv]);
    const openssh = run('ssh-keygen', ['-y', '-f', priv]).trim();
    const spkiDer = execFileSync('ssh-keygen', ['-e', '-m', 'PKCS8', '-f', `${priv}.pub`]);
    const expected = digest('md5', execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: spkiDer }));
    const opensslPriv = digest('md5', execFileSync('openssl', ['rsa', '-in', priv, '-pubout', '-outform', 'DER'], { stdio: ['pipe', 'pipe', 'ignore'] }));
    assert.equal(expected, opensslPriv);
    const rfc4716 = run('ssh-keygen', ['-e', '-m', 'RFC4716', '-f', `${priv}.pub`]);
    const pem = spkiDer.toString();
    const der64 = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: spkiDer }).toString('base64');
    const forms: Array<[string, string]> = [['openssh', `${openssh} me@laptop\n`], ['rfc4716', rfc4716], ['pem', pem], ['der64', der64]];
    const ids = new Set<string>();
    for (const [name, text] of forms) {
      const got = await ec2.send(new ImportKeyPairCommand({ KeyName: `imp-${name}`, PublicKeyMaterial: Buffer.from(text) }));
      assert.equal(got.KeyFingerprint, expected, name);
      assert.equal(got.KeyName, `imp-${name}`);
      ids.add(got.KeyPairId!);
      const info = await described(`imp-${name}`);
      assert.equal(info.PublicKey!.split(' ').slice(0, 2).join(' '), openssh, name);
    }
    assert.equal(ids.size, 4);
    assert.equal((await described('imp-openssh')).PublicKey, `${openssh} me@laptop`, 'the OpenSSH comment is kept');

    const ed = keyFile('');
    rmSync(ed);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', ed]);
    const got = await ec2.send(new ImportKeyPairCommand({ KeyName: 'imp-ed', PublicKeyMaterial: Buffer.from(run('ssh-keygen', ['-y', '-f', ed])) }));
    assert.equal(got.KeyFingerprint, `${sshSha256(ed)}=`);
    assert.equal((await described('imp-ed')).KeyType, 'ed25519');

    const bad = async (material: string | Buffer) => rejects(ec2.send(new ImportKeyPairCommand({ KeyName: 'bad', PublicKeyMaterial: Buffer.from(material) })),
      'InvalidKey.Format', 400, /^Key is not in valid OpenSSH public key format$/);
    await bad('not a key');
    await bad('ssh-rsa AAAA');
    await bad(`ssh-dss ${openssh.split(' ')[1]}`);
    const ecdsa = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    await bad(ecdsa);
    const small = generateKeyPairSync('rsa', { modulusLength: 768 }).publicKey.export({ type: 'spki', format: 'pem' });
    await bad(small);
    await rejects(ec2.send(new ImportKeyPairCommand({ KeyName: 'imp-ed', PublicKeyMaterial: Buffer.from(openssh) })),
      'InvalidKeyPair.Duplicate', 400, /^The keypair 'imp-ed' already exists\.$/);
  });

  test('names, duplicates, unknown keys, filters, tags by ID, delete by name or ID', async () => {
    await rejects(ec2.send(new CreateKeyPairCommand({ KeyName: 'rsa-one' })), 'InvalidKeyPair.Duplicate', 400, /^The keypair 'rsa-one' already exists\.$/);
    await rejects(ec2.send(new CreateKeyPairCommand({ KeyName: 'x'.repeat(256) })), 'InvalidParameterValue', 400, /255/);
    await rejects(ec2.send(new CreateKeyPairCommand({ KeyName: 'clé' })), 'InvalidParameterValue', 400, /beyond ASCII/);
    await rejects(ec2.send(new CreateKeyPairCommand({ KeyName: ' padded' })), 'InvalidParameterValue', 400, /spaces/);
    await rejects(ec2.send(new CreateKeyPairCommand({ KeyName: 'k', KeyType: 'dsa' as 'rsa' })), 'InvalidParameterValue', 400, /keyType/);
    const long = await ec2.send(new CreateKeyPairCommand({ KeyName: `${'x'.repeat(250)} ~!@#` }));
    assert.equal(long.KeyName!.length, 255);
    await rejects(ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['rsa-one', 'nope'] })), 'InvalidKeyPair.NotFound', 400, /^The key pair 'nope' does not exist$/);
    await rejects(ec2.send(new DescribeKeyPairsCommand({ KeyPairIds: ['key-0123456789abcdef0'] })), 'InvalidKeyPair.NotFound', 400, /key-0123456789abcdef0/);

    const rsa = await described('rsa-one');
    const byId = (await ec2.send(new DescribeKeyPairsCommand({ KeyPairIds: [rsa.KeyPairId!] }))).KeyPairs!;
    assert.deepEqual(byId.map((k) => k.KeyName), ['rsa-one']);
    const f = async (Name: string, Values: string[]) =>
      (await ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name, Values }] }))).KeyPairs!.map((k) => k.KeyName).sort();
    assert.deepEqual(await f('key-type', ['ed25519']), ['ed-one', 'imp-ed', 'ppk-ed25519']);
    assert.deepEqual(await f('key-name', ['imp-*']), ['imp-der64', 'imp-ed', 'imp-openssh', 'imp-pem', 'imp-rfc4716']);
    assert.deepEqual(await f('fingerprint', [rsa.KeyFingerprint!]), ['rsa-one']);
    assert.deepEqual(await f('key-pair-id', [rsa.KeyPairId!]), ['rsa-one']);
    assert.deepEqual(await f('tag:team', ['blue']), ['rsa-one']);
    await rejects(ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'owner-id', Values: ['1'] }] })), 'InvalidParameterValue', 400, /owner-id/);

    // Tags are the key pair ID's, as on AWS.
    const ed = await described('ed-one');
    await ec2.send(new CreateTagsCommand({ Resources: [ed.KeyPairId!], Tags: [{ Key: 'team', Value: 'blue' }] }));
    assert.deepEqual(await f('tag:team', ['blue']), ['ed-one', 'rsa-one']);
    const tags = (await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['key-pair'] }] }))).Tags!;
    assert.deepEqual(tags.map((t) => t.ResourceId).sort(), [ed.KeyPairId, rsa.KeyPairId].sort());

    const del = await ec2.send(new DeleteKeyPairCommand({ KeyName: 'rsa-one' }));
    assert.equal(del.Return, true);
    assert.equal(del.KeyPairId, rsa.KeyPairId);
    assert.equal((await ec2.send(new DeleteKeyPairCommand({ KeyName: 'rsa-one' }))).Return, true, 'an unknown name is not an error');
    await ec2.send(new DeleteKeyPairCommand({ KeyPairId: ed.KeyPairId }));
    await rejects(ec2.send(new DeleteKeyPairCommand({ KeyPairId: ed.KeyPairId })), 'InvalidKeyPair.NotFound', 400);
    await rejects(ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['ed-one'] })), 'InvalidKeyPair.NotFound', 400);
    assert.deepEqual(await f('tag:team', ['blue']), []);
    assert.equal((await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['key-pair'] }] }))).Tags!.length, 0, 'tags go with the key');
    // A new key of a deleted one's name is a new key pair.
    const again = await ec2.send(new CreateKeyPairCommand({ KeyName: 'rsa-one' }));
    assert.notEqual(again.KeyPairId, rsa.KeyPairId);
    assert.notEqual(again.KeyFingerprint, rsa.KeyFingerprint);
  });

  test('GetPasswordData: a Windows instance\'s password, encrypted for its key pair; empty for Linux and keyless instances', async () => {
    const image = async (platform: 'windows' | 'linux') => (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [
      { Name: 'architecture', Values: ['x86_64'] }, ...(platform === 'windows' ? [{ Name: 'platform', Values: ['windows'] }] : [{ Name: 'name', Values: ['al2023-ami-2023*'] }]),
    ] }))).Images![0]!.ImageId!;
    const launch = async (ami: string, keyName?: string) => (await ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ...(keyName ? { KeyName: keyName } : {}),
    }))).Instances![0]!;
    const made = await ec2.send(new CreateKeyPairCommand({ KeyName: 'win' }));
    const pem = keyFile(`${made.KeyMaterial!}\n`);
    const win = await launch(await image('windows'), 'win');
    const linux = await launch(await image('linux'), 'win');
    const keyless = await launch(await image('windows'));
    assert.equal(win.Platform, 'windows');
    const got = await ec2.send(new GetPasswordDataCommand({ InstanceId: win.InstanceId }));
    assert.equal(got.InstanceId, win.InstanceId);
    assert.equal(got.Timestamp!.getTime(), win.LaunchTime!.getTime());
    const decrypt = (b64: string): string => run('openssl', ['pkeyutl', '-decrypt', '-inkey', pem, '-pkeyopt', 'rsa_padding_mode:pkcs1'], Buffer.from(b64, 'base64'));
    const password = decrypt(got.PasswordData!);
    assert.match(password, /^\S{32}$/);
    const again = await ec2.send(new GetPasswordDataCommand({ InstanceId: win.InstanceId }));
    assert.equal(decrypt(again.PasswordData!), password, 'the same password every time');
    for (const id of [linux.InstanceId!, keyless.InstanceId!]) {
      assert.equal((await ec2.send(new GetPasswordDataCommand({ InstanceId: id }))).PasswordData, '');
    }
    await rejects(ec2.send(new GetPasswordDataCommand({ InstanceId: 'i-0ffffffffffffffff' })), 'InvalidInstanceID.NotFound', 400, /i-0ffffffffffffffff/);
    await rejects(ec2.send(new GetPasswordDataCommand({ InstanceId: 'vol-1' })), 'InvalidInstanceID.Malformed', 400);
  });

  test('key pairs belong to one region', async () => {
    const west = new EC2Client(clientConfig(cl.url, 'us-west-2'));
    await west.send(new CreateKeyPairCommand({ KeyName: 'ppk-rsa' }));
    assert.deepEqual((await west.send(new DescribeKeyPairsCommand({}))).KeyPairs!.map((k) => k.KeyName), ['ppk-rsa']);
  });
});

for (const cli of awsClis()) {
  describe(`EC2 key pairs with ${cli.name}`, { skip: cli.skip ?? needTool(['ssh-keygen', 'openssl']) }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });

    test('create-key-pair --query KeyMaterial --output text gives a usable key; import-key-pair file://; describe; delete', async () => {
      const r = await runAws(cli.bin, cl.url, ['ec2', 'create-key-pair', '--key-name', 'cli-key', '--query', 'KeyMaterial', '--output', 'text']);
      assert.equal(r.status, 0, r.stderr);
      const file = keyFile(r.stdout);
      const derived = run('ssh-keygen', ['-y', '-f', file]).trim();
      const ed = await runAws(cli.bin, cl.url, ['ec2', 'create-key-pair', '--key-name', 'cli-ed', '--key-type', 'ed25519', '--query', 'KeyMaterial', '--output', 'text']);
      assert.equal(ed.status, 0, ed.stderr);
      run('ssh-keygen', ['-y', '-f', keyFile(ed.stdout)]);
      const pub = keyFile(`${derived} imported\n`);
      const imp = await awsJson(cli.bin, cl.url, ['ec2', 'import-key-pair', '--key-name', 'cli-imp', '--public-key-material', `fileb://${pub}`]);
      const md5 = digest('md5', execFileSync('openssl', ['rsa', '-in', file, '-pubout', '-outform', 'DER'], { stdio: ['pipe', 'pipe', 'ignore'] }));
      assert.equal(imp.KeyFingerprint, md5);
      const all = await awsJson(cli.bin, cl.url, ['ec2', 'describe-key-pairs', '--include-public-key']);
      assert.deepEqual(all.KeyPairs.map((k: { KeyName: string }) => k.KeyName).sort(), ['cli-ed', 'cli-imp', 'cli-key']);
      const mine = all.KeyPairs.find((k: { KeyName: string }) => k.KeyName === 'cli-key');
      assert.equal(mine.PublicKey, `${derived} cli-key`);
      assert.match(mine.CreateTime, /^\d{4}-\d\d-\d\dT/);
      const dup = await runAws(cli.bin, cl.url, ['ec2', 'create-key-pair', '--key-name', 'cli-key']);
      assert.notEqual(dup.status, 0);
      assert.match(dup.stderr, /InvalidKeyPair\.Duplicate/);
      await awsJson(cli.bin, cl.url, ['ec2', 'delete-key-pair', '--key-name', 'cli-key']);
      const gone = await runAws(cli.bin, cl.url, ['ec2', 'describe-key-pairs', '--key-names', 'cli-key']);
      assert.match(gone.stderr, /InvalidKeyPair\.NotFound/);
    });
  });
}
