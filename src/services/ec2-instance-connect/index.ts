import { defineService } from '../types.js';
import { sendSSHPublicKey } from './keys.js';

export { instanceConnectKeys, KEY_LIFETIME_MS } from './keys.js';

/** EC2 Instance Connect (JSON 1.1). SendSerialConsoleSSHPublicKey is not served (no serial console). */
export default defineService({
  name: 'ec2-instance-connect',
  modelId: 'ec2-instance-connect-2018-04-02',
  handlers: {
    SendSSHPublicKey: sendSSHPublicKey,
  },
});
