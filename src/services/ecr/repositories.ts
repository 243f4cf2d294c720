import type { DescribeRepositoriesRequest, DescribeRepositoriesResponse, Repository } from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, type PageBinding } from '../../core/page-token.js';
import type { Handler } from '../types.js';

export const REPOSITORY_KIND = 'ecr:repository';

/** A repository row, stored in its registry's {account, region} scope. */
export interface RepositoryRecord {
  name: string;
  arn: string;
  registryId: string;
  uri: string;
  createdAt: string;
  imageTagMutability: string;
  scanOnPush: boolean;
  encryptionType: string;
}

function toRepository(r: RepositoryRecord): Repository {
  return {
    repositoryArn: r.arn,
    registryId: r.registryId,
    repositoryName: r.name,
    repositoryUri: r.uri,
    createdAt: new Date(r.createdAt),
    imageTagMutability: r.imageTagMutability as Repository['imageTagMutability'],
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { encryptionType: r.encryptionType as 'AES256' },
  };
}

export const describeRepositories: Handler<DescribeRepositoriesRequest, DescribeRepositoriesResponse> = (input, ctx) => {
  const registryId = input.registryId ?? ctx.account;
  const scope = { account: registryId, region: ctx.region };
  if (input.repositoryNames?.length) {
    if (input.nextToken || input.maxResults) {
      throw new AwsError('InvalidParameterException', 'Invalid parameter at \'repositoryNames\' failed to satisfy constraint: \'repositoryNames cannot be used with maxResults or nextToken\'');
    }
    const repos = input.repositoryNames.map((name) => {
      const r = ctx.tx.get<RepositoryRecord>(scope, REPOSITORY_KIND, name);
      if (!r) throw new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
      return toRepository(r);
    });
    return { repositories: repos };
  }
  const max = input.maxResults ?? 1000;
  const binding = { service: 'ecr', operation: 'DescribeRepositories', query: { registryId } };
  const rows = ctx.tx.list<RepositoryRecord>(scope, REPOSITORY_KIND, { after: decodeToken(binding, input.nextToken), limit: max + 1 });
  const page = rows.slice(0, max);
  return {
    repositories: page.map((r) => toRepository(r.value)),
    nextToken: rows.length > max ? encodePageToken(binding, page[page.length - 1]!.id) : undefined,
  };
};

function decodeToken(binding: PageBinding, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const id = decodePageToken(binding, token);
  if (id === undefined) throw new AwsError('InvalidParameterException', 'Invalid parameter at \'nextToken\': the token is not valid');
  return id;
}
