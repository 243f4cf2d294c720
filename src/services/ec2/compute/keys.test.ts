// Key formats checked against the tools people verify EC2 keys with: openssl and ssh-keygen
// for fingerprints, puttygen for .ppk files (its own files must come out byte for byte).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { needTool } from '../../../../test/helpers/tools.js';
import {
  createdFingerprint, encryptWindowsPassword, generateKey, importedFingerprint, keyFromOpenSshLine, openSshLine,
  parsePublicKeyMaterial, ppkV2Mac, privatePem, privatePpk, publicBlob,
} from './keys-format.js';
import { windowsPassword } from './keys.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudlet-keys-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string | Buffer): string => {
  const f = join(dir, `f${n++}`);
  writeFileSync(f, text, { mode: 0o600 });
  return f;
};
const run = (cmd: string, args: string[], input?: Buffer | string): Buffer => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'ignore'] });
const colonDigest = (algo: string, data: Buffer): string => run('openssl', [algo, '-c'], data).toString().trim().replace(/^.*= /, '');

describe('EC2 fingerprints, as openssl and ssh-keygen compute them', { skip: needTool(['openssl', 'ssh-keygen']) }, () => {
  const rsa = generateKey('rsa');
  const ed = generateKey('ed25519');
  const rsaPem = file(`${privatePem(rsa, 'k')}\n`);

  test('a created RSA key: SHA-1 of the PKCS#8 DER private key (openssl pkcs8 -topk8 | openssl sha1 -c)', () => {
    const der = run('openssl', ['pkcs8', '-in', rsaPem, '-inform', 'PEM', '-outform', 'DER', '-topk8', '-nocrypt']);
    assert.equal(createdFingerprint(rsa), colonDigest('sha1', der));
    assert.match(createdFingerprint(rsa), /^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
  });

  test('an imported RSA key: MD5 of the DER public key (openssl rsa -pubout -outform DER | openssl md5 -c), not ssh-keygen -E md5', () => {
    const der = run('openssl', ['rsa', '-in', rsaPem, '-pubout', '-outform', 'DER']);
    const fp = importedFingerprint(createPublicKey(rsa));
    assert.equal(fp, colonDigest('md5', der));
    const sshMd5 = /MD5:(\S+)/.exec(run('ssh-keygen', ['-l', '-E', 'md5', '-f', file(`${openSshLine(createPublicKey(rsa), 'k')}\n`)]).toString())![1];
    assert.notEqual(fp, sshMd5, 'EC2 hashes the DER SubjectPublicKeyInfo, not the SSH blob');
  });

  test('ED25519: ssh-keygen -l -E sha256 with the base64 padding, created or imported alike', () => {
    const pub = file(`${openSshLine(createPublicKey(ed), 'k')}\n`);
    const ssh = /SHA256:(\S+)/.exec(run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub]).toString())![1]!;
    assert.equal(createdFingerprint(ed), `${ssh}=`);
    assert.equal(importedFingerprint(createPublicKey(ed)), `${ssh}=`);
  });

  test('private keys load in ssh-keygen and give back the public line', () => {
    for (const k of [rsa, ed]) {
      const derived = run('ssh-keygen', ['-y', '-f', file(privatePem(k, 'name'))]).toString().trim();
      assert.equal(derived.split(' ').slice(0, 2).join(' '), openSshLine(createPublicKey(k), '').trim());
    }
    assert.match(privatePem(rsa, 'k'), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(privatePem(ed, 'k'), /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]*-----END OPENSSH PRIVATE KEY-----\n$/);
  });

  test('Windows passwords decrypt with the private key (openssl pkeyutl, PKCS#1 v1.5)', () => {
    const password = windowsPassword(Buffer.alloc(32, 7), 'i-0123456789abcdef0', 1_700_000_000_000);
    const b64 = encryptWindowsPassword(openSshLine(createPublicKey(rsa), 'k'), password);
    assert.equal(Buffer.from(b64, 'base64').length, 256, 'one 2048-bit RSA block');
    const plain = run('openssl', ['pkeyutl', '-decrypt', '-inkey', rsaPem, '-pkeyopt', 'rsa_padding_mode:pkcs1'], Buffer.from(b64, 'base64'));
    assert.equal(plain.toString(), password);
    assert.notEqual(encryptWindowsPassword(openSshLine(createPublicKey(rsa), 'k'), password), b64, 'random padding each time');
    assert.throws(() => encryptWindowsPassword(openSshLine(createPublicKey(ed), 'k'), password), /RSA/);
  });
});

