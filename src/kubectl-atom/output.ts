// -o json | yaml for commands that print data.
import { dump } from 'js-yaml';
import { PluginError } from './errors.js';

export type OutputFormat = 'table' | 'json' | 'yaml';

export function outputFormat(flag: string | boolean | undefined): OutputFormat {
  if (flag === undefined || flag === false) return 'table';
  if (flag === 'json' || flag === 'yaml') return flag;
  throw new PluginError('USAGE', `unsupported output format "${String(flag)}": use -o json or -o yaml.`);
}

export function serialise(document: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : dump(document, { noRefs: true, lineWidth: -1 });
}
