// Types for setup-tools.mjs, which stays plain JavaScript so CI can run it before `npm ci`.
export type ToolId = 'aws1' | 'aws2' | 'botocore' | 'boto3' | 'skopeo' | 'umoci' | 'wrk' | 'docker-registry' | 'dockerd' | 'terraform' | 'ssh-keygen' | 'openssl' | 'puttygen';

export interface Tool {
  id: ToolId;
  what: string;
  apt: string | null;
  hint: string;
  probe: string;
  /** A shell command run after apt-get installed the tool's package (not when it was there already). */
  afterInstall?: string;
}

export interface Probe {
  tool: Tool;
  present: boolean;
  /** The probe's first line of output: the tool's path or version. */
  found: string;
}

export const TOOLS: readonly Tool[];
export function toolsRequired(env?: NodeJS.ProcessEnv): boolean;
export function probeTool(id: ToolId, env?: NodeJS.ProcessEnv): Probe;