test('Windows passwords: the same for the same instance and launch, 32 characters of every class', () => {
  const s = Buffer.alloc(32, 1);
  const a = windowsPassword(s, 'i-0123456789abcdef0', 5);
  assert.equal(a, windowsPassword(s, 'i-0123456789abcdef0', 5));
  assert.notEqual(a, windowsPassword(s, 'i-0123456789abcdef0', 6));
  assert.notEqual(a, windowsPassword(Buffer.alloc(32, 2), 'i-0123456789abcdef0', 5));
  assert.equal(a.length, 32);
  for (const re of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) assert.match(a, re);
});

/** A key from a PuTTY v2 file's blobs, to write the same file again. */
function keyOfPpk(text: string): { key: KeyObject; comment: string } {
  const lines = text.split('\n');
  const count = (label: string) => Number(lines.find((l) => l.startsWith(label))!.split(': ')[1]);
  const at = (label: string) => lines.findIndex((l) => l.startsWith(label)) + 1;
  const pub = Buffer.from(lines.slice(at('Public-Lines'), at('Public-Lines') + count('Public-Lines')).join(''), 'base64');
  const priv = Buffer.from(lines.slice(at('Private-Lines'), at('Private-Lines') + count('Private-Lines')).join(''), 'base64');
  const strings = (b: Buffer): Buffer[] => {
    const out: Buffer[] = [];
    for (let p = 0; p < b.length;) { const len = b.readUInt32BE(p); out.push(b.subarray(p + 4, p + 4 + len)); p += 4 + len; }
    return out;
  };
  const comment = lines[2]!.slice('Comment: '.length);
  const [alg, ...pubParts] = strings(pub);
  const big = (b: Buffer): bigint => BigInt(`0x${b.toString('hex') || '0'}`);
  const u = (x: bigint): string => { let h = x.toString(16); if (h.length % 2) h = `0${h}`; return Buffer.from(h, 'hex').toString('base64url'); };
  if (alg!.toString() === 'ssh-ed25519') {
    const seed = Buffer.concat([strings(priv)[0]!, Buffer.alloc(32)]).subarray(0, 32);
    return { key: createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pubParts[0]!.toString('base64url'), d: seed.toString('base64url') }, format: 'jwk' }), comment };
  }
  const [e, nn] = pubParts.map(big);
  const [d, p, q, iqmp] = strings(priv).map(big);
  const jwk = { kty: 'RSA', n: u(nn!), e: u(e!), d: u(d!), p: u(p!), q: u(q!), dp: u(d! % (p! - 1n)), dq: u(d! % (q! - 1n)), qi: u(iqmp!) };
  return { key: createPrivateKey({ key: jwk, format: 'jwk' }), comment };
}

