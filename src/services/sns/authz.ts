/** SNS: PublishBatch is sns:Publish; CreateTopic names the topic in Name; denials are AuthorizationError. */
import type { ServiceAuthz } from '../authz/types.js';

const authz: ServiceAuthz = {
  actions: { PublishBatch: 'Publish' },
  variables: { TopicName: ['Name'] },
  denial: { code: 'AuthorizationError', status: 403 },
};

export default authz;
