import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleWithWebIdentityCommandInput,
} from '@aws-sdk/client-sts';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../src/auth/credentials.js';
import type { Credential } from '../../src/auth/principal.js';
import type { SessionPrincipal } from '../../src/services/sts/session.js';
import { webIdentityContext } from '../../src/services/sts/web-identity.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { startIssuer, type TestIssuer } from '../helpers/oidc.js';
import { queryRequest } from '../helpers/sign.js';

const ACCT = '000000000000';
const OTHER = '222222222222';
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

describe('STS AssumeRoleWithWebIdentity against an IAM OIDC provider', () => {
  let cl: Cloudlet;
  let issuer: TestIssuer;
  let providerArn: string;
  let roleArn: string;
  let roleId: string;
  /** No credentials: the SDK sends AssumeRoleWithWebIdentity unsigned. */
  let anon: STSClient;

  const call = (input: Partial<AssumeRoleWithWebIdentityCommandInput>) =>
    anon.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'web-session', WebIdentityToken: issuer.token(), ...input }));
  const stored = async (accessKeyId: string) =>
    cl.deps.store.transaction((tx) => tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, accessKeyId)!.principal as SessionPrincipal);
  const invalid = (re: RegExp) => (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'InvalidIdentityTokenException');
    assert.match(e.message, re);
    assert.equal(e.$metadata.httpStatusCode, 400);
    return true;
  };

  before(async () => {
    cl = await startTestServer();
    issuer = await startIssuer({ path: '/oidc/cluster-1' });
    anon = new STSClient({ endpoint: cl.url, region: 'us-east-1', maxAttempts: 1 });
    const iam = new IAMClient(clientConfig(cl.url));
    const p = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer.url, ClientIDList: ['sts.amazonaws.com', 'my-app'], ThumbprintList: [THUMBPRINT] }));
    providerArn = p.OpenIDConnectProviderArn!;
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity'],
      }],
    });
    const r = await iam.send(new CreateRoleCommand({ RoleName: 'web-role', AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200 }));
    roleArn = r.Role!.Arn!;
    roleId = r.Role!.RoleId!;
  });
  after(async () => {
    await cl.close();
    await issuer.close();
  });

  test('a valid RS256 token gives a role session; the output names subject, provider and audience', async () => {
    assert.equal(providerArn, `arn:aws:iam::${ACCT}:oidc-provider/${issuer.hostPath}`);
    const r = await call({});
    assert.match(r.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(Math.abs(r.Credentials!.Expiration!.getTime() - (Date.now() + 3600_000)) < 5000);
    assert.equal(r.SubjectFromWebIdentityToken, 'system:serviceaccount:default:app');
    assert.equal(r.Provider, providerArn);
    assert.equal(r.Audience, 'sts.amazonaws.com');
    assert.deepEqual(r.AssumedRoleUser, { AssumedRoleId: `${roleId}:web-session`, Arn: `arn:aws:sts::${ACCT}:assumed-role/web-role/web-session` });

    const session = new STSClient(clientConfig(cl.url, 'us-east-1', {
      accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken!,
    }));
    const id = await session.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${ACCT}:assumed-role/web-role/web-session`);
    assert.equal(id.UserId, `${roleId}:web-session`);
    const p = await stored(r.Credentials!.AccessKeyId!);
    assert.equal(p.kind, 'assumed-role');
    assert.equal(p.federatedProvider, providerArn);
    assert.equal(p.chained, false);
  });

  test('ES256 tokens, another client ID, DurationSeconds up to the role maximum; the JWKS is fetched once', async () => {
    const before = issuer.jwksFetches();
    const r = await call({ WebIdentityToken: issuer.token({ aud: 'my-app' }, { alg: 'ES256' }), DurationSeconds: 7200 });
    assert.equal(r.Audience, 'my-app');
    assert.ok(Math.abs(r.Credentials!.Expiration!.getTime() - (Date.now() + 7200_000)) < 5000);
    await call({ WebIdentityToken: issuer.token({ aud: ['other', 'sts.amazonaws.com'] }) });
    assert.ok(issuer.jwksFetches() - before <= 1, 'keys come from the cache');
    await assert.rejects(call({ DurationSeconds: 7201 }), (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.equal(e.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
      return true;
    });
  });

  test('token claims: session tags and source identity', async () => {
    const token = issuer.token({
      'https://aws.amazon.com/tags': { principal_tags: { team: ['blue'], env: ['dev'] }, transitive_tag_keys: ['team'] },
      'https://aws.amazon.com/source_identity': 'alice',
    });
    const r = await call({ WebIdentityToken: token });
    assert.equal(r.SourceIdentity, 'alice');
    assert.ok(r.PackedPolicySize! > 0);
    const p = await stored(r.Credentials!.AccessKeyId!);
    assert.deepEqual(p.tags, { team: 'blue', env: 'dev' });
    assert.deepEqual(p.transitiveTagKeys, ['team']);
    assert.equal(p.sourceIdentity, 'alice');
  });

  test('wrong audience, unknown issuer, provider in another account: InvalidIdentityToken', async () => {
    await assert.rejects(call({ WebIdentityToken: issuer.token({ aud: 'somebody-else' }) }), invalid(/^Incorrect token audience$/));
    await assert.rejects(call({ WebIdentityToken: issuer.token({ iss: 'https://unknown.example.com' }) }),
      invalid(/No OpenIDConnect provider found in your account for https:\/\/unknown\.example\.com/));
    // The provider is looked up in the role's account.
    await assert.rejects(call({ RoleArn: `arn:aws:iam::${OTHER}:role/web-role` }), invalid(/No OpenIDConnect provider found/));
  });

  test('a token past its exp by the cloudlet clock is ExpiredTokenException', async () => {
    const token = issuer.token({ exp: Math.floor(Date.now() / 1000) + 600 });
    await call({ WebIdentityToken: token });
    cl.deps.clock.advance(601_000);
    try {
      await assert.rejects(call({ WebIdentityToken: token }), (e: Error) => {
        assert.equal(e.name, 'ExpiredTokenException');
        assert.match(e.message, /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
        return true;
      });
    } finally {
      cl.deps.clock.setOffset(0);
    }
  });

  test('bad signatures, foreign keys, unsigned and malformed tokens are InvalidIdentityToken', async () => {
    const good = issuer.token();
    const [h, p] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.${good.split('.')[2]}`;
    await assert.rejects(call({ WebIdentityToken: forged }), invalid(/signature/));
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await assert.rejects(call({ WebIdentityToken: issuer.token({}, { key: foreign }) }), invalid(/signature/));
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    await assert.rejects(call({ WebIdentityToken: none }), invalid(/algorithm/));
    await assert.rejects(call({ WebIdentityToken: 'not.a.jwt!' }), invalid(/not a valid JSON Web Token/));
    // An unknown kid makes cloudlet refetch the keys once, then give up.
    const fetches = issuer.jwksFetches();
    await assert.rejects(call({ WebIdentityToken: issuer.token({}, { kid: 'rotated-away' }) }), invalid(/No matching signing key/));
    assert.ok(issuer.jwksFetches() - fetches <= 1);
  });

  test('an issuer that cannot be reached is IDPCommunicationError', async () => {
    const gone = await startIssuer({ path: '/gone' });
    const iam = new IAMClient(clientConfig(cl.url));
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: gone.url, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [THUMBPRINT] }));
    const token = gone.token();
    await gone.close();
    await assert.rejects(call({ WebIdentityToken: token }), (e: Error) => {
      assert.equal(e.name, 'IDPCommunicationErrorException');
      assert.match(e.message, /Couldn't retrieve verification key from your identity provider/);
      return true;
    });
  });

  test('a slow identity provider does not hold up other requests: its keys are fetched outside the store transaction', async () => {
    const slow = await startIssuer({ path: '/slow', keysDelayMs: 1500 });
    try {
      const iam = new IAMClient(clientConfig(cl.url));
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: slow.url, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [THUMBPRINT] }));
      const assuming = call({ WebIdentityToken: slow.token() });
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      await new STSClient(clientConfig(cl.url)).send(new GetCallerIdentityCommand({}));
      const waited = performance.now() - t0;
      assert.ok(waited < 700, `GetCallerIdentity took ${Math.round(waited)} ms while the provider's keys were being fetched`);
      // The token verified with the fetched keys; the role trusts only the first provider.
      await assert.rejects(assuming, { name: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' });
      assert.equal(slow.jwksFetches(), 1);
    } finally {
      await slow.close();
    }
  });

  test('the request is unsigned; model constraints still apply', async () => {
    const res = await fetch(cl.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: queryRequest({
        Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: 'raw-call', WebIdentityToken: issuer.token(),
      }).body as string,
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<AssumeRoleWithWebIdentityResult>[\s\S]*<Provider>arn:aws:iam::000000000000:oidc-provider\//);
    await assert.rejects(call({ RoleSessionName: 'x' }), { name: 'ValidationError' });
    await assert.rejects(call({ WebIdentityToken: 'abc' }), { name: 'ValidationError' });
  });

  test('webIdentityContext gives enforcement the provider ARN and the condition keys', async () => {
    const token = issuer.token({ amr: ['authenticated'], 'https://aws.amazon.com/tags': { principal_tags: { team: ['blue'] } } });
    const ctx = await cl.deps.store.transaction((tx) =>
      webIdentityContext(tx, { RoleArn: roleArn, RoleSessionName: 'ctx', WebIdentityToken: token }, cl.deps.clock.nowMs()));
    assert.equal(ctx.providerArn, providerArn);
    assert.equal(ctx.keys[`${issuer.hostPath}:aud`], 'sts.amazonaws.com');
    assert.equal(ctx.keys[`${issuer.hostPath}:sub`], 'system:serviceaccount:default:app');
    assert.deepEqual(ctx.keys[`${issuer.hostPath}:amr`], ['authenticated']);
    assert.equal(ctx.keys['aws:FederatedProvider'], providerArn);
    assert.equal(ctx.keys['sts:RoleSessionName'], 'ctx');
    assert.equal(ctx.keys['aws:RequestTag/team'], 'blue');
    assert.deepEqual(ctx.keys['aws:TagKeys'], ['team']);
  });
});
