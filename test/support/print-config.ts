// Test entry: loads the configuration like main.ts does and prints it as JSON.
import { loadConfigFromProcess } from '../../src/config/load.js';

process.stdout.write(`${JSON.stringify(loadConfigFromProcess())}\n`);