describe('PuTTY key files (version 2, what EC2 gives for KeyFormat ppk)', { skip: needTool('puttygen') }, () => {
  for (const type of ['rsa', 'ed25519'] as const) {
    test(`${type}: a key puttygen made comes out byte for byte, MAC included; puttygen loads ours`, () => {
      const theirs = join(dir, `putty-${type}.ppk`);
      run('puttygen', ['-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-C', `kat-${type}`, '-o', theirs, '--ppk-param', 'version=2', '--new-passphrase', '/dev/null']);
      const text = readFileSync(theirs, 'utf8');
      const { key, comment } = keyOfPpk(text);
      assert.equal(privatePpk(key, comment), text);

      const ours = file(privatePpk(generateKey(type), 'mine'));
      run('puttygen', [ours, '-O', 'public-openssh', '-o', join(dir, `pub-${type}`)]);
      const openssh = readFileSync(join(dir, `pub-${type}`), 'utf8').trim();
      assert.match(openssh, new RegExp(`^ssh-${type} \\S+ mine$`));
      // puttygen checks the MAC when it reads the private half: a wrong one is refused.
      run('puttygen', [ours, '-O', 'private-openssh-new', '-o', join(dir, `ok-${type}`)]);
      const tampered = file(readFileSync(ours, 'utf8').replace(/Private-MAC: (.)/, (_m, c: string) => `Private-MAC: ${c === '0' ? '1' : '0'}`));
      assert.throws(() => run('puttygen', [tampered, '-O', 'private-openssh-new', '-o', join(dir, `bad-${type}`)]));
    });
  }

  test('ed25519: the seed is always 32 bytes, a trailing zero byte kept (as puttygen writes it)', () => {
    const seed = Buffer.alloc(32, 0xf9); seed[31] = 0;
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const text = privatePpk(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), 'zero');
    const lines = text.split('\n');
    const priv = Buffer.from(lines[lines.findIndex((l) => l.startsWith('Private-Lines')) + 1]!, 'base64');
    assert.equal(priv.readUInt32BE(0), 32);
    assert.deepEqual(priv.subarray(4), seed);
    run('puttygen', [file(text), '-O', 'public-openssh', '-o', join(dir, 'pub-zero')]);
  });
  test('the MAC is HMAC-SHA-1 under SHA-1("putty-private-key-file-mac-key"), over the five fields', () => {
    assert.match(ppkV2Mac('ssh-ed25519', 'none', 'c', Buffer.from([1]), Buffer.from([2])), /^[0-9a-f]{40}$/);
    assert.notEqual(ppkV2Mac('ssh-ed25519', 'none', 'c', Buffer.from([1]), Buffer.from([2])), ppkV2Mac('ssh-ed25519', 'none', 'd', Buffer.from([1]), Buffer.from([2])));
  });
});

describe('public key material ImportKeyPair takes', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const blob = publicBlob(rsa).toString('base64');

  test('OpenSSH lines, with or without a comment, CRLF and surrounding blanks', () => {
    assert.equal(parsePublicKeyMaterial(Buffer.from(`ssh-rsa ${blob}`))?.type, 'rsa');
    const p = parsePublicKeyMaterial(Buffer.from(`  ssh-rsa ${blob} me@host here\r\n`))!;
    assert.equal(p.comment, 'me@host here');
    assert.equal(publicBlob(p.key).toString('base64'), blob);
  });

  test('RFC 4716 with a continued header, PEM SPKI and PKCS#1, DER raw and in base64', () => {
    const rfc = ['---- BEGIN SSH2 PUBLIC KEY ----', 'Comment: "a long \\', 'comment"', 'x-other: y',
      ...(blob.match(/.{1,70}/g) ?? []), '---- END SSH2 PUBLIC KEY ----', ''].join('\n');
    const r = parsePublicKeyMaterial(Buffer.from(rfc))!;
    assert.equal(r.comment, 'a long comment');
    assert.equal(publicBlob(r.key).toString('base64'), blob);
    for (const material of [
      rsa.export({ type: 'spki', format: 'pem' }) as string, rsa.export({ type: 'pkcs1', format: 'pem' }) as string,
      rsa.export({ type: 'spki', format: 'der' }), rsa.export({ type: 'spki', format: 'der' }).toString('base64'),
    ]) assert.equal(publicBlob(parsePublicKeyMaterial(Buffer.from(material))!.key).toString('base64'), blob);
  });

  test('refused: other key types, a blob whose type disagrees with the line, truncated blobs, text', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const edBlob = publicBlob(generateKeyPairSync('ed25519').publicKey).toString('base64');
    for (const bad of [
      ec.export({ type: 'spki', format: 'pem' }) as string, `ssh-ed25519 ${blob}`, `ssh-rsa ${edBlob}`,
      `ssh-rsa ${blob.slice(0, 40)}`, 'hello', '', `ecdsa-sha2-nistp256 ${blob}`,
    ]) assert.equal(parsePublicKeyMaterial(Buffer.from(bad)), undefined, bad.slice(0, 40));
    assert.equal(keyFromOpenSshLine('ssh-rsa'), undefined);
  });
});
